#!/usr/bin/env bash
# Times `dotnet build` of a throwaway project with 1 and with 20 models (the runtime and generator already built):
# the compile, generator included, after a model file is touched. Writes a JSON list to $1.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
json=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=()
for models in 1 20; do
  dir="$work/models$models"
  mkdir -p "$dir"
  cat > "$dir/Models$models.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/GraphGen/GraphGen.csproj" />
    <ProjectReference Include="$root/generators/GraphGen.Generators/GraphGen.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
XML
  for i in $(seq 1 "$models"); do
    cat > "$dir/Model$i.cs" <<CS
using GraphGen;
namespace Models$i;
[Model(Loss = Loss.SparseCategoricalCrossentropy)]
[Input(784)]
public sealed partial class Classifier
{
    [Dense($((255 + i)), Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(10, Activation.Softmax)] public partial DenseLayer Output { get; }
}
CS
  done
  dotnet build "$dir" -c Release -nologo -v quiet >/dev/null   # restore and a first build
  touch "$dir/Model1.cs"
  start=$(date +%s.%N)
  dotnet build "$dir" -c Release -nologo -v quiet --no-restore --no-dependencies >/dev/null
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  echo "$models model(s): $seconds s"
  results+=("{\"models\": $models, \"seconds\": $seconds}")
done
(IFS=,; echo "[${results[*]}]") > "$json"
