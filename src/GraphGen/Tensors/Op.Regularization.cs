using GraphGen.Cpu;

namespace GraphGen;

public static partial class Op
{
    /// <summary>
    /// Keras's <c>Dropout(rate)</c>: in training (TrainStep, Fit, ComputeGradients of a compiled model) each value is
    /// dropped with probability <paramref name="rate"/> and the rest scaled by 1 / (1 − rate) (inverted dropout), with
    /// masks drawn from the model's seed and the step's number, so a seed gives the same run and a checkpoint resumes
    /// it bitwise; in Predict and Evaluate it passes <paramref name="x"/> through. Called eagerly, as a Keras layer
    /// called outside <c>fit</c>, it is the inference form: <paramref name="x"/> itself (a copy). The rate is a constant
    /// in [0, 1), checked when the model compiles.
    /// </summary>
    public static Tensor Dropout(Tensor x, float rate)
    {
        ArgumentNullException.ThrowIfNull(x);
        DropoutKernels.CheckRate(rate);
        return new Tensor(x.Shape.ToArray(), x.Data.ToArray());
    }

    /// <summary>
    /// Keras's <c>BatchNormalization(axis=-1, momentum, epsilon)</c> over every axis of <paramref name="x"/> but the last
    /// (its channels: (B, C) or NHWC (B, H, W, C)): γ ⊙ (x − mean) / √(var + ε) + β, each a vector of the channels. In
    /// training the mean and the (biased) variance are the batch's, and the moving statistics — declared as
    /// <c>[Parameter(C, Trainable = false)]</c> properties, the mean starting at zeros and the variance at ones — move
    /// towards them: <c>moving = moving·momentum + batch·(1 − momentum)</c>. In Predict and Evaluate, and called eagerly
    /// (Keras's inference form), it normalises with the moving statistics and changes nothing.
    /// </summary>
    public static Tensor BatchNormalization(Tensor x, Tensor gamma, Tensor beta, Tensor movingMean, Tensor movingVariance,
        float momentum = 0.99f, float epsilon = 1e-3f)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 1) throw new ArgumentException("BatchNormalization needs a tensor with a channel axis (its last).", nameof(x));
        int channels = x.Shape[^1];
        foreach (var (tensor, name) in new[] { (gamma, nameof(gamma)), (beta, nameof(beta)), (movingMean, nameof(movingMean)), (movingVariance, nameof(movingVariance)) })
        {
            ArgumentNullException.ThrowIfNull(tensor, name);
            Tensor.CheckShape(tensor, name, [channels]);
        }
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "A moving average's momentum is in [0, 1].");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon is a positive number added to the variance.");
        var statistics = new float[2 * channels];
        BatchNormKernels.InferenceStatistics(movingMean.Data, movingVariance.Data, statistics, channels, epsilon);
        var y = new Tensor(x.Shape.ToArray());
        BatchNormKernels.Normalize(x.Data, statistics, gamma.Data, beta.Data, y.Data, x.Length / channels, channels);
        return y;
    }
}
