using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Emit;

/// <summary>
/// Writes each step of a plan's sequences as ILGPU calls — a GEMM through the step (<c>s.Gemm</c>), then its epilogue
/// as a kernel of its own; every other step as a launch of a generated kernel — under the comment its C# twin carries,
/// and collects the kernels those launches need (<see cref="Methods"/>, one method for each distinct kernel: the
/// forward pass of Predict and of the training step share theirs).
/// </summary>
internal sealed partial class IlgpuKernels
{
    private const string MathF = IlgpuMath.MathF;
    /// <summary>The CPU runtime's max and min (NaN and ±0 as the CPU kernels treat them), spelled so every ILGPU backend agrees.</summary>
    private const string Order = "global::GraphGen.Cpu.TensorKernels.";
    private readonly IlgpuNames _names;
    private readonly HashSet<string> _taken;
    private readonly Dictionary<string, IlgpuKernelMethod> _byKey = new(StringComparer.Ordinal);

    public IlgpuKernels(IlgpuNames names, IEnumerable<string> taken)
    {
        _names = names;
        _taken = new HashSet<string>(taken, StringComparer.Ordinal);
    }

    /// <summary>The kernels, in the order of their first launch.</summary>
    public List<IlgpuKernelMethod> Methods { get; } = new();

    public void Emit(CodeWriter w, Kernel kernel)
    {
        foreach (string line in kernel.Math.Split('\n')) w.Line($"// {kernel.Layer}: {line}");
        switch (kernel)
        {
            case GemmKernel g:
                EmitGemm(w, g);
                break;
            case SoftmaxCrossEntropyKernel s:
                w.Line($"//   {s.Logits.Shape} → loss, {s.Probabilities.Shape}, {s.LogitGradient.Shape}");
                Launch(w, SoftmaxCrossEntropy(s), KernelEmitter.Rows(s.Logits.Shape), s.Logits, s.Targets, s.Probabilities, s.LogitGradient, "s.RowLosses", KernelEmitter.Rows(s.Logits.Shape));
                MeanLoss(w, KernelEmitter.Rows(s.Logits.Shape), "rows");
                break;
            case SigmoidCrossEntropyKernel s:
                w.Line($"//   {s.Logits.Shape} → loss, {s.Probabilities.Shape}, {s.LogitGradient.Shape}");
                Launch(w, SigmoidCrossEntropy(s), Count(s.Logits), s.Logits, s.Targets, s.Probabilities, s.LogitGradient, "s.RowLosses", KernelEmitter.Rows(s.Logits.Shape));
                MeanLoss(w, Count(s.Logits), "values");
                break;
            case RegressionLossKernel m:
                w.Line($"//   {m.Output.Shape} → loss, {m.OutputGradient.Shape}");
                Launch(w, RegressionLoss(m), Count(m.Output), m.Output, m.Targets, m.OutputGradient, "s.RowLosses", KernelEmitter.Rows(m.Output.Shape));
                MeanLoss(w, Count(m.Output), "values");
                break;
            case SoftmaxKernel s:
                w.Line($"//   {s.Logits.Shape} → {s.Probabilities.Shape}");
                Launch(w, Softmax(s), KernelEmitter.Rows(s.Logits.Shape), s.Logits, s.Probabilities);
                break;
            case ColumnSumKernel c:
                w.Line($"//   {c.Source.Shape} → {c.Destination.Shape}");
                Launch(w, ColumnSums(c), KernelEmitter.Dim(c.Columns), c.Source, c.Destination, KernelEmitter.Rows(c.Source.Shape));
                break;
            case ActivateKernel a:
                w.Line($"//   {a.Source.Shape}");
                Launch(w, Activate(a), Count(a.Destination), a.Source, a.Destination);
                break;
            case ActivationBackwardKernel b:
                w.Line($"//   {b.InputGradient.Shape}");
                Launch(w, ActivationBackward(b), Count(b.InputGradient), b.OutputGradient, b.Output, b.InputGradient);
                break;
            case DropoutKernel or BatchNormStatisticsKernel or BatchNormalizeKernel or BatchNormBackwardKernel:
                EmitRegularisation(w, kernel);
                break;
            case TensorKernel t:
                EmitTensor(w, t);
                break;
            default:
                throw new NotSupportedException($"No ILGPU lowering for {kernel.GetType().Name}.");
        }
    }

