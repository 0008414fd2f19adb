namespace GraphGen;

/// <summary>Marks a partial class as a GraphGen model. The source generator compiles it into training code.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute
{
    /// <summary>The loss the model is trained with.</summary>
    public Loss Loss { get; set; } = Loss.SparseCategoricalCrossentropy;

    /// <summary>
    /// The last layer is linear and outputs logits; the cross-entropy applies softmax (or sigmoid) itself, as
    /// Keras's <c>from_logits=True</c>. Predict then returns logits.
    /// </summary>
    public bool FromLogits { get; set; }
}

/// <summary>
/// The shape of one input sample: <c>[Input(784)]</c>, features per row, or <c>[Input(28, 28, 1)]</c>, an image of
/// height, width and channels (channels last, as Keras's NHWC). Either way a sample arrives as one row of floats,
/// an image's in (row, column, channel) order.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class InputAttribute : Attribute
{
    public InputAttribute(int width)
    {
        Width = width;
        Shape = [width];
    }

    public InputAttribute(int height, int width, int channels)
    {
        Width = width;
        Shape = [height, width, channels];
    }

    /// <summary>Features per row, or an image's width in pixels.</summary>
    public int Width { get; }
    /// <summary>The sample's shape as written: (features) or (height, width, channels).</summary>
    public int[] Shape { get; }
}

/// <summary>How a window treats the border: Valid keeps only whole windows; Same pads with zeros so that output = ⌈input / stride⌉ (Keras's padding).</summary>
public enum Padding
{
    Valid = 0,
    Same = 1,
}

/// <summary>
/// A 2-D convolution over NHWC images, <c>y = activation(conv(x, W) + b)</c>, on a <c>partial Conv2DLayer</c> property:
/// <paramref name="filters"/> output channels from a square <paramref name="kernelSize"/> window (Keras's Conv2D).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class Conv2DAttribute(int filters, int kernelSize, Activation activation = Activation.Linear) : Attribute
{
    public int Filters { get; } = filters;
    public int KernelSize { get; } = kernelSize;
    public Activation Activation { get; set; } = activation;
    /// <summary>The step between windows, in both directions.</summary>
    public int Strides { get; set; } = 1;
    public Padding Padding { get; set; } = Padding.Valid;
    /// <summary>The layer's name in weight files and messages; defaults to the property name in snake_case.</summary>
    public string? Name { get; set; }
    /// <summary>How the kernel starts, by name (Keras's kernel_initializer). Default glorot_uniform.</summary>
    public string? WeightInitializer { get; set; }
    /// <summary>How b starts, by name. Default zeros.</summary>
    public string? BiasInitializer { get; set; }
}

/// <summary>The maximum over each <paramref name="poolSize"/> × <paramref name="poolSize"/> window of NHWC images, per channel, on a <c>partial Layer</c> property.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class MaxPooling2DAttribute(int poolSize = 2) : Attribute
{
    public int PoolSize { get; } = poolSize;
    /// <summary>The step between windows; unset, the pool size (Keras's default: the windows tile the image).</summary>
    public int Strides { get; set; }
    public string? Name { get; set; }
}

/// <summary>Flattens each sample to one row (height × width × channels, in that order), for a Dense layer after images; on a <c>partial Layer</c> property.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class FlattenAttribute : Attribute
{
    public string? Name { get; set; }
}

/// <summary>
/// Keras's <c>Dropout(rate)</c> on a <c>partial Layer</c> property: in training (TrainStep, Fit) each value is dropped
/// with probability <paramref name="rate"/> and the rest scaled by 1 / (1 − rate); in Predict and Evaluate it passes
/// values through. The rate is in [0, 1) (GG0119 otherwise). Masks come from the model's seed and the step's number.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DropoutAttribute(double rate) : Attribute
{
    public double Rate { get; } = rate;
    public string? Name { get; set; }
}

/// <summary>
/// Keras's <c>BatchNormalization(axis=-1)</c> on a <c>partial BatchNormalizationLayer</c> property: per channel (the
/// last axis), over the batch and every other axis. Training normalises with the batch's mean and biased variance and
/// moves the moving statistics, <c>moving = moving·Momentum + batch·(1 − Momentum)</c>; Predict and Evaluate normalise
/// with the moving statistics. Its tensors are <c>{layer}.gamma</c>, <c>.beta</c>, <c>.moving_mean</c> and
/// <c>.moving_variance</c> (the last two not trainable).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class BatchNormalizationAttribute : Attribute
{
    /// <summary>The moving averages' momentum, in [0, 1]; Keras's default 0.99.</summary>
    public double Momentum { get; set; } = 0.99;
    /// <summary>Added to the variance before its square root, &gt; 0; Keras's default 1e-3.</summary>
    public double Epsilon { get; set; } = 1e-3;
    public string? Name { get; set; }
}

