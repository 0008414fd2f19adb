using GraphGen.Generators.Model;

namespace GraphGen.Generators.Graph;

/// <summary>
/// The operations of the IR, each with its entry in <see cref="Ops.OpTable"/> (spelling, shape rule, gradient, comment
/// text, lowering). Forward ops come from a front end; the gradient ops are what the entries' gradient rules build.
/// Every op has one output tensor.
/// </summary>
internal enum OpKind
{
    // Leaves
    Input,          // the batch of samples, (B, features)
    Target,         // labels (B) as integers, or regression targets (B, outputs)
    Parameter,      // a trainable tensor (or a [Differentiable] function's argument)
    Constant,       // a scalar number, Node.Value
    // Forward
    MatMul,         // op(A)·op(B), each optionally transposed
    BiasAdd,        // x + b, b broadcast over rows
    Activation,     // an element-wise activation, named by Node.Activation
    Softmax,        // over the last axis
    SparseCategoricalCrossentropy, // mean over rows of −log p[label]: (p, labels) → scalar
    CategoricalCrossentropy,       // mean over rows of −Σ t·log p: (p, t) → scalar
    BinaryCrossentropy,            // mean of −(t·log p + (1 − t)·log(1 − p)): (p, t) → scalar
    MeanSquaredError,              // mean of (y − t)²: (y, t) → scalar
    MeanAbsoluteError,             // mean of |y − t|: (y, t) → scalar
    // Forward, general tensors ([Forward] and [Differentiable] bodies)
    Subtract,       // a − b, NumPy broadcasting (Add broadcasts too)
    Multiply,       // a ⊙ b, broadcasting
    Divide,         // a / b, broadcasting
    Negate,         // −x
    Exp, Log, Sqrt, Square,
    Abs,            // |x|
    Maximum,        // max(a, b), broadcasting
    Minimum,        // min(a, b), broadcasting
    Transpose,      // of a matrix
    Reshape,        // the same values under another shape
    Concat,         // the inputs joined along Node.Axis
    Slice,          // Node.Shape.Dims[Axis] entries from Node.Offset along Node.Axis
    Sum,            // Σ over Node.Axis (AllAxes: over every axis, to a scalar)
    Mean,           // Sum / count
    Max,            // the maximum over Node.Axis (AllAxes: over every axis)
    // Backward
    Add,            // a + b: gradient accumulation, or a broadcasting sum from a front end
    ColumnSum,      // Σ over rows: the gradient of a broadcast bias
    ActivationGrad, // dy ⊙ act'(saved): saved is the activation's output, or its input for gelu
    SoftmaxGrad,    // y ⊙ (dy − Σ dy⊙y)
    CrossEntropyGrad, // −onehot(label) / (B p): d loss / d p
    CategoricalCrossentropyGrad, // −t / (B p)
    BinaryCrossentropyGrad,      // (p − t) / (p (1 − p) B n)
    MeanSquaredErrorGrad, // 2 (y − t) / (B·n)
    MeanAbsoluteErrorGrad, // sign(y − t) / (B·n)
    SumTo,          // Σ of dy over the axes a broadcast added, back to Node.Shape
    ExpandSum,      // dy repeated along the axis a Sum removed
    ExpandMean,     // dy / count repeated along the axis a Mean removed
    Sign,           // −1, 0 or 1 (the gradient of Abs)
    GreaterEqual,   // 1 where a ≥ b, else 0, broadcasting (the gradients of Maximum and Minimum)
    Equal,          // 1 where a == b, else 0, broadcasting (the gradient of Max)
    // Images (NHWC), each with its Node.Window
    Conv2D,         // (x (B, H, W, C), kernel (kh, kw, C, F)) → (B, outH, outW, F)
    MaxPool2D,      // the maximum of each window, per channel
    Conv2DBackpropInput,  // (dy, kernel) → dx: the input's gradient
    Conv2DBackpropFilter, // (x, dy) → d kernel
    MaxPool2DGrad,  // (x, dy) → dx: dy routed to each window's argmax
    // Regularisation: training and inference differ (Fusion lowers each program's own way)
    Dropout,                // x ⊙ mask / (1 − rate) in training (Value = rate, Offset = its stream), x in inference
    DropoutGrad,            // dy ⊙ mask / (1 − rate), the same mask
    BatchNormStatistics,    // (2, C): mean and 1/√(var + ε) of x over every axis but the last (training: the batch's, updating the
                            // moving averages; inference: the moving ones). Inputs x, moving_mean, moving_variance; Value = momentum
    BatchNormalize,         // γ ⊙ (x − mean) ⊙ inverse + β; inputs x, statistics, γ, β
    BatchNormInputGrad,     // dx through the batch's statistics; inputs dy, x, statistics, γ
    BatchNormGammaGrad,     // Σ dy ⊙ x̂ over every axis but the last; inputs dy, x, statistics
    BatchNormBetaGrad,      // Σ dy over every axis but the last; inputs dy, statistics
}

/// <summary>
/// One node of the graph: an op, its inputs (node ids), its static shape, and names for the generated code.
/// <paramref name="Activation"/> says which function an Activation or ActivationGrad node applies; <paramref name="Axis"/>,
/// <paramref name="Offset"/>, <paramref name="Value"/> and <paramref name="Window"/> (an image op's window, stride and padding) are
/// the arguments of the ops that take them (a dropout's rate in Value and its stream in Offset; a batch normalisation's
/// momentum in Value and <paramref name="Epsilon"/>).
/// <paramref name="Scope"/> names what the node belongs to in the user's code, for comments: a Dense layer, or the local or
/// return statement of a body; <paramref name="Name"/>
/// is the value's own name (a buffer or parameter name).
/// </summary>
internal sealed record Node(
    int Id,
    OpKind Op,
    EquatableArray<int> Inputs,
    Shape Shape,
    string Name,
    string Scope,
    bool TransposeA = false,
    bool TransposeB = false,
    ActivationKind Activation = ActivationKind.Linear,
    int Axis = 0,
    int Offset = 0,
    double Value = 0,
    Window? Window = null,
    double Epsilon = 0)
{
    /// <summary>The <see cref="Axis"/> of a Sum or Mean over every axis.</summary>
    public const int AllAxes = int.MinValue;

    public bool IsLeaf => Op is OpKind.Input or OpKind.Target or OpKind.Parameter or OpKind.Constant;
    public bool IsLoss => System.Linq.Enumerable.Any(Ops.Losses.All, l => l.Op == Op);
}
