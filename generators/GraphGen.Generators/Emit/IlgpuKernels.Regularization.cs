using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Fusion;

namespace GraphGen.Generators.Emit;

/// <summary>
/// Dropout and batch normalisation as ILGPU kernels. Dropout's mask is GraphGen.Cpu.DropoutKernels' own hash of (the
/// model's seed, the step, the op's stream, the index) — Key and Draw called from the kernel, the seed and step passed
/// by the host each step (<c>s.DropoutSeed</c>, <c>s.DropoutStep</c>) — so the device drops exactly what the CPU
/// drops, and the backward pass recomputes the same mask; in inference it is a copy. Batch normalisation reads its
/// value as (rows, channels): the statistics and the backward sums are a thread per channel that adds its rows in
/// blocks of 64 in float and the blocks in double, as GraphGen.Cpu.BatchNormKernels does, so the sums agree with the
/// CPU's; the normalisation is a thread per value.
/// </summary>
internal sealed partial class IlgpuKernels
{
    private const string Dropout = "global::GraphGen.Cpu.DropoutKernels.";
    /// <summary>GraphGen.Cpu.BatchNormKernels.BlockRows: rows per block of float partial sums.</summary>
    private const int BlockRows = 64;

    private void EmitRegularisation(CodeWriter w, Kernel kernel)
    {
        switch (kernel)
        {
            case DropoutKernel d when d.Mode == DropoutMode.Identity:
                w.Line($"//   {d.Source.Shape}");
                Launch(w, Copy(), Count(d.Destination), d.Source, d.Destination);
                break;
            case DropoutKernel d:
                w.Line($"//   {d.Source.Shape}, dropout stream {d.Stream} of step s.DropoutStep");
                Launch(w, DropoutMask(d), Count(d.Destination), d.Source, d.Destination, "s.DropoutSeed", "s.DropoutStep");
                break;
            case BatchNormStatisticsKernel s when s.Training:
                w.Line($"//   {s.Input.Shape} → {s.Statistics.Shape}; the moving averages {s.MovingMean.Shape} updated in place");
                Launch(w, TrainingStatistics(s), KernelEmitter.Dim(s.Input.Shape.Last), s.Input, s.MovingMean, s.MovingVariance, s.Statistics, KernelEmitter.Rows(s.Input.Shape));
                break;
            case BatchNormStatisticsKernel s:
                w.Line($"//   {s.MovingMean.Shape}, {s.MovingVariance.Shape} → {s.Statistics.Shape}");
                Launch(w, InferenceStatistics(s), KernelEmitter.Dim(s.Input.Shape.Last), s.MovingMean, s.MovingVariance, s.Statistics);
                break;
            case BatchNormalizeKernel n:
                w.Line($"//   {n.Input.Shape}, statistics {n.Statistics.Shape} → {n.Output.Shape}");
                Launch(w, Normalize(n), Count(n.Output), n.Input, n.Statistics, n.Gamma, n.Beta, n.Output);
                break;
            case BatchNormBackwardKernel b:
                w.Line($"//   {b.OutputGradient.Shape} → {string.Join(", ", b.Writes.Select(o => o.Shape))}");
                var arguments = new object[] { b.OutputGradient, b.Input, b.Statistics, b.Gamma }
                    .Concat(new[] { b.InputGradient, b.GammaGradient, b.BetaGradient }.OfType<Operand>())
                    .Append(KernelEmitter.Rows(b.Input.Shape)).ToArray();
                Launch(w, BatchNormBackward(b), KernelEmitter.Dim(b.Input.Shape.Last), arguments);
                break;
        }
    }

    /// <summary>y = x: a reshape, or a dropout in inference. A kernel of no layer, one for every copy.</summary>
    private IlgpuKernelMethod Copy() => Kernel(null, "Copy", IlgpuGrid.Values, "y = x, the same values (a reshape, or a dropout in inference); a thread per value.",
        new[] { (View("float"), "x"), (View("float"), "y") }, "y[i] = x[i];");

