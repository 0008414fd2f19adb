using System.Text;

namespace GraphGen.Tests.Generator;

/// <summary>
/// One fuzzed [Forward] model: its class declaration (namespace <see cref="ForwardBodyFuzzer.Namespace"/>), the
/// per-sample shape of its one input, whether its body is smooth everywhere (no relu kink, so central differences
/// apply), and the ops it chains, for the failure message.
/// </summary>
public sealed record FuzzedForward(int Seed, string ClassName, string Declaration, int[] InputShape, bool Smooth, string Description)
{
    public int InputWidth => InputShape.Aggregate(1, (a, b) => a * b);
    public string FullName => ForwardBodyFuzzer.Namespace + "." + ClassName;
}

/// <summary>
/// Seeded random [Forward] bodies that put the batch dimension B where a Dense stack never does: transposed to the
/// last axis, squared into (B, B) by x·xᵀ, contracted by hᵀ·h, normalised over by a softmax, reduced over (axis 0,
/// every axis, a (B, B) value), reshaped with −1, concatenated beside itself. Every body is valid (one row of n
/// outputs per sample, a mean squared error); values stay bounded (exp reads a tanh, log and √ a square plus a
/// constant), so a compiled model can be compared with its eager call. The same seed gives the same model.
/// </summary>
public static class ForwardBodyFuzzer
{
    public const string Namespace = "BatchFuzz";
    private const int B = -1;

    private sealed class Body(Random random)
    {
        public readonly Random Random = random;
        public readonly List<(string Name, int[] Shape)> Values = new();
        public readonly List<string> Lines = new();
        public readonly List<string> Parameters = new();
        public readonly List<string> Ops = new();
        public bool Smooth = true;
        /// <summary>The input as (B, width) rows: x itself, or x reshaped when a sample is a matrix.</summary>
        public string Flat = "x";
        public int Width;

        public (string Name, int[] Shape) Current => Values[^1];

        public string Let(string op, string expression, int[] shape)
        {
            string name = "v" + Values.Count;
            Lines.Add($"var {name} = {expression};");
            Values.Add((name, shape));
            Ops.Add(op);
            return name;
        }

        public string Param(params int[] shape)
        {
            string name = "P" + Parameters.Count;
            Parameters.Add($"[Parameter({string.Join(", ", shape)}, Init = \"uniform:-0.5:0.5\")] public partial Parameter {name} {{ get; }}");
            return name;
        }

        /// <summary>An earlier value of exactly this shape, if there is one.</summary>
        public string? Same(int[] shape)
        {
            var same = Values.Where(v => v.Shape.SequenceEqual(shape)).ToList();
            return same.Count == 0 ? null : same[Random.Next(same.Count)].Name;
        }
    }

    public static FuzzedForward Create(int seed)
    {
        var body = new Body(new Random(seed));
        var random = body.Random;
        int[] input = random.Next(4) == 0 ? [random.Next(1, 4), random.Next(2, 4)] : [random.Next(1, 6)];
        body.Values.Add(("x", [B, .. input]));
        body.Width = input.Aggregate(1, (a, b) => a * b);
        if (input.Length > 1) body.Flat = body.Let("flatten", $"Op.Reshape(x, -1, {body.Width})", [B, body.Width]);

        int steps = random.Next(2, 8);
        for (int step = 0, tries = 0; step < steps && tries < 100; tries++)
            if (Step(body)) step++;
        Finish(body);

        string name = "Case" + seed;
        var declaration = new StringBuilder()
            .AppendLine("[Model(Loss = Loss.MeanSquaredError)]")
            .AppendLine($"public sealed partial class {name}")
            .AppendLine("{");
        foreach (string p in body.Parameters) declaration.AppendLine("    " + p);
        declaration.AppendLine("    [Forward]")
            .AppendLine($"    public Tensor Call([Shape({string.Join(", ", input)})] Tensor x)")
            .AppendLine("    {");
        foreach (string line in body.Lines) declaration.AppendLine("        " + line);
        declaration.AppendLine($"        return {body.Current.Name};").AppendLine("    }").AppendLine("}");
        return new FuzzedForward(seed, name, declaration.ToString(), input, body.Smooth, string.Join(" → ", body.Ops));
    }

