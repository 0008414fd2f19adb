#!/usr/bin/env bash
# GraphGen against its peers on this machine, in one go, all on the same number of threads: GraphGen.Bench (the
# reference MLP 784-512-10 and the MNIST convnet, batch 128, RMSprop, and the FMA peak it measures itself), its
# reference run published with NativeAOT (benchmarks/GraphGen.Bench.Aot: the first epoch without a JIT), the same
# models in TorchSharp-cpu (benchmarks/peers/TorchSharpPeer, LibTorch 2.10), the MLP in Debian's PyTorch, and
# OpenBLAS SGEMM through numpy. Prints the table of figures and ratios (benchmarks/peers/report.py); the raw JSON lands
# in --out, one folder per round.
#   benchmarks/compare.sh [--epochs N] [--cnn-epochs N] [--rounds N] [--threads N] [--isa avx2|avx512|native]
#                         [--scaling] [--generator] [--out DIR]
# --isa avx2 turns AVX-512 off on every side that has a switch for it (DOTNET_EnableAVX512=0, .NET 10's name, and
# the NativeAOT build compiled for x86-64-v3;
# ATEN_CPU_CAPABILITY=avx2, ONEDNN_MAX_CPU_ISA=AVX2 and MKL_ENABLE_INSTRUCTIONS=AVX2 for LibTorch;
# OPENBLAS_CORETYPE=Haswell); ONNX Runtime's MLAS has none and keeps what the CPU has. avx512 asks every side for it;
# native (the default) leaves each to pick. --rounds N interleaves N rounds of every program (the machine is shared: the report takes the
# median of each figure over the rounds and prints the load average of each round).
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=3 cnn_epochs="" rounds=1 threads=$(nproc) isa=native out="${TMPDIR:-/tmp}/graphgen-compare" extra=() build_cost=0
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --cnn-epochs) cnn_epochs=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --scaling) extra+=(--scaling); shift ;;
    --generator) extra+=(--generator); build_cost=1; shift ;;
    *) echo "error: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
cnn_epochs=${cnn_epochs:-$epochs}
for name in epochs cnn_epochs rounds threads; do
  [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || { echo "error: --${name/_/-} must be a positive whole number, got '${!name}'" >&2; exit 2; }
done

case "$isa" in
  avx2) ilc_isa=x86-64-v3; export DOTNET_EnableAVX512=0 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 OPENBLAS_CORETYPE=Haswell ;;
  avx512)
    grep -q avx512f /proc/cpuinfo || { echo "error: --isa avx512: this CPU has no AVX-512F" >&2; exit 2; }
    ilc_isa=x86-64-v4; export ATEN_CPU_CAPABILITY=avx512 ONEDNN_MAX_CPU_ISA=AVX512_CORE MKL_ENABLE_INSTRUCTIONS=AVX512 OPENBLAS_CORETYPE=SkylakeX ;;
  native) ilc_isa=native ;;
  *) echo "error: --isa must be avx2, avx512 or native, got '$isa'" >&2; exit 2 ;;
esac
rm -rf "$out" && mkdir -p "$out"
echo "$isa" > "$out/isa"

# Debian's interpreter, not whatever python3 comes first on PATH: the peers are Debian's packages.
py=/usr/bin/python3
if ! [ -x "$py" ] || ! "$py" -c 'import torch, numpy' 2>/dev/null || ! [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
  echo "installing the peers: python3-torch python3-numpy libopenblas0-pthread"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq python3 python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi

# NativeAOT links with a C toolchain (clang, or gcc as GraphGen.Bench.Aot's project falls back to) and zlib's headers.
if ! { command -v clang || command -v gcc; } >/dev/null || ! [ -e /usr/include/zlib.h ]; then
  echo "installing NativeAOT's linker: gcc zlib1g-dev"
  sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq gcc libc6-dev zlib1g-dev >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/GraphGen.Bench -c Release -v quiet -nologo >/dev/null
aot_bin="$out/aot-bin"
dotnet publish benchmarks/GraphGen.Bench.Aot -c Release -r linux-x64 -p:IlcInstructionSet="$ilc_isa" -o "$aot_bin" -v quiet -nologo >/dev/null
# The TorchSharp peer is not in GraphGen.sln (its package is large): restored and built here only. Its
# libLibTorchSharp.so asks for GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks, for a marker symbol nothing calls:
# the build output's copy gets that requirement marked weak (weaken_glibcxx.py says why); the NuGet cache is untouched.
peer=benchmarks/peers/TorchSharpPeer
dotnet build "$peer" -c Release -v quiet -nologo >/dev/null
"$py" "$peer/weaken_glibcxx.py" "$peer/bin/Release/net10.0/linux-x64/libLibTorchSharp.so"

# Each OpenMP program runs twice, with OpenMP's default wait policy (its idle workers spin) and with
# OMP_WAIT_POLICY=PASSIVE (they sleep), and the report keeps the faster: on 2 cores the spinning workers fight OpenBLAS's
# own threads (PyTorch) or whatever else is running for the cores, which cost PyTorch a 4× slower epoch here. A peer is
# measured at its best.
for round in $(seq 1 "$rounds"); do
  dir="$out/round$round"; mkdir -p "$dir"
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load_before"
  echo "== round $round/$rounds, ISA $isa, load average $(cat "$dir/load_before"): GraphGen ($threads threads)"
  DOTNET_PROCESSOR_COUNT=$threads dotnet run -c Release --no-build --project benchmarks/GraphGen.Bench -- \
    --epochs "$epochs" --cnn-epochs "$cnn_epochs" --json "$dir/graphgen.json" "${extra[@]}"
  echo "== GraphGen, NativeAOT build (instruction set $ilc_isa, $threads threads)"
  DOTNET_PROCESSOR_COUNT=$threads "$aot_bin/GraphGen.Bench.Aot" --epochs "$epochs" --json "$dir/graphgen-aot.json"
  for policy in spin passive; do
    wait_policy=(); [ "$policy" = passive ] && wait_policy=(OMP_WAIT_POLICY=PASSIVE)
    echo "== TorchSharp-cpu ($threads threads, OpenMP wait policy: $policy)"
    env "${wait_policy[@]}" "$peer/bin/Release/net10.0/linux-x64/TorchSharpPeer" --epochs "$epochs" --cnn-epochs "$cnn_epochs" \
      --threads "$threads" > "$dir/torchsharp.$policy.json"
    echo "== PyTorch ($threads threads, OpenMP wait policy: $policy)"
    env "${wait_policy[@]}" OMP_NUM_THREADS="$threads" "$py" benchmarks/peers/torch_mnist.py --epochs "$epochs" --threads "$threads" \
      > "$dir/torch.$policy.json"
  done
  echo "== OpenBLAS SGEMM ($threads threads)"
  OPENBLAS_NUM_THREADS=$threads "$py" benchmarks/peers/sgemm_probe.py > "$dir/openblas.json"
  cut -d' ' -f1-3 /proc/loadavg > "$dir/load_after"
done

if [ "$build_cost" = 1 ]; then
  echo "== dotnet build of a project with 1 and with 20 models"
  bash benchmarks/peers/build_cost.sh "$out/build.json"
fi

"$py" benchmarks/peers/report.py "$out"
