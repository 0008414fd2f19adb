using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;
using Xunit.Abstractions;

namespace GraphGen.Tests.Generator;

/// <summary>
/// Seeded [Forward] bodies that put the batch dimension anywhere (<see cref="ForwardBodyFuzzer"/>), compiled by the
/// generator in-process and loaded (<see cref="LoadedModels"/>). Each must compile without a GG error; Predict at
/// batches 5, 1 and 12 (buffers grown, reused, grown again) must equal the model's eager call on the same rows;
/// ComputeGradients' loss must equal the mean squared error of the eager output, and, for a smooth body, its gradient
/// along a random direction must equal central differences of that loss; a model whose rows change each other's
/// outputs must say so (MixesBatchRows and GG0118), and one that does not must give the same Predict in chunks.
/// CI runs <see cref="FastCases"/>; the long run is GRAPHGEN_FORWARD_FUZZ_CASES=5000 dotnet test --filter CompiledForwardFuzzTests.
/// </summary>
public class CompiledForwardFuzzTests(ITestOutputHelper output)
{
    private const int FastCases = 300;
    private const int PerCompilation = 40;

    [Fact]
    public void EveryCompiledBodyEqualsItsEagerCall()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("GRAPHGEN_FORWARD_FUZZ_CASES"), out int n) && n > 0 ? n : FastCases;
        var failures = new List<string>();
        int mixing = 0, gradientChecks = 0;
        for (int first = 0; first < cases && failures.Count < 10; first += PerCompilation)
        {
            var fuzzed = Enumerable.Range(first, Math.Min(PerCompilation, cases - first)).Select(ForwardBodyFuzzer.Create).ToList();
            using var loaded = LoadedModels.Load(out string errors, Source(fuzzed));
            if (loaded is null)
            {
                // Name the seeds: compile each case on its own.
                foreach (var f in fuzzed)
                {
                    using var alone = LoadedModels.Load(out string own, Source([f]));
                    if (alone is null) failures.Add(Failure(f, "does not compile:\n" + own));
                }
                if (failures.Count == 0) failures.Add($"cases {first}…{first + fuzzed.Count - 1} compile alone but not together:\n{errors}");
                continue;
            }
            foreach (var f in fuzzed)
            {
                try
                {
                    var result = Check(loaded, f);
                    if (result.Problem is not null) failures.Add(Failure(f, result.Problem));
                    mixing += result.Mixes ? 1 : 0;
                    gradientChecks += result.GradientChecked ? 1 : 0;
                }
                catch (Exception e)
                {
                    failures.Add(Failure(f, e.ToString()));
                }
            }
        }
        output.WriteLine($"{cases} [Forward] bodies: {mixing} mix the rows of a batch, {gradientChecks} gradient checks; {failures.Count} failed");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.True(mixing >= cases / 5 && mixing <= cases * 4 / 5, $"only {mixing} of {cases} bodies mix rows: the fuzzer no longer covers both kinds");
    }

    private static string Source(IEnumerable<FuzzedForward> fuzzed)
        => $"using GraphGen;\nnamespace {ForwardBodyFuzzer.Namespace};\n" + string.Join("\n", fuzzed.Select(f => f.Declaration));

    private static string Failure(FuzzedForward f, string problem) => $"seed {f.Seed} ({f.Description}): {problem}\n{f.Declaration}";

    private sealed record Outcome(string? Problem, bool Mixes, bool GradientChecked);

    private static Outcome Check(LoadedModels loaded, FuzzedForward f)
    {
        var model = loaded.Create(f.FullName, f.Seed);
        bool warned = loaded.Diagnostics.Any(d => d.Id == "GG0118" && d.GetMessage().Contains(f.ClassName + ".", StringComparison.Ordinal));
        if (warned != model.MixesBatchRows) return new Outcome($"GG0118 {(warned ? "reported" : "not reported")} but MixesBatchRows is {model.MixesBatchRows}", model.MixesBatchRows, false);
        foreach (int batch in new[] { 5, 1, 12 })
        {
            var x = GeneratedModelTests.Data(batch * f.InputWidth, f.Seed * 31 + batch);
            var eager = Eager(model, f, x, batch);
            if (Compare(eager, model.Predict(x), $"Predict at batch {batch}") is { } wrong) return new Outcome(wrong, model.MixesBatchRows, false);
        }

        const int rows = 12;
        var xs = GeneratedModelTests.Data(rows * f.InputWidth, f.Seed * 31 + rows);
        var whole = Eager(model, f, xs, rows);
        // Rows that leave each other alone (MixesBatchRows false) give the same outputs in chunks of 5 rows.
        if (!model.MixesBatchRows && Compare(whole, model.Predict(xs, batchSize: 5), "Predict in chunks of 5 rows of a model that does not mix rows") is { } chunked)
            return new Outcome(chunked, false, false);
        var changed = (float[])xs.Clone();
        for (int i = 0; i < f.InputWidth; i++) changed[i] += 0.5f;
        var other = Eager(model, f, changed, rows);
        int m = model.OutputWidth;
        bool rowsMoved = Enumerable.Range(m, (rows - 1) * m).Any(i => Math.Abs(other[i] - whole[i]) > 1e-4 * (1 + Math.Abs(whole[i])));
        if (rowsMoved && !model.MixesBatchRows) return new Outcome("changing row 0 changes the other rows' eager outputs, but MixesBatchRows is false", false, false);

        var targets = GeneratedModelTests.Data(rows * m, f.Seed + 7);
        float loss = model.ComputeGradients(xs, targets);
        double expected = Loss(whole, targets);
        if (!(Math.Abs(loss - expected) <= 1e-4 * Math.Abs(expected) + 1e-6)) return new Outcome($"ComputeGradients' loss {loss}, the eager output's {expected}", model.MixesBatchRows, false);
        if (!f.Smooth) return new Outcome(null, model.MixesBatchRows, false);
        return new Outcome(DirectionalDerivative(model, f, xs, targets), model.MixesBatchRows, true);
    }

    /// <summary>
    /// The compiled gradient along a random direction d against central differences of the eager loss along d, in
    /// double from the float outputs (a float forward's noise rules out gradcheck's 1e-6 step; 1e-3 keeps it small).
    /// </summary>
    private static string? DirectionalDerivative(CompiledModel<float> model, FuzzedForward f, float[] x, float[] targets)
    {
        var random = new SeededRandom((ulong)f.Seed + 99);
        var direction = model.Weights.Select(p => Enumerable.Range(0, p.Length).Select(_ => random.NextDouble() < 0.5 ? -1f : 1f).ToArray()).ToArray();
        double analytic = 0, scale = 0;
        for (int p = 0; p < direction.Length; p++)
            for (int i = 0; i < direction[p].Length; i++)
            {
                analytic += model.Weights[p].Gradient[i] * direction[p][i];
                scale += Math.Abs(model.Weights[p].Gradient[i]);
            }
        const float eps = 1e-3f;
        var saved = model.Weights.Select(p => (float[])p.Data.Clone()).ToArray();
        double Shifted(float step)
        {
            for (int p = 0; p < direction.Length; p++)
                for (int i = 0; i < direction[p].Length; i++) model.Weights[p].Data[i] = saved[p][i] + step * direction[p][i];
            return Loss(Eager(model, f, x, x.Length / f.InputWidth), targets);
        }
        double numeric = (Shifted(eps) - Shifted(-eps)) / (2.0 * eps);
        for (int p = 0; p < saved.Length; p++) saved[p].CopyTo(model.Weights[p].Data, 0);
        return Math.Abs(numeric - analytic) <= 1e-4 + 1e-2 * scale ? null
            : $"the gradient along a random direction is {analytic}, central differences of the eager loss give {numeric} (Σ|g| = {scale})";
    }

    private static float[] Eager(CompiledModel model, FuzzedForward f, float[] x, int batch)
        => LoadedModels.Call(model, new Tensor([batch, .. f.InputShape], (float[])x.Clone())).Data;

    private static double Loss(float[] output, float[] targets) => output.Select((y, i) => ((double)y - targets[i]) * ((double)y - targets[i])).Sum() / output.Length;

    private static string? Compare(float[] expected, float[] actual, string what)
    {
        if (expected.Length != actual.Length) return $"{what}: {actual.Length} values, the eager call {expected.Length}";
        double scale = expected.Max(v => Math.Abs((double)v)) + 1e-6;
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale))
                return $"{what}: [{i}] is {actual[i]}, the eager call gives {expected[i]} (scale {scale})";
        return null;
    }
}