    /// <summary>One op on the current value (and maybe an earlier one); false when the drawn op does not apply to its shape.</summary>
    private static bool Step(Body b)
    {
        var (c, shape) = b.Current;
        int rank = shape.Length;
        var random = b.Random;
        switch (random.Next(14))
        {
            case 0:
            {
                string[] smooth = ["Op.Tanh({0})", "Op.Sigmoid({0})", "Op.Exp(Op.Tanh({0}))", "Op.Log(Op.Square({0}) + 1)", "Op.Sqrt(Op.Square({0}) + 0.5f)",
                    "Op.Square(Op.Tanh({0}))", "-{0}", "Op.Gelu({0})", "Op.Softplus({0})", "Op.Elu({0})", "{0} * 0.5f + 0.25f", "2f - {0}"];
                string[] kinked = ["Op.Relu({0})", "Op.LeakyRelu({0})"];
                bool kink = random.Next(6) == 0;
                string form = kink ? kinked[random.Next(kinked.Length)] : smooth[random.Next(smooth.Length)];
                b.Smooth &= !kink;
                b.Let("unary", string.Format(form, c), shape);
                return true;
            }
            case 1:
            {
                if (b.Same(shape) is not { } e) return false;
                string[] forms = ["{0} + {1}", "{0} * {1}", "{0} - {1}", "{0} / (Op.Square({1}) + 1)"];
                b.Let("binary", string.Format(forms[random.Next(forms.Length)], c, e), shape);
                return true;
            }
            case 2:
            {
                // A parameter broadcast against the value: its trailing fixed axes, or (n, 1) across a last axis B.
                int[] trailing = shape.Reverse().TakeWhile(d => d != B).Reverse().ToArray();
                int[] p = trailing.Length > 0 ? trailing.Skip(random.Next(trailing.Length)).ToArray()
                    : rank >= 2 && shape[^2] != B ? [shape[^2], 1] : [1];
                string op = random.Next(3) switch { 0 => "+", 1 => "*", _ => "-" };
                b.Let("broadcast " + op, $"{c} {op} {b.Param(p)}", rank == 0 ? p : shape);
                return true;
            }
            case 3 when rank == 2:
                b.Let("transpose", $"Op.Transpose({c})", [shape[1], shape[0]]);
                return true;
            case 4 when rank == 2 && shape[1] != B:
            {
                int m = random.Next(1, 5);
                b.Let("·W", $"Op.MatMul({c}, {b.Param(shape[1], m)})", [shape[0], m]);
                return true;
            }
            case 5 when rank == 2 && shape[0] != B:
            {
                int m = random.Next(1, 5);
                b.Let("W·", $"Op.MatMul({b.Param(m, shape[0])}, {c})", [m, shape[1]]);
                return true;
            }
            case 6 when rank == 2:
            {
                // Contract the leading axes: hᵀ·e, over the batch when it leads (a Gram matrix, batch statistics).
                var e = b.Values.Where(v => v.Shape.Length == 2 && v.Shape[0] == shape[0]).ToList();
                var other = e[random.Next(e.Count)];
                b.Let(shape[0] == B ? "ᵀ· over B" : "ᵀ·", $"Op.MatMul(Op.Transpose({c}), {other.Name}) * 0.5f", [shape[1], other.Shape[1]]);
                return true;
            }
            case 7 when rank == 2:
            {
                // Contract the last axes: c·eᵀ, (B, B) from two batched values.
                var e = b.Values.Where(v => v.Shape.Length == 2 && v.Shape[1] == shape[1]).ToList();
                var other = e[random.Next(e.Count)];
                b.Let("·ᵀ", $"Op.MatMul({c}, Op.Transpose({other.Name}))", [shape[0], other.Shape[0]]);
                return true;
            }
            case 8 when rank == 2:
            {
                var e = b.Values.Where(v => v.Shape.Length == 2 && v.Shape[0] == shape[1]).ToList();
                if (e.Count == 0) return false;
                var other = e[random.Next(e.Count)];
                b.Let(shape[1] == B ? "· over B" : "·", $"Op.Tanh(Op.MatMul({c}, {other.Name}))", [shape[0], other.Shape[1]]);
                return true;
            }
            case 9 when rank >= 1:
                b.Let(shape[^1] == B ? "softmax over B" : "softmax", $"Op.Softmax({c})", shape);
                return true;
            case 10 when rank >= 1:
            {
                string op = random.Next(2) == 0 ? "Sum" : "Mean";
                if (random.Next(4) == 0)
                {
                    b.Let(op.ToLowerInvariant() + " all", $"Op.{op}({c})", []);
                    return true;
                }
                int axis = random.Next(rank);
                int written = random.Next(2) == 0 ? axis : axis - rank;
                b.Let($"{op.ToLowerInvariant()} axis {written}" + (shape[axis] == B ? " (B)" : ""), $"Op.{op}({c}, {written})", shape.Where((_, i) => i != axis).ToArray());
                return true;
            }
            case 11:
                return Reshape(b, c, shape);
            case 12 when rank >= 1:
            {
                var axes = Enumerable.Range(0, rank).Where(a => shape[a] != B).ToList();
                if (axes.Count == 0) return false;
                int axis = axes[random.Next(axes.Count)];
                var joined = shape.ToArray();
                joined[axis] *= 2;
                b.Let($"concat axis {axis}", $"Op.Concat({c}, Op.Tanh({c}), axis: {axis})", joined);
                return true;
            }
            case 13 when rank >= 1 && shape.Contains(B):
            {
                // Back to the input's rows: a (B, B) value weighs them, a (n, B) one is turned back.
                if (rank == 2 && shape[0] == B && shape[1] == B) b.Let("·x over B", $"Op.MatMul({c}, {b.Flat}) * 0.25f", [B, b.Width]);
                else if (rank == 2 && shape[1] == B) b.Let("transpose", $"Op.Transpose({c})", [B, shape[0]]);
                else return false;
                return true;
            }
            default:
                return false;
        }
    }