    private IlgpuKernelMethod DropoutMask(DropoutKernel d)
    {
        float rate = (float)d.Rate;
        // GraphGen.Cpu.DropoutKernels' threshold: the rate as a 24-bit fraction, rounded as Math.Round does (to even).
        uint threshold = (uint)System.Math.Round(rate * (double)(1 << 24));
        string r = Literal(rate);
        return Kernel(d.Layer, "Dropout", IlgpuGrid.Values,
            $"{d.Layer}: y = x ⊙ mask / (1 − {r}) over {d.Source.Shape}, element i kept where its draw from GraphGen.Cpu.DropoutKernels' hash of (seed, step, stream {d.Stream}, i) " +
            $"is at least {threshold} (the rate · 2²⁴): the CPU's masks, and the backward pass's dx = dy ⊙ mask / (1 − {r}) through the same kernel; a thread per value.",
            new[] { (View("float"), "x"), (View("float"), "y"), ("ulong", "seed"), ("long", "step") },
            $"ulong key = {Dropout}Key(seed, step, {d.Stream.ToString(CultureInfo.InvariantCulture)});",
            $"y[i] = {Dropout}Draw(key, (int)i) >= {threshold.ToString(CultureInfo.InvariantCulture)}u ? x[i] * (1f / (1f - {r})) : 0f;");
    }

    private IlgpuKernelMethod TrainingStatistics(BatchNormStatisticsKernel s)
    {
        string channels = KernelEmitter.Dim(s.Input.Shape.Last), momentum = Literal((float)s.Momentum);
        var body = new List<string> { $"const int channels = {channels};" };
        body.AddRange(BlockSums("mean", "x[r * channels + col]"));
        body.Add("float mean = (float)(meanSum * (1.0 / rows));");
        body.AddRange(BlockSums("variance", "(x[r * channels + col] - mean) * (x[r * channels + col] - mean)"));
        body.Add("float variance = (float)(varianceSum * (1.0 / rows)); // biased, as Keras normalises with");
        body.Add($"movingMean[col] = movingMean[col] * {momentum} + mean * (1f - {momentum});");
        body.Add($"movingVariance[col] = movingVariance[col] * {momentum} + variance * (1f - {momentum});");
        body.Add("statistics[col] = mean;");
        body.Add($"statistics[channels + col] = (float)(1.0 / global::System.Math.Sqrt(variance + (double){Literal((float)s.Epsilon)}));");
        return Kernel(s.Layer, "BatchStatistics", IlgpuGrid.Columns,
            $"{s.Layer}: statistics = (mean, 1/√(var + ε)) of each channel of {s.Input.Shape} over its rows, and moving = moving·{momentum} + batch·(1 − {momentum}) " +
            "for the moving mean and variance (non-trainable state, updated in place); a thread per channel.",
            new[] { (View("float"), "x"), (View("float"), "movingMean"), (View("float"), "movingVariance"), (View("float"), "statistics"), ("int", "rows") },
            body.ToArray());
    }

    private IlgpuKernelMethod InferenceStatistics(BatchNormStatisticsKernel s)
    {
        string channels = KernelEmitter.Dim(s.Input.Shape.Last);
        return Kernel(s.Layer, "MovingStatistics", IlgpuGrid.Columns,
            $"{s.Layer}: statistics = (moving mean, 1/√(moving variance + ε)) per channel (inference: the moving averages, nothing updated); a thread per channel.",
            new[] { (View("float"), "movingMean"), (View("float"), "movingVariance"), (View("float"), "statistics") },
            "statistics[col] = movingMean[col];",
            $"statistics[{channels} + col] = (float)(1.0 / global::System.Math.Sqrt(movingVariance[col] + (double){Literal((float)s.Epsilon)}));");
    }

