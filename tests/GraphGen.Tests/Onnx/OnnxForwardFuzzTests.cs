using GraphGen.Tests.Generator;
using Xunit;
using Xunit.Abstractions;

namespace GraphGen.Tests.Onnx;

/// <summary>
/// The seeded [Forward] bodies of <see cref="ForwardBodyFuzzer"/> (B transposed, (B, B), contracted, reduced,
/// reshaped, concatenated), compiled in-process, exported and run in ONNX Runtime at batches 5, 1 and 12: each export
/// equals Predict on the same rows. More cases: GRAPHGEN_ONNX_FUZZ_CASES.
/// </summary>
public sealed class OnnxForwardFuzzTests(ITestOutputHelper output)
{
    private const int FastCases = 80;
    private const int PerCompilation = 40;

    [Fact]
    public void EveryFuzzedBodyExportsToOnnxAsItsPredict()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("GRAPHGEN_ONNX_FUZZ_CASES"), out int n) && n > 0 ? n : FastCases;
        var failures = new List<string>();
        double worstSeen = 0;
        for (int first = 0; first < cases && failures.Count < 10; first += PerCompilation)
        {
            var fuzzed = Enumerable.Range(first, Math.Min(PerCompilation, cases - first)).Select(ForwardBodyFuzzer.Create).ToList();
            string source = $"using GraphGen;\nnamespace {ForwardBodyFuzzer.Namespace};\n" + string.Join("\n", fuzzed.Select(f => f.Declaration));
            using var loaded = LoadedModels.Load(out string errors, source);
            Assert.True(loaded is not null, errors);
            foreach (var f in fuzzed)
            {
                string path = Path.Combine(Path.GetTempPath(), $"graphgen-onnx-fuzz-{f.Seed}-{Guid.NewGuid():N}.onnx");
                try
                {
                    var model = loaded!.Create(f.FullName, f.Seed);
                    model.ExportOnnx(path);
                    foreach (int batch in new[] { 5, 1, 12 })
                    {
                        var x = OnnxRuntimeCheck.RandomInputs(batch, f.InputWidth, f.Seed * 31 + batch);
                        var onnx = OnnxRuntimeCheck.Run(path, x, batch, f.InputWidth);
                        var predict = model.Predict(x);
                        // Relative to the output's largest value, as the fuzz tests compare Predict with the eager call:
                        // a body's random exp, log and division can leave a tiny value that is all rounding.
                        double scale = Math.Max(predict.Max(v => Math.Abs((double)v)), 1.0);
                        double worst = onnx.Zip(predict, (a, b) => Math.Abs((double)a - b) / scale).Max();
                        worstSeen = Math.Max(worstSeen, worst);
                        if (!(worst <= OnnxRuntimeCheck.Tolerance))
                        {
                            failures.Add($"seed {f.Seed} ({f.Description}), batch {batch}: ONNX Runtime differs from Predict by {worst:E2}\n{f.Declaration}");
                            break;
                        }
                    }
                }
                catch (Exception e)
                {
                    failures.Add($"seed {f.Seed} ({f.Description}): {e.Message}\n{f.Declaration}");
                }
                finally
                {
                    File.Delete(path);
                }
            }
        }
        output.WriteLine($"{cases} [Forward] bodies exported to ONNX; largest difference from Predict {worstSeen:E2}; {failures.Count} failed");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }
}