    /// <summary>Reshapes with −1: a batched value (B first, once) flattens or splits per sample; another flattens or folds.</summary>
    private static bool Reshape(Body b, string c, int[] shape)
    {
        var random = b.Random;
        if (shape.Length == 0) return false;
        if (shape[0] == B)
        {
            if (shape.Skip(1).Contains(B)) return false;
            int per = shape.Skip(1).Aggregate(1, (p, d) => p * d);
            int[] factors = Enumerable.Range(2, Math.Max(0, per - 2)).Where(f => per % f == 0).ToArray();
            int[] dims = shape.Length == 1 ? [1] : factors.Length > 0 && random.Next(2) == 0 ? [factors[random.Next(factors.Length)], 0] : [per];
            if (dims.Length == 2) dims[1] = per / dims[0];
            b.Let("reshape (B, …)", $"Op.Reshape({c}, -1, {string.Join(", ", dims)})", [B, .. dims]);
            return true;
        }
        if (shape.Contains(B)) return false;
        int count = shape.Aggregate(1, (p, d) => p * d);
        int[] divisors = Enumerable.Range(1, count).Where(f => count % f == 0).ToArray();
        int last = divisors[random.Next(divisors.Length)];
        if (random.Next(3) == 0) b.Let("reshape", $"Op.Reshape({c}, -1)", [count]);
        else b.Let("reshape", $"Op.Reshape({c}, -1, {last})", [count / last, last]);
        return true;
    }

    /// <summary>Brings the current value to (B, k) and ends with a product by a (k, m) weight: one row of m outputs per sample.</summary>
    private static void Finish(Body b)
    {
        string flat = b.Flat;
        int width = b.Width;
        for (int guard = 0; guard < 8; guard++)
        {
            var (c, shape) = b.Current;
            if (shape.Length == 2 && shape[0] == B && shape[1] != B) break;
            if (shape.Length == 2 && shape[0] == B && shape[1] == B) b.Let("·x over B", $"Op.MatMul({c}, {flat}) * 0.25f", [B, width]);
            else if (shape.Length == 2 && shape[1] == B) b.Let("transpose", $"Op.Transpose({c})", [B, shape[0]]);
            else if (shape.Length == 1 && shape[0] == B) b.Let("reshape (B, 1)", $"Op.Reshape({c}, -1, 1)", [B, 1]);
            else if (shape.Length >= 3 && shape[0] == B) b.Let("reshape (B, …)", $"Op.Reshape({c}, -1, {shape.Skip(1).Aggregate(1, (p, d) => p * d)})", [B, shape.Skip(1).Aggregate(1, (p, d) => p * d)]);
            else if (shape.Length >= 3) b.Let("reshape", $"Op.Reshape({c}, -1)", [shape.Aggregate(1, (p, d) => p * d)]);
            else if (shape.Length == 2) b.Let("x·W·", $"Op.MatMul(Op.MatMul({flat}, {b.Param(width, shape[0])}), {c})", [B, shape[1]]);
            else if (shape.Length == 1) b.Let("x·W ⊙", $"Op.MatMul({flat}, {b.Param(width, shape[0])}) * {c}", [B, shape[0]]);
            else b.Let("x·W ⊙ scalar", $"Op.MatMul({flat}, {b.Param(width, 2)}) * {c}", [B, 2]);
        }
        var (last, final) = b.Current;
        int outputs = b.Random.Next(1, 4);
        string product = $"Op.MatMul({last}, {b.Param(final[1], outputs)})";
        b.Let("output", b.Random.Next(2) == 0 ? product : $"{product} + {b.Param(outputs)}", [B, outputs]);
    }
}
