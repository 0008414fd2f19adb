using System.Runtime.InteropServices;

namespace GraphGen.Cuda.Interop;

/// <summary>
/// cuBLASLt (libcublasLt.so.13/.12/.11): the GEMMs, with the epilogues that fold a bias, an activation, the ReLU mask
/// or the bias gradient into the product. Handles and descriptors are opaque pointers.
/// </summary>
internal static unsafe partial class CublasLtApi
{
    static CublasLtApi() => NativeLibraries.EnsureRegistered();

    public const int ComputeF32 = 68;            // CUBLAS_COMPUTE_32F
    public const int ComputeF32FastTf32 = 77;    // CUBLAS_COMPUTE_32F_FAST_TF32
    public const int DataF32 = 0;                // CUDA_R_32F
    public const int OrderRow = 1;               // CUBLASLT_ORDER_ROW
    public const int OpNone = 0, OpTranspose = 1; // CUBLAS_OP_N, CUBLAS_OP_T

    // cublasLtMatmulDescAttributes_t
    public const int DescTransA = 3, DescTransB = 4, DescEpilogue = 7, DescBiasPointer = 8, DescEpilogueAuxPointer = 10, DescEpilogueAuxLd = 11;
    // cublasLtMatrixLayoutAttribute_t
    public const int LayoutOrder = 1;
    // cublasLtMatmulPreferenceAttributes_t
    public const int PreferenceMaxWorkspaceBytes = 1;

    /// <summary>cublasLtMatmulHeuristicResult_t: the algorithm (64 opaque bytes), its workspace, status, waves.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct HeuristicResult
    {
        public fixed ulong Algorithm[8];
        public nuint WorkspaceSize;
        public int State;
        public float WavesCount;
        public fixed int Reserved[4];
    }

    [LibraryImport(NativeLibraries.CublasLt)] public static partial nuint cublasLtGetVersion();
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtCreate(out nint handle);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtDestroy(nint handle);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulDescCreate(out nint description, int computeType, int scaleType);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulDescDestroy(nint description);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulDescSetAttribute(nint description, int attribute, void* value, nuint size);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatrixLayoutCreate(out nint layout, int type, ulong rows, ulong columns, long leadingDimension);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatrixLayoutDestroy(nint layout);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatrixLayoutSetAttribute(nint layout, int attribute, void* value, nuint size);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulPreferenceCreate(out nint preference);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulPreferenceDestroy(nint preference);
    [LibraryImport(NativeLibraries.CublasLt)] public static partial int cublasLtMatmulPreferenceSetAttribute(nint preference, int attribute, void* value, nuint size);
    [LibraryImport(NativeLibraries.CublasLt)]
    public static partial int cublasLtMatmulAlgoGetHeuristic(nint handle, nint description, nint a, nint b, nint c, nint d, nint preference,
        int requested, HeuristicResult* results, out int returned);
    [LibraryImport(NativeLibraries.CublasLt)]
    public static partial int cublasLtMatmul(nint handle, nint description, void* alpha, ulong a, nint aLayout, ulong b, nint bLayout,
        void* beta, ulong c, nint cLayout, ulong d, nint dLayout, void* algorithm, ulong workspace, nuint workspaceBytes, nint stream);
}
