namespace GraphGen.Tests.Models;

// Models and functions written with the [Forward] and [Differentiable] front ends; the generator compiles them as
// part of this test project.

/// <summary>The seed's hand-written digits MLP, 64 → 100 tanh → 50 tanh → 10 softmax, as a [Forward] body.</summary>
[Model]
public sealed partial class DigitsForwardMlp
{
    [Parameter(64, 100, Init = "normal:0:0.1")] public partial Parameter W1 { get; }
    [Parameter(100)] public partial Parameter B1 { get; }
    [Parameter(100, 50, Init = "normal:0:0.1")] public partial Parameter W2 { get; }
    [Parameter(50)] public partial Parameter B2 { get; }
    [Parameter(50, 10, Init = "normal:0:0.1")] public partial Parameter W3 { get; }
    [Parameter(10)] public partial Parameter B3 { get; }

    [Forward]
    public Tensor Call([Shape(64)] Tensor x)
    {
        var h1 = Op.Tanh(Op.MatMul(x, W1) + B1);
        var h2 = Op.Tanh(Op.MatMul(h1, W2) + B2);
        return Op.Softmax(Op.MatMul(h2, W3) + B3);
    }
}

/// <summary>The perceptron logits = x·w + b, trained with the mean squared error (the diabetes regression).</summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class ForwardPerceptron
{
    [Parameter(10, 1)] public partial Parameter W { get; }
    [Parameter(1)] public partial Parameter B { get; }

    [Forward]
    public Tensor Call([Shape(10)] Tensor x) => Op.MatMul(x, W) + B;
}

/// <summary>A residual block, x + relu(x·W + b), under a softmax classifier.</summary>
[Model]
public sealed partial class ResidualNet
{
    [Parameter(12, 12, Init = "he_normal")] public partial Parameter W { get; }
    [Parameter(12, Init = "constant:0.1")] public partial Parameter B { get; }
    [Parameter(12, 4)] public partial Parameter Wout { get; }
    [Parameter(4)] public partial Parameter Bout { get; }

    [Forward]
    public Tensor Call([Shape(12)] Tensor x)
    {
        var h = x + Op.Relu(Op.MatMul(x, W) + B);
        return Op.Softmax(Op.MatMul(h, Wout) + Bout);
    }
}

/// <summary>Two inputs, an 8×8 image and a side vector of 5, flattened and concatenated.</summary>
[Model]
public sealed partial class TwoInputNet
{
    [Parameter(69, 16)] public partial Parameter W1 { get; }
    [Parameter(16)] public partial Parameter B1 { get; }
    [Parameter(16, 3)] public partial Parameter W2 { get; }
    [Parameter(3)] public partial Parameter B2 { get; }

    [Forward]
    public Tensor Call([Shape(8, 8)] Tensor image, [Shape(5)] Tensor side)
    {
        var joined = Op.Concat(Op.Reshape(image, -1, 64), side);
        var hidden = Op.Relu(Op.MatMul(joined, W1) + B1);
        return Op.Softmax(Op.MatMul(hidden, W2) + B2);
    }
}

/// <summary>
/// Every general op in one model (rank-3 broadcasting, − ⊙ /, exp, log, √, ², transpose, sum and mean over an
/// axis, constants, a concat along a middle axis), so the compiled gradient can be checked against differences.
/// </summary>
[Model(Loss = Loss.MeanSquaredError)]
public sealed partial class EveryOpNet
{
    [Parameter(6, 8, Init = "uniform:-0.5:0.5")] public partial Parameter W { get; }
    [Parameter(4, 3, Init = "uniform:-0.5:0.5")] public partial Parameter V { get; }
    [Parameter(2, 4, Init = "uniform:0.5:1.5")] public partial Parameter Scale { get; }
    [Parameter(4, Init = "uniform:0.5:1.5")] public partial Parameter Shift { get; }

    [Forward]
    public Tensor Call([Shape(6)] Tensor x)
    {
        var mixed = Op.Reshape(Op.MatMul(x, W), -1, 2, 4);         // (B, 2, 4)
        var scaled = mixed * Scale - Shift / 2f;                   // broadcasting over B and over rows
        var positive = Op.Exp(scaled * 0.5f) + Op.Square(Shift);
        var logs = Op.Log(positive) / Op.Sqrt(positive);
        var pooled = Op.Mean(logs, 1) - Op.Sum(Op.Tanh(scaled), 1) * 0.1f;   // (B, 4)
        var both = Op.Concat(Op.Reshape(pooled, -1, 1, 4), Op.Reshape(-pooled, -1, 1, 4), axis: 1); // (B, 2, 4)
        var flat = Op.Sum(both, 1);                                // (B, 4)
        return Op.MatMul(flat, Op.Transpose(Op.Transpose(V))) + 1;
    }
}

/// <summary>The seed's GradientTape examples, and a function of every op for the gradient check.</summary>
public static partial class TapeFunctions
{
    /// <summary>y = 2x + 3 on a float: dy/dx = 2.</summary>
    [Differentiable]
    public static float Line(float x) => 2 * x + 3;

    /// <summary>y = 2x + 3 on a 2×2 tensor: every dy/dx is 2.</summary>
    [Differentiable]
    public static Tensor LineOfTensor([Shape(2, 2)] Tensor x) => 2 * x + 3;

    /// <summary>y = x·W + b: dy/dW has the row sums of xᵀ in each column, dy/db = (2, 2).</summary>
    [Differentiable]
    public static Tensor Affine([Shape(2, 2)] Tensor x, [Shape(2, 2)] Tensor w, [Shape(2)] Tensor b) => Op.MatMul(x, w) + b;

    /// <summary>A scalar function of two floats that reads one twice.</summary>
    [Differentiable]
    public static float Smooth(float x, float y)
    {
        var s = Op.Tanh(x * y) + Op.Sqrt(Op.Square(x) + 1);
        s = s / (Op.Exp(y) + 2) - x;
        return s;
    }

    /// <summary>Every tensor op once, reduced to a scalar.</summary>
    [Differentiable]
    public static Tensor Mixture([Shape(3, 4)] Tensor a, [Shape(4)] Tensor v, [Shape(4, 2)] Tensor m)
    {
        var z = Op.Sigmoid(a * v - 0.5f) / (Op.Exp(-a) + 1);
        var p = Op.Softmax(Op.MatMul(z, m));
        var q = Op.Concat(p, Op.Transpose(Op.MatMul(Op.Transpose(m), Op.Transpose(z))), axis: 0);
        return Op.Sum(Op.Log(Op.Square(q) + 1)) + Op.Mean(Op.Sum(Op.Sqrt(a * a + 1), 0));
    }

    /// <summary>The ops that went in through the op table alone (Abs, Maximum, Minimum, Max), broadcasting and reduced.</summary>
    [Differentiable]
    public static Tensor Extremes([Shape(3, 4)] Tensor a, [Shape(4)] Tensor v)
    {
        var spread = Op.Sum(Op.Abs(a - v));
        var peaks = Op.Sum(Op.Max(Op.Maximum(a, v), 1)) + Op.Max(Op.Minimum(a * 2, v));
        return spread + peaks;
    }
}
