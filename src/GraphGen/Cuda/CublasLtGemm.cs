using System.ComponentModel;

namespace GraphGen.Cuda;

// Hidden from IntelliSense, as the CudaPlan records it reads: the GPU executor's translation of a plan's GEMM, not a user API.

/// <summary>
/// A column-major cuBLASLt matmul, D (M × N) = epilogue(op(A)·op(B)), with leading dimensions in elements. A BIAS
/// epilogue adds a vector of length M to every column of D; an AUX buffer is M × N with leading dimension
/// <paramref name="AuxiliaryLd"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record CublasLtCall(bool TransposeA, bool TransposeB, long M, long N, long K, string A, string B, long Lda, long Ldb, long Ldc,
    CudaEpilogue Epilogue, string? Bias, string? Auxiliary, long AuxiliaryLd);

/// <summary>
/// Turns a plan's row-major GEMM into the column-major cuBLASLt call that computes it. A row-major (R × C) buffer read
/// column-major is its transpose, (C × R) with leading dimension C, so row-major C = op(A)·op(B) is column-major
/// Cᵀ = op(B)ᵀ·op(A)ᵀ: cuBLASLt's A is the plan's B and its B the plan's A, the transpose flags carry over, and D's
/// rows are C's columns, so cuBLASLt's bias (one value per row of D) is the plan's bias per unit.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CublasLtGemm
{
    public static CublasLtCall Describe(CudaGemm gemm, int batch)
    {
        ArgumentNullException.ThrowIfNull(gemm);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        long m = Size(gemm.M, batch), n = Size(gemm.N, batch), k = Size(gemm.K, batch);
        // The plan's B is stored (K × N), or (N × K) when transposed; read column-major that is (N × K) with ld N, or
        // (K × N) with ld K, which cuBLASLt then transposes. Likewise the plan's A: (K × M) with ld K, or (M × K) with ld M.
        return new CublasLtCall(gemm.TransposeB, gemm.TransposeA, n, m, k, gemm.B, gemm.A,
            Lda: gemm.TransposeB ? k : n, Ldb: gemm.TransposeA ? m : k, Ldc: n, gemm.Epilogue, gemm.Bias, gemm.Auxiliary, AuxiliaryLd: n);
    }

    private static long Size(int dimension, int batch) => dimension == -1 ? batch
        : dimension > 0 ? dimension : throw new ArgumentException($"A GEMM dimension of {dimension}: only -1 (the batch) or a positive size.");
}