    private void EmitGemm(CodeWriter w, GemmKernel g)
    {
        string layout = g.TransposeA ? "TN" : g.TransposeB ? "NT" : "NN";
        w.Line($"//   {g.A.Shape}{(g.TransposeA ? "ᵀ" : "")}·{g.B.Shape}{(g.TransposeB ? "ᵀ" : "")} → {g.C.Shape}");
        w.Line($"s.Gemm({CpuSpelling.Cpu}GemmLayout.{layout}, m: {KernelEmitter.Dim(g.M)}, n: {KernelEmitter.Dim(g.N)}, k: {KernelEmitter.Dim(g.K)}, " +
               $"a: {_names.Local(g.A)}, b: {_names.Local(g.B)}, c: {_names.Local(g.C)});");
        var e = g.Epilogue;
        string c = _names.Local(g.C);
        if (e.Kind == EpilogueKind.BiasActivation)
        {
            string bias = _names.Local(e.Auxiliary!);
            string math = e.Activation == ActivationKind.Linear ? $"{c} += {bias}" : $"{c} = {Keras(e.Activation)}({c} + {bias})";
            LaunchWithComment(w, BiasActivation(g), Count(g.C), math, g.C, e.Auxiliary!);
        }
        else if (e.Kind == EpilogueKind.ActivationGradient && e.Activation != ActivationKind.Linear)
            LaunchWithComment(w, ActivationGradient(g), Count(g.C), $"{c} ⊙= {Keras(e.Activation)}'({_names.Local(e.Auxiliary!)})", g.C, e.Auxiliary!);
    }

    // ---- The kernels, one builder per kind of step ----

    private IlgpuKernelMethod BiasActivation(GemmKernel g)
    {
        var a = g.Epilogue.Activation;
        string n = IlgpuSize.Of(g.N).Factor, sum = $"c[i] + bias[i % {n}]";
        return Kernel(g.Layer, "Bias" + (a == ActivationKind.Linear ? "" : IlgpuMath.Name(a)), IlgpuGrid.Values,
            $"{g.Layer}: the GEMM's epilogue, c = {Keras(a, "c + bias")} with the bias broadcast over the rows of ({Rows(g.M)}, {Rows(g.N)}); a thread per value.",
            new[] { (View("float"), "c"), (View("float"), "bias") },
            a == ActivationKind.Linear ? $"c[i] += bias[i % {n}];" : $"c[i] = {IlgpuMath.Forward(a, sum)};");
    }

    private IlgpuKernelMethod ActivationGradient(GemmKernel g)
    {
        var a = g.Epilogue.Activation;
        string saved = Activations.Of(a).DerivativeFromInput ? "x" : "y";
        return Kernel(g.Layer, IlgpuMath.Name(a) + "Gradient", IlgpuGrid.Values,
            $"{g.Layer}: the backward GEMM's epilogue, c ⊙= {Keras(a)}'({saved}) through the saved {(saved == "x" ? "input" : "output")} {saved} of ({Rows(g.M)}, {Rows(g.N)}); a thread per value.",
            new[] { (View("float"), "c"), (View("float"), saved) },
            $"c[i] *= {IlgpuMath.Derivative(a, saved + "[i]")};");
    }

    private IlgpuKernelMethod Activate(ActivateKernel k)
    {
        return Kernel(k.Layer, IlgpuMath.Name(k.Activation), IlgpuGrid.Values,
            $"{k.Layer}: y = {Keras(k.Activation, "x")} over {k.Source.Shape}; a thread per value.",
            new[] { (View("float"), "x"), (View("float"), "y") },
            $"y[i] = {IlgpuMath.Forward(k.Activation, "x[i]")};");
    }

    private IlgpuKernelMethod ActivationBackward(ActivationBackwardKernel k)
    {
        string saved = Activations.Of(k.Activation).DerivativeFromInput ? "x" : "y";
        return Kernel(k.Layer, IlgpuMath.Name(k.Activation) + "Backward", IlgpuGrid.Values,
            $"{k.Layer}: dx = dy ⊙ {Keras(k.Activation)}'({saved}) over {k.InputGradient.Shape}, through the saved {(saved == "x" ? "input" : "output")} {saved}; a thread per value.",
            new[] { (View("float"), "dy"), (View("float"), saved), (View("float"), "dx") },
            $"dx[i] = dy[i] * {IlgpuMath.Derivative(k.Activation, saved + "[i]")};");
    }

    private IlgpuKernelMethod ColumnSums(ColumnSumKernel k)
    {
        string cols = IlgpuSize.Of(k.Columns).ToString();
        return Kernel(k.Layer, "ColumnSums", IlgpuGrid.Columns,
            $"{k.Layer}: sums[col] = Σ_rows source[row, col] over {k.Source.Shape}; a thread per column, so the reads of one row coalesce.",
            new[] { (View("float"), "source"), (View("float"), "sums"), ("int", "rows") },
            "float sum = 0f;",
            $"for (int r = 0; r < rows; r++) sum += source[r * {cols} + col];",
            "sums[col] = sum;");
    }