    private IlgpuKernelMethod Normalize(BatchNormalizeKernel n)
    {
        string channels = KernelEmitter.Dim(n.Input.Shape.Last);
        return Kernel(n.Layer, "Normalize", IlgpuGrid.Values,
            $"{n.Layer}: y = γ ⊙ (x − mean) ⊙ inverse + β over {n.Input.Shape} as rows of {channels} channels, as y = x·scale + shift " +
            "with scale = γ·inverse and shift = β − mean·scale (the CPU's form); a thread per value.",
            new[] { (View("float"), "x"), (View("float"), "statistics"), (View("float"), "gamma"), (View("float"), "beta"), (View("float"), "y") },
            $"int col = i % {channels};",
            $"float scale = gamma[col] * statistics[{channels} + col];",
            "float shift = beta[col] - statistics[col] * scale;",
            "y[i] = x[i] * scale + shift;");
    }

    private IlgpuKernelMethod BatchNormBackward(BatchNormBackwardKernel b)
    {
        string channels = KernelEmitter.Dim(b.Input.Shape.Last);
        var parameters = new List<(string, string)> { (View("float"), "dy"), (View("float"), "x"), (View("float"), "statistics"), (View("float"), "gamma") };
        if (b.InputGradient is not null) parameters.Add((View("float"), "dx"));
        if (b.GammaGradient is not null) parameters.Add((View("float"), "dGamma"));
        if (b.BetaGradient is not null) parameters.Add((View("float"), "dBeta"));
        parameters.Add(("int", "rows"));
        var body = new List<string>
        {
            $"const int channels = {channels};",
            "float mean = statistics[col], inverse = statistics[channels + col];",
        };
        body.AddRange(BlockSums("beta", "dy[r * channels + col]"));
        body.AddRange(BlockSums("gamma", "dy[r * channels + col] * ((x[r * channels + col] - mean) * inverse)"));
        body.Add("float sumDy = (float)betaSum, sumDyXHat = (float)gammaSum;");
        if (b.BetaGradient is not null) body.Add("dBeta[col] = sumDy;");
        if (b.GammaGradient is not null) body.Add("dGamma[col] = sumDyXHat;");
        if (b.InputGradient is not null)
        {
            body.Add("// dx = a·dy + b·x + c per channel, the coefficients in double as on the CPU");
            body.Add("double g = gamma[col] * (double)inverse;");
            body.Add("float a = (float)g, b = (float)(-g * inverse * sumDyXHat / rows), c = (float)(-g * sumDy / rows + g * inverse * sumDyXHat * mean / rows);");
            body.Add("for (int r = 0; r < rows; r++) dx[r * channels + col] = dy[r * channels + col] * a + (x[r * channels + col] * b + c);");
        }
        string wrote = string.Join(", ", new[] { b.BetaGradient is null ? null : "dβ = Σ dy", b.GammaGradient is null ? null : "dγ = Σ dy ⊙ x̂",
            b.InputGradient is null ? null : "dx = γ·inverse/N ⊙ (N·dy − Σ dy − x̂ ⊙ Σ dy ⊙ x̂)" }.OfType<string>());
        return Kernel(b.Layer, "BatchNormBackward", IlgpuGrid.Columns,
            $"{b.Layer}: the training-mode batch normalisation's backward pass over {b.Input.Shape} as rows of {channels} channels, x̂ = (x − mean)·inverse " +
            $"and N the rows: {wrote}; a thread per channel.",
            parameters.ToArray(), body.ToArray());
    }

    /// <summary>
    /// {name}Sum (a double) = Σ over the rows r of <paramref name="term"/>, in blocks of 64 rows summed in float and the
    /// blocks added in order in double: GraphGen.Cpu.BatchNormKernels' order, whatever the cores.
    /// </summary>
    private static IEnumerable<string> BlockSums(string name, string term)
    {
        string block = N(BlockRows);
        yield return $"double {name}Sum = 0;";
        yield return $"for (int first = 0; first < rows; first += {block})";
        yield return "{";
        yield return "    float block = 0f;";
        yield return $"    for (int r = first; r < rows && r < first + {block}; r++) block += {term};";
        yield return $"    {name}Sum += block;";
        yield return "}";
    }

    private static string Literal(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";
}
