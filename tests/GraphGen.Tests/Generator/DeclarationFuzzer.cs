using System.Text;

namespace GraphGen.Tests.Generator;

/// <summary>What a fuzzed declaration must lead to, beyond the invariants every case keeps.</summary>
public enum FuzzExpectation
{
    /// <summary>Well-formed and within every rule: no error anywhere, one generated file per model.</summary>
    Valid,
    /// <summary>One rule broken on purpose (a GG rule the generator owns): at least one GG error.</summary>
    GeneratorError,
    /// <summary>Broken in ways C# itself may report first (half-typed code, odd types): no crash, located diagnostics.</summary>
    Anything,
}

public sealed record FuzzCase(int Seed, string Description, string[] Sources, FuzzExpectation Expectation);

/// <summary>
/// Seeded declarations for the generator fuzz test: a valid Dense or [Forward] model (or several, in one file or
/// many, in namespaces or nested types, with unicode names), then at most one mutation whose outcome is known (a GG
/// rule broken), or chaos whose outcome is not (truncation, a deleted token, a record, a generic, random attribute
/// arguments). The same seed gives the same case, so a failure names the seed that reproduces it.
/// </summary>
public static class DeclarationFuzzer
{
    private static readonly string[] Activations = ["Linear", "Relu", "Tanh", "Sigmoid", "LeakyRelu", "Elu", "Gelu", "Softplus"];
    private static readonly string[] Initializers = ["zeros", "ones", "constant:0.5", "uniform", "uniform:-0.1:0.1", "normal:0:0.05", "truncated_normal",
        "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal"];
    private static readonly string[] Names = ["Net", "Classifier", "Модель", "模型", "Ñet", "_Net2", "Réseau", "Δίκτυο", "Model_1"];
    private static readonly string[] BadInitializers = ["nope", "uniform:1", "constant:x", "normal:0:-1", "", "glorot_uniform:3"];

    public static FuzzCase Create(int seed)
    {
        var random = new Random(seed);
        int models = random.Next(10) == 0 ? random.Next(2, 4) : 1;
        var declarations = new List<string>();
        var fullNames = new HashSet<string>();
        var expectation = FuzzExpectation.Valid;
        var what = new List<string>();
        for (int i = 0; i < models; i++)
        {
            // Equal names in different namespaces are fine; in one namespace they are C#'s problem.
            string name = Pick(random, Names) + (random.Next(3) == 0 ? "" : i.ToString());
            string ns = random.Next(4) switch { 0 => "", 1 => "Fuzz", 2 => $"Fuzz.N{i}", _ => "Ünïcode.名前" };
            bool forward = random.Next(3) == 0;
            // Equal names in one namespace merge as partial classes: C#'s business, not a model's.
            if (!fullNames.Add(ns + "." + name)) expectation = Combine(expectation, FuzzExpectation.Anything);
            var (body, kind) = forward ? ForwardModel(random, name) : DenseModel(random, name);
            what.Add($"{(forward ? "forward" : "dense")} {name} in '{ns}': {kind}");
            expectation = Combine(expectation, kind == "valid" ? FuzzExpectation.Valid : kind.StartsWith("GG", StringComparison.Ordinal) ? FuzzExpectation.GeneratorError : FuzzExpectation.Anything);
            declarations.Add(Wrap(random, ns, body, ref expectation, what));
        }
        string[] sources = random.Next(2) == 0
            ? ["using GraphGen;\n" + string.Join("\n", declarations)]
            : declarations.Select(d => "using GraphGen;\n" + d).ToArray();
        // A file holds at most one file-scoped namespace, before any type.
        if (sources.Length == 1 && declarations.Count > 1 && declarations.Any(d => d.StartsWith("namespace ", StringComparison.Ordinal) && d.Contains(";\n")))
            expectation = Combine(expectation, FuzzExpectation.Anything);

        // Chaos: the case becomes half-typed code whose outcome only the invariants judge.
        switch (random.Next(8))
        {
            case 0:
                int file = random.Next(sources.Length);
                sources[file] = sources[file][..random.Next(sources[file].Length)];
                what.Add("truncated");
                expectation = FuzzExpectation.Anything;
                break;
            case 1:
                file = random.Next(sources.Length);
                sources[file] = DeleteToken(random, sources[file]);
                what.Add("a token deleted");
                expectation = FuzzExpectation.Anything;
                break;
        }
        return new FuzzCase(seed, string.Join("; ", what), sources, expectation);
    }

