using GraphGen;

namespace GraphGen.Tests.Models;

// Models at the edges of what a declaration allows: widths of 1, 50 layers, a 16,384-wide layer.

/// <summary>One input, one hidden unit, one output: y = w₂·relu(w₁x + b₁) + b₂.</summary>
[Model(Loss = Loss.MeanSquaredError)]
[Input(1)]
public sealed partial class Width1Net
{
    [Dense(1, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(1)] public partial DenseLayer Output { get; }
}

/// <summary>49 tanh layers of 8 and a softmax: deep enough for every buffer plan and gradient chain to be long.</summary>
[Model]
[Input(4)]
public sealed partial class FiftyLayerNet
{
    [Dense(8, Activation.Tanh)] public partial DenseLayer L01 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L02 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L03 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L04 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L05 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L06 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L07 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L08 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L09 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L10 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L11 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L12 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L13 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L14 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L15 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L16 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L17 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L18 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L19 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L20 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L21 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L22 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L23 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L24 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L25 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L26 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L27 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L28 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L29 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L30 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L31 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L32 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L33 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L34 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L35 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L36 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L37 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L38 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L39 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L40 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L41 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L42 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L43 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L44 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L45 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L46 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L47 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L48 { get; }
    [Dense(8, Activation.Tanh)] public partial DenseLayer L49 { get; }
    [Dense(3, Activation.Softmax)] public partial DenseLayer Out { get; }
}

/// <summary>A 16,384-wide hidden layer.</summary>
[Model]
[Input(6)]
public sealed partial class Wide16kNet
{
    [Dense(16384, Activation.Relu)] public partial DenseLayer Hidden { get; }
    [Dense(4, Activation.Softmax)] public partial DenseLayer Output { get; }
}
