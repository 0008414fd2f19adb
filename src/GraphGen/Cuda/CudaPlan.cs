using System.ComponentModel;

namespace GraphGen.Cuda;

// Hidden from IntelliSense: the generated code builds these records (CompiledModel.CudaPlan) for the GPU executor to run;
// they are data for the runtime, not an API to call.

/// <summary>
/// A model's steps on a GPU, generated with its <c>CudaSource</c> from the same kernel plan: the device buffers, then
/// the training step and Predict as cuBLASLt GEMMs and launches of the generated kernels, in order.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CudaPlan(IReadOnlyList<CudaBuffer> Buffers, IReadOnlyList<CudaStep> Training, IReadOnlyList<CudaStep> Inference)
{
    public CudaBuffer Buffer(string name) => Buffers.FirstOrDefault(b => b.Name == name)
        ?? throw new KeyNotFoundException($"The plan has no buffer '{name}'.");
}

/// <summary>What a buffer holds: the input, the targets, an activation, a parameter, a gradient, or the per-row losses.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum CudaBufferRole { Input, Targets, Activation, Parameter, Gradient, RowLosses }
// "loss", the mean the Reduction launch writes, is a RowLosses buffer of one value.

/// <summary>
/// A device buffer: <paramref name="Width"/> values per batch row when <paramref name="PerRow"/>, else a fixed count
/// (a parameter or its gradient, in the order of the model's Weights when it is one).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CudaBuffer(string Name, CudaBufferRole Role, bool PerRow, long Width)
{
    public long Length(int batch) => PerRow ? batch * Width : Width;
}

[EditorBrowsable(EditorBrowsableState.Never)]
public abstract record CudaStep(string Layer);

/// <summary>The cuBLASLt epilogue a GEMM runs with (CUBLASLT_EPILOGUE_…).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum CudaEpilogue { Default, Bias, ReluBias, ReluAuxBias, GeluBias, GeluAuxBias, DRelu, DGelu }

/// <summary>
/// C = epilogue(op(A)·op(B)) on row-major buffers, as the C# code computes it; <see cref="CublasLtGemm"/> turns it into a
/// column-major cuBLASLt call. A dimension of -1 is the batch. <paramref name="Bias"/> is the bias for a BIAS epilogue;
/// <paramref name="Auxiliary"/> the buffer an AUX epilogue writes in the forward pass and its D-epilogue reads back.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CudaGemm(string Layer, bool TransposeA, bool TransposeB, int M, int N, int K, string A, string B, string C,
    CudaEpilogue Epilogue, string? Bias = null, string? Auxiliary = null) : CudaStep(Layer);

/// <summary>
/// How a kernel's grid covers its work: a thread per batch row, per value of (B, width), or per column; or one block of
/// 1024 threads reducing B × width values (whose count is then the last argument instead of the row count).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum CudaGrid { Rows, Values, Columns, Reduction }

/// <summary>A launch of a generated kernel over its buffers, in its parameter order (then the batch's row count).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CudaLaunch(string Layer, string Kernel, CudaGrid Grid, int Width, IReadOnlyList<string> Operands) : CudaStep(Layer);
