using System;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>How a dropout kernel runs: the training mask forward or backward, or Predict's identity (Keras's <c>training=False</c>).</summary>
internal enum DropoutMode { Forward, Backward, Identity }

/// <summary>
/// Destination = Source ⊙ mask / (1 − rate) (Forward, Backward: the mask of (model seed, step, <paramref name="Stream"/>)),
/// or a copy of Source (Identity, in Predict).
/// </summary>
internal sealed record DropoutKernel(string Layer, string Math, DropoutMode Mode, Operand Source, Operand Destination, double Rate, int Stream) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Source, Destination };
    public override Operand[] Writes => new[] { Destination };
    public override Kernel Map(Func<Operand, Operand> map) => this with { Source = map(Source), Destination = map(Destination) };
}

/// <summary>
/// A batch normalisation's (2, C) statistics (mean, 1/√(var + ε)): in training the batch's, with the moving averages
/// updated in place (<c>moving = moving·momentum + batch·(1 − momentum)</c>, as Keras); in inference the moving averages'.
/// </summary>
internal sealed record BatchNormStatisticsKernel(string Layer, string Math, bool Training, Operand Input, Operand MovingMean, Operand MovingVariance,
    Operand Statistics, double Momentum, double Epsilon) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Input, MovingMean, MovingVariance, Statistics };
    public override Operand[] Writes => Training ? new[] { Statistics, MovingMean, MovingVariance } : new[] { Statistics };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { Input = map(Input), MovingMean = map(MovingMean), MovingVariance = map(MovingVariance), Statistics = map(Statistics) };
}

/// <summary>Output = γ ⊙ (Input − mean) ⊙ inverse + β with the statistics of <see cref="BatchNormStatisticsKernel"/>.</summary>
internal sealed record BatchNormalizeKernel(string Layer, string Math, Operand Input, Operand Statistics, Operand Gamma, Operand Beta, Operand Output)
    : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { Input, Statistics, Gamma, Beta, Output };
    public override Operand[] Writes => new[] { Output };
    public override Kernel Map(Func<Operand, Operand> map)
        => this with { Input = map(Input), Statistics = map(Statistics), Gamma = map(Gamma), Beta = map(Beta), Output = map(Output) };
}

/// <summary>
/// The fused backward pass of a training-mode batch normalisation: dβ, dγ and (when the input needs one) dx in two
/// passes over dy and x. A gradient no one needs is null.
/// </summary>
internal sealed record BatchNormBackwardKernel(string Layer, string Math, Operand OutputGradient, Operand Input, Operand Statistics, Operand Gamma,
    Operand? InputGradient, Operand? GammaGradient, Operand? BetaGradient) : Kernel(Layer, Math)
{
    public override Operand[] Operands => new[] { OutputGradient, Input, Statistics, Gamma }.Concat(Writes).ToArray();
    public override Operand[] Writes => new[] { InputGradient, GammaGradient, BetaGradient }.OfType<Operand>().ToArray();
    public override Kernel Map(Func<Operand, Operand> map) => this with
    {
        OutputGradient = map(OutputGradient), Input = map(Input), Statistics = map(Statistics), Gamma = map(Gamma),
        InputGradient = InputGradient is { } dx ? map(dx) : null, GammaGradient = GammaGradient is { } dg ? map(dg) : null,
        BetaGradient = BetaGradient is { } db ? map(db) : null,
    };
}