/// <summary>
/// A fully connected layer, <c>y = activation(x·W + b)</c>, on a <c>partial DenseLayer</c> property.
/// Declaration order of the properties is the order of the layers.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DenseAttribute(int units, Activation activation = Activation.Linear) : Attribute
{
    public int Units { get; } = units;
    public Activation Activation { get; } = activation;

    /// <summary>The layer's name in weight files and messages; defaults to the property name in snake_case.</summary>
    public string? Name { get; set; }

    /// <summary>How W starts (Keras's kernel_initializer), by name: he_normal, uniform:-0.05:0.05, … Default glorot_uniform.</summary>
    public string? WeightInitializer { get; set; }

    /// <summary>How b starts, by name: zeros, constant:0.1, … Default zeros.</summary>
    public string? BiasInitializer { get; set; }
}

/// <summary>
/// Marks the method a model runs forward, written with <see cref="Op"/> and the model's [Parameter] properties.
/// The generator reads the body (it is never run by training) and compiles it with its gradient; calling it
/// yourself runs it eagerly on <see cref="Tensor"/>s, which gives the same values.
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class ForwardAttribute : Attribute;

/// <summary>
/// A trainable tensor of a [Forward] model, on a <c>partial Parameter</c> property: its shape and, by name, how
/// it starts (default glorot_uniform for a matrix, zeros for a vector).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class ParameterAttribute(params int[] shape) : Attribute
{
    public int[] Shape { get; } = shape;

    /// <summary>The initializer by name: he_normal, uniform:-0.05:0.05, constant:0.1, …</summary>
    public string? Init { get; set; }

    /// <summary>
    /// False for state the model keeps rather than learns (a batch normalisation's moving mean and variance, Keras's
    /// non-trainable weights): no gradient reaches it and no optimizer updates it; it is in <c>Weights</c>, weight files
    /// and checkpoints like the rest.
    /// </summary>
    public bool Trainable { get; set; } = true;
}

/// <summary>
/// The shape of a Tensor argument: per sample in a [Forward] method (the batch dimension comes first and is not
/// written), the whole shape in a [Differentiable] one.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, Inherited = false)]
public sealed class ShapeAttribute(params int[] dims) : Attribute
{
    public int[] Dims { get; } = dims;
}

/// <summary>
/// Marks a static method of floats and [Shape] tensors, written with <see cref="Op"/>, whose gradient GraphGen
/// compiles: it generates <c>{Name}Gradient(…)</c>, returning the value and the gradient with respect to each
/// argument (of the sum of the result's elements when the result is a tensor, as GradientTape does).
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class DifferentiableAttribute : Attribute;

/// <summary>Element-wise activations a layer can apply to <c>x·W + b</c>.</summary>
public enum Activation
{
    Linear = 0,
    Relu = 1,
    Tanh = 2,
    Sigmoid = 3,
    /// <summary>Only on the last layer; trained fused with cross-entropy from the logits.</summary>
    Softmax = 4,
    /// <summary>x, or 0.2·x below zero (Keras's leaky_relu).</summary>
    LeakyRelu = 5,
    /// <summary>x, or e^x − 1 below zero.</summary>
    Elu = 6,
    /// <summary>x·Φ(x), the exact (erf) form.</summary>
    Gelu = 7,
    /// <summary>log(1 + e^x).</summary>
    Softplus = 8,
}

/// <summary>Training losses. Each is the mean over the batch, as in Keras.</summary>
public enum Loss
{
    /// <summary>Integer class labels against a softmax output: mean of −log p[label] (targets are int).</summary>
    SparseCategoricalCrossentropy = 0,
    /// <summary>Float targets: mean over batch and outputs of (y − t)².</summary>
    MeanSquaredError = 1,
    /// <summary>One-hot (float) target rows against a softmax output: mean of −Σ t·log p.</summary>
    CategoricalCrossentropy = 2,
    /// <summary>Targets in [0, 1] against a sigmoid output: mean of −(t·log p + (1 − t)·log(1 − p)).</summary>
    BinaryCrossentropy = 3,
    /// <summary>Float targets: mean over batch and outputs of |y − t|.</summary>
    MeanAbsoluteError = 4,
}
