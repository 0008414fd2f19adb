#!/usr/bin/env bash
# GraphGen against its peers on this machine, in one go: the reference model (784-512-10, batch 128, RMSprop) in
# GraphGen and in PyTorch (Debian's python3-torch, CPU), and OpenBLAS SGEMM through numpy — all on the same number of
# threads. Prints a table of figures and ratios against the targets; the raw JSON lands in --out.
#   benchmarks/compare.sh [--epochs N] [--threads N] [--scaling] [--generator] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=3 threads=$(nproc) out="${TMPDIR:-/tmp}/graphgen-compare" extra=() build_cost=0
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --scaling) extra+=(--scaling); shift ;;
    --generator) extra+=(--generator); build_cost=1; shift ;;
    *) echo "error: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
[[ "$epochs" =~ ^[1-9][0-9]*$ ]] || { echo "error: --epochs must be a positive whole number, got '$epochs'" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || { echo "error: --threads must be a positive whole number, got '$threads'" >&2; exit 2; }
mkdir -p "$out"

# Debian's interpreter, not whatever python3 comes first on PATH: the peers are Debian's packages.
py=/usr/bin/python3
if ! [ -x "$py" ] || ! "$py" -c 'import torch, numpy' 2>/dev/null || ! [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "installing the peers: python3-torch python3-numpy libopenblas0-pthread"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq python3 python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/GraphGen.Bench -c Release -v quiet -nologo >/dev/null

echo "== GraphGen ($threads threads)"
DOTNET_PROCESSOR_COUNT=$threads dotnet run -c Release --no-build --project benchmarks/GraphGen.Bench -- \
  --epochs "$epochs" --json "$out/graphgen.json" "${extra[@]}"
echo "== PyTorch ($threads threads)"
OMP_NUM_THREADS=$threads "$py" benchmarks/peers/torch_mnist.py --epochs "$epochs" --threads "$threads" > "$out/torch.json"
echo "== OpenBLAS SGEMM ($threads threads)"
OPENBLAS_NUM_THREADS=$threads "$py" benchmarks/peers/sgemm_probe.py > "$out/openblas.json"

if [ "$build_cost" = 1 ]; then
  echo "== dotnet build of a project with 1 and with 20 models"
  bash benchmarks/peers/build_cost.sh "$out/build.json"
fi

"$py" benchmarks/peers/report.py "$out"