    private IlgpuKernelMethod Softmax(SoftmaxKernel k)
    {
        var body = new List<string> { Classes(k.Classes), "int row = r * classes;" };
        body.AddRange(SoftmaxBody(normalize: true));
        return Kernel(k.Layer, "Softmax", IlgpuGrid.Rows,
            $"{k.Layer}: p = softmax(z) over each row of {k.Logits.Shape}, shifted by the row's maximum so e^z cannot overflow; a thread per row.",
            new[] { (View("float"), "z"), (View("float"), "p") }, body.ToArray());
    }

    /// <summary>The row's length: a constant, or B (a softmax over the batch axis).</summary>
    private static string Classes(int classes) => classes == Shape.Batch ? "int classes = batch;" : $"const int classes = {N(classes)};";

    /// <summary>p = e^(z − max) and its sum over the row (then p /= sum when <paramref name="normalize"/>).</summary>
    private static IEnumerable<string> SoftmaxBody(bool normalize)
    {
        yield return "float max = z[row];";
        yield return $"for (int k = 1; k < classes; k++) max = {MathF}Max(max, z[row + k]);";
        yield return "float sum = 0f;";
        yield return "for (int k = 0; k < classes; k++)";
        yield return "{";
        yield return $"    p[row + k] = {MathF}Exp(z[row + k] - max);";
        yield return "    sum += p[row + k];";
        yield return "}";
        if (normalize) yield return "for (int k = 0; k < classes; k++) p[row + k] /= sum;";
    }

    private IlgpuKernelMethod SoftmaxCrossEntropy(SoftmaxCrossEntropyKernel k)
    {
        var body = new List<string> { Classes(k.Classes), "int row = r * classes;" };
        body.AddRange(SoftmaxBody(normalize: false));
        body.Add("float scale = 1f / rows;");
        string summary;
        if (k.SparseLabels)
        {
            summary = $"{k.Layer}: over each row of logits z {k.Logits.Shape}, p = softmax(z), the row's loss logsumexp(z) − z[label] " +
                "(exact where p[label] underflows) and dz = (p − onehot(label)) / rows; a thread per row.";
            body.Add("int label = labels[r];");
            body.Add("// A label outside [0, classes) makes the row's loss NaN rather than read outside the row.");
            body.Add($"rowLoss[r] = (uint)label < classes ? {MathF}Log(sum) - (z[row + label] - max) : float.NaN;");
            body.Add("for (int k = 0; k < classes; k++)");
            body.Add("{");
            body.Add("    p[row + k] /= sum;");
            body.Add("    dz[row + k] = p[row + k] * scale - (k == label ? scale : 0f);");
            body.Add("}");
        }
        else
        {
            summary = $"{k.Layer}: over each row of logits z {k.Logits.Shape} and targets t, p = softmax(z), the row's loss Σ t·(logsumexp(z) − z) " +
                "and dz = (p·Σt − t) / rows; a thread per row.";
            body.Add("float mass = 0f, dot = 0f;");
            body.Add("for (int k = 0; k < classes; k++)");
            body.Add("{");
            body.Add("    mass += t[row + k];");
            body.Add("    dot += t[row + k] * z[row + k];");
            body.Add("}");
            body.Add($"rowLoss[r] = mass * ({MathF}Log(sum) + max) - dot;");
            body.Add("for (int k = 0; k < classes; k++)");
            body.Add("{");
            body.Add("    p[row + k] /= sum;");
            body.Add("    dz[row + k] = p[row + k] * (mass * scale) - t[row + k] * scale;");
            body.Add("}");
        }
        return Kernel(k.Layer, "SoftmaxCrossEntropy", IlgpuGrid.Rows, summary,
            new[] { (View("float"), "z"), (View(k.SparseLabels ? "int" : "float"), k.SparseLabels ? "labels" : "t"), (View("float"), "p"), (View("float"), "dz"), (View("float"), "rowLoss"), ("int", "rows") },
            body.ToArray());
    }