    private static FuzzExpectation Combine(FuzzExpectation a, FuzzExpectation b) => (FuzzExpectation)Math.Max((int)a, (int)b);

    /// <summary>A Dense model, valid or with one mutation; the kind is "valid", a GG id, or "chaos: …".</summary>
    private static (string Body, string Kind) DenseModel(Random random, string name)
    {
        int inputs = random.Next(1, 800);
        int layers = random.Next(1, 6);
        bool classify = random.Next(3) != 0;
        var units = Enumerable.Range(0, layers).Select(l => l == layers - 1 ? (classify ? random.Next(2, 12) : random.Next(1, 4)) : random.Next(1, 300)).ToArray();
        var activations = Enumerable.Range(0, layers).Select(l => l == layers - 1 ? (classify ? "Softmax" : Pick(random, ["Linear", "Relu", "Sigmoid"])) : Pick(random, Activations)).ToArray();
        var initializers = Enumerable.Range(0, layers).Select(_ => random.Next(3) == 0 ? Pick(random, Initializers) : null).ToArray();
        var names = Enumerable.Range(0, layers).Select(l => l == layers - 1 ? "Output" : $"Hidden{l}").ToArray();
        string loss = classify ? Pick(random, ["SparseCategoricalCrossentropy", "CategoricalCrossentropy"]) : Pick(random, ["MeanSquaredError", "MeanAbsoluteError"]);
        string inputAttribute = $"[Input({inputs})]";
        string modelAttribute = $"[Model(Loss = Loss.{loss})]";
        string head = "public sealed partial class";
        string kind = "valid";

        switch (random.Next(18))
        {
            case 0: units[random.Next(layers)] = -random.Next(0, 5); kind = "GG0003"; break;
            case 1: inputAttribute = $"[Input({-random.Next(0, 3)})]"; kind = "GG0004"; break;
            case 2: inputAttribute = ""; kind = "GG0005"; break;
            case 3 when layers > 1: activations[random.Next(layers - 1)] = "Softmax"; kind = "GG0006"; break;
            // Softmax is not element-wise, so MSE cannot take it; a cross-entropy needs a softmax.
            case 4: modelAttribute = classify ? "[Model(Loss = Loss.MeanSquaredError)]" : "[Model(Loss = Loss.SparseCategoricalCrossentropy)]"; kind = "GG0007"; break;
            case 5 when layers > 1: names[0] = names[^1]; kind = "chaos: duplicate layer names"; break;
            case 6: head = "public class"; kind = "GG0001"; break;
            case 7: head = Pick(random, ["public partial record", "public partial struct", "public static partial class", "public abstract partial class"]); kind = "GG0016"; break;
            case 8: initializers[random.Next(layers)] = Pick(random, BadInitializers); kind = "GG0019"; break;
            case 9: modelAttribute = $"[Model(Loss = (Loss){random.Next(50, 500)})]"; kind = "GG0013"; break;
            case 10: activations[random.Next(layers)] = $"(Activation){random.Next(40, 400)}"; kind = "GG0013"; break;
            case 11: units[random.Next(layers)] = random.Next(70_000, int.MaxValue); inputAttribute = $"[Input({random.Next(70_000, int.MaxValue)})]"; kind = "GG0014"; break;
            case 12: layers = 0; kind = "GG0002"; break;
            case 13: modelAttribute = $"[Model(Loss = {Pick(random, ["\"mse\"", "42", "null", "Loss.Nope", "typeof(int)"])})]"; kind = "chaos: a loss that is not a Loss"; break;
            case 14: inputAttribute = $"[Input({Pick(random, ["\"784\"", "1.5", "784, 2", "int.MaxValue + 1", "x"])})]"; kind = "chaos: an input that is not an int"; break;
            case 15: head = "public partial class"; name += "<T>"; kind = "GG0010"; break;
        }

        var sb = new StringBuilder();
        sb.AppendLine(modelAttribute).AppendLine(inputAttribute).AppendLine($"{head} {name}").AppendLine("{");
        for (int l = 0; l < layers; l++)
        {
            string activation = activations[l].StartsWith('(') ? activations[l] : "Activation." + activations[l];
            string init = initializers[l] is { } i ? $", WeightInitializer = \"{i}\"" : "";
            string property = random.Next(25) == 0 ? $"public DenseLayer {names[l]} {{ get; set; }}" : $"public partial DenseLayer {names[l]} {{ get; }}";
            if (property.Contains("set;")) kind = kind == "valid" ? "chaos: a layer property that is not partial" : kind;
            sb.AppendLine($"    [Dense({units[l]}, {activation}{init})] {property}");
        }
        sb.AppendLine("}");
        return (sb.ToString(), kind);
    }

    /// <summary>A [Forward] MLP over declared parameters, valid or with one shape mutated.</summary>
    private static (string Body, string Kind) ForwardModel(Random random, string name)
    {
        int inputs = random.Next(1, 100), hidden = random.Next(1, 80), outputs = random.Next(2, 10);
        int w1Rows = inputs, w2Rows = hidden, b1 = hidden, reshape = inputs;
        string kind = "valid";
        string activation = Pick(random, ["Relu", "Tanh", "Sigmoid", "Gelu", "Elu", "Softplus"]);
        string extra = "";
        switch (random.Next(10))
        {
            case 0: w2Rows = hidden + random.Next(1, 5); kind = "GG0107"; break;
            case 1 when hidden > 1: b1 = hidden + random.Next(1, 5); kind = "GG0105"; break; // (B, 1) + (n) would broadcast
            case 2: reshape = inputs + random.Next(1, 5); kind = "GG0108"; break;
            case 3: extra = "var unused = Op.Sum(h, axis: 7);"; kind = "GG0109"; break;
            case 4: extra = "var bad = System.Console.ReadLine();"; kind = "GG0101"; break;
            case 5: extra = "var ghost = h + Nowhere;"; kind = "chaos: an unknown name"; break;
        }
        string body = $$"""
            [Model(Loss = Loss.SparseCategoricalCrossentropy)]
            public sealed partial class {{name}}
            {
                [Parameter({{w1Rows}}, {{hidden}})] public partial Parameter W1 { get; }
                [Parameter({{b1}})] public partial Parameter B1 { get; }
                [Parameter({{w2Rows}}, {{outputs}})] public partial Parameter W2 { get; }
                [Parameter({{outputs}})] public partial Parameter B2 { get; }

                [Forward]
                public Tensor Call([Shape({{inputs}})] Tensor x)
                {
                    var flat = Op.Reshape(x, -1, {{reshape}});
                    var h = Op.{{activation}}(Op.MatMul(flat, W1) + B1);
                    {{extra}}
                    return Op.Softmax(Op.MatMul(h, W2) + B2);
                }
            }
            """;
        return (body, kind);
    }

    /// <summary>Puts a model in a namespace (block or file-scoped) and maybe inside enclosing types.</summary>
    private static string Wrap(Random random, string ns, string body, ref FuzzExpectation expectation, List<string> what)
    {
        switch (random.Next(8))
        {
            case 0:
                body = $"public partial class Outer\n{{\n{body}\n}}";
                what.Add("nested in a partial class");
                break;
            case 1:
                body = $"public class Closed\n{{\n{body}\n}}";
                what.Add("nested in a class that is not partial (GG0011)");
                expectation = Combine(expectation, FuzzExpectation.GeneratorError);
                break;
            case 2:
                body = $"public partial class Generic<T>\n{{\n{body}\n}}";
                what.Add("nested in a generic class");
                expectation = Combine(expectation, FuzzExpectation.Anything);
                break;
        }
        if (ns.Length == 0) return body;
        return random.Next(2) == 0 ? $"namespace {ns}\n{{\n{body}\n}}" : $"namespace {ns};\n{body}";
    }

    private static string DeleteToken(Random random, string source)
    {
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source);
        var tokens = tree.GetRoot().DescendantTokens().ToList();
        if (tokens.Count == 0) return source;
        var token = tokens[random.Next(tokens.Count)];
        return source.Remove(token.SpanStart, token.Span.Length);
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