    private IlgpuKernelMethod SigmoidCrossEntropy(SigmoidCrossEntropyKernel k)
    {
        string width = k.Logits.Shape.ElementsPerBatch.ToString(CultureInfo.InvariantCulture);
        return Kernel(k.Layer, "SigmoidCrossEntropy", IlgpuGrid.Values,
            $"{k.Layer}: over each value of logits z {k.Logits.Shape} and targets t, p = σ(z), the loss max(z, 0) − z·t + log(1 + e^−|z|) " +
            "(never overflows) and dz = (p − t) / (rows · columns); a thread per value.",
            new[] { (View("float"), "z"), (View("float"), "t"), (View("float"), "p"), (View("float"), "dz"), (View("float"), "rowLoss"), ("int", "rows") },
            $"rowLoss[i] = {MathF}Max(z[i], 0f) - z[i] * t[i] + {MathF}Log(1f + {MathF}Exp(-{MathF}Abs(z[i])));",
            $"p[i] = 1f / (1f + {MathF}Exp(-z[i]));",
            $"dz[i] = (p[i] - t[i]) * (1f / (rows * {width}));");
    }

    private IlgpuKernelMethod RegressionLoss(RegressionLossKernel k)
    {
        string width = k.Output.Shape.ElementsPerBatch.ToString(CultureInfo.InvariantCulture);
        return k.Squared
            ? Kernel(k.Layer, "MeanSquaredError", IlgpuGrid.Values,
                $"{k.Layer}: over each value of the output y {k.Output.Shape} and targets t, the loss (y − t)² and dy = 2 (y − t) / (rows · columns); a thread per value.",
                new[] { (View("float"), "y"), (View("float"), "t"), (View("float"), "dy"), (View("float"), "rowLoss"), ("int", "rows") },
                "float d = y[i] - t[i];",
                "rowLoss[i] = d * d;",
                $"dy[i] = d * (2f / (rows * {width}));")
            : Kernel(k.Layer, "MeanAbsoluteError", IlgpuGrid.Values,
                $"{k.Layer}: over each value of the output y {k.Output.Shape} and targets t, the loss |y − t| and dy = sign(y − t) / (rows · columns), 0 where y = t; a thread per value.",
                new[] { (View("float"), "y"), (View("float"), "t"), (View("float"), "dy"), (View("float"), "rowLoss"), ("int", "rows") },
                "float d = y[i] - t[i];",
                $"rowLoss[i] = {MathF}Abs(d);",
                $"dy[i] = (d > 0f ? 1f : d < 0f ? -1f : 0f) * (1f / (rows * {width}));");
    }

    // ---- Launches and names ----

    /// <summary>
    /// The kernel of that layer and body, created under "{Layer}{What}" the first time, the same method after (Predict's
    /// forward pass and the training step's share theirs). A null <paramref name="layer"/> makes a kernel of no layer,
    /// named <paramref name="what"/>, for every step with that body: the element-wise tensor ops, which bake in no size.
    /// </summary>
    private IlgpuKernelMethod Kernel(string? layer, string what, IlgpuGrid grid, string summary, (string Type, string Name)[] parameters, params string[] body)
    {
        var candidate = new IlgpuKernelMethod("", summary, grid, parameters, body);
        string key = (layer ?? "") + "\n" + candidate.Key;
        if (_byKey.TryGetValue(key, out var known)) return known;
        var method = candidate with { Name = CSharpNames.Unique((layer is null ? "" : IlgpuNames.Pascal(layer)) + what, _taken) };
        _byKey.Add(key, method);
        Methods.Add(method);
        return method;
    }

    /// <summary>A launch over <paramref name="extent"/> threads; each argument an operand (its local) or an expression.</summary>
    private void Launch(CodeWriter w, IlgpuKernelMethod kernel, string extent, params object[] arguments)
        => LaunchWithComment(w, kernel, extent, null, arguments);

    private void LaunchWithComment(CodeWriter w, IlgpuKernelMethod kernel, string extent, string? comment, params object[] arguments)
    {
        var spelled = arguments.Select(a => a is Operand o ? _names.Local(o) : (string)a);
        if (kernel.TakesBatch) spelled = spelled.Append("batch"); // the sequence method's own batch rows
        w.Line($"{kernel.Field}({extent}, {string.Join(", ", spelled)});{(comment is null ? "" : " // " + comment)}");
    }

    private static void MeanLoss(CodeWriter w, string count, string what)
        => w.Line($"s.MeanLoss({count}); // loss = the mean of the {what}' losses");

    private static string Count(Operand o) => KernelEmitter.Count(o.Shape, "batch");
    private static string View(string element) => IlgpuKernelMethod.View(element);
    private static string N(int dim) => dim.ToString(CultureInfo.InvariantCulture);
    private static string Rows(int dim) => dim == Shape.Batch ? "B" : N(dim);
    private static string Keras(ActivationKind a) => Activations.Of(a).Keras;
    private static string Keras(ActivationKind a, string x) => a == ActivationKind.Linear ? x : $"{Keras(a)}({x})";
}
