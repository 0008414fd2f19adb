using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;

namespace GraphGen.Ilgpu;

/// <summary>
/// The runtime's own ILGPU kernels, beside a model's generated ones: GEMM (where cuBLAS is not used), the mean of the
/// per-row losses, and the gather of a shuffled batch out of a training set held on the device. Each is a static
/// method over <see cref="ArrayView{T}"/>s that ILGPU compiles for the accelerator (on its CPU accelerator it runs
/// as .NET code on emulated group threads). Layouts are <see cref="Cpu.GemmLayout"/>'s values.
/// </summary>
internal static class IlgpuKernels
{
    internal const int NN = 0, TN = 1, NT = 2;
    /// <summary>Threads of the one group that sums the per-row losses on a GPU (a power of two).</summary>
    internal const int MeanThreads = 256;

    /// <summary>C = op(A)·op(B), one thread per output: index.X is C's column, index.Y its row. Any m, n, k.</summary>
    public static void GemmPerOutput(Index2D index, int layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int col = index.X, row = index.Y;
        float sum = 0;
        if (layout == TN)
            for (int p = 0; p < k; p++) sum += a[(long)p * m + row] * b[(long)p * n + col];
        else if (layout == NT)
            for (int p = 0; p < k; p++) sum += a[(long)row * k + p] * b[(long)col * k + p];
        else
            for (int p = 0; p < k; p++) sum += a[(long)row * k + p] * b[(long)p * n + col];
        c[(long)row * n + col] = sum;
    }

    /// <summary>
    /// C = op(A)·op(B) in T×T tiles, T the group's side: each group stages a T×T tile of op(A) and of op(B) in shared
    /// memory (dynamic, 2·T² floats) per step of T along k, so each value is read from global memory once per tile
    /// instead of once per output. Edges are padded with zeros, so any m, n, k works. For GPUs; on ILGPU's CPU
    /// accelerator every barrier costs a thread hand-off, so there the per-output kernel is used.
    /// </summary>
    public static void GemmTiled(int layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int t = Group.DimX;
        var shared = SharedMemory.GetDynamic<float>();
        var tileA = shared.SubView(0, t * t);
        var tileB = shared.SubView(t * t, t * t);
        int tx = Group.IdxX, ty = Group.IdxY;
        int row = Grid.IdxY * t + ty, col = Grid.IdxX * t + tx;
        float sum = 0;
        for (int p0 = 0; p0 < k; p0 += t)
        {
            int pa = p0 + tx, pb = p0 + ty;
            float av = 0, bv = 0;
            if (row < m && pa < k) av = layout == TN ? a[(long)pa * m + row] : a[(long)row * k + pa];
            if (col < n && pb < k) bv = layout == NT ? b[(long)col * k + pb] : b[(long)pb * n + col];
            tileA[ty * t + tx] = av;
            tileB[ty * t + tx] = bv;
            Group.Barrier();
            for (int q = 0; q < t; q++) sum += tileA[ty * t + q] * tileB[q * t + tx];
            Group.Barrier();
        }
        if (row < m && col < n) c[(long)row * n + col] = sum;
    }

    /// <summary>
    /// result[0] = mean of values[0 .. count), in one group: each thread sums a strided share in double, then the
    /// partial sums meet in a tree in shared memory (the group's size must be a power of two, at most
    /// <see cref="MeanThreads"/>; one thread sums them all in order).
    /// </summary>
    public static void Mean(ArrayView<float> values, int count, ArrayView<float> result)
    {
        var partial = SharedMemory.Allocate<double>(MeanThreads);
        int t = Group.IdxX, threads = Group.DimX;
        double sum = 0;
        for (int i = t; i < count; i += threads) sum += values[i];
        partial[t] = sum;
        Group.Barrier();
        for (int stride = threads / 2; stride > 0; stride /= 2)
        {
            if (t < stride) partial[t] += partial[t + stride];
            Group.Barrier();
        }
        if (t == 0) result[0] = count > 0 ? (float)(partial[0] / count) : 0f;
    }

    /// <summary>destination row r = source row order[start + r], rows of <paramref name="width"/> values; one thread per value.</summary>
    public static void GatherRows<T>(Index1D index, ArrayView<T> source, ArrayView<int> order, int start, int width, ArrayView<T> destination)
        where T : unmanaged
    {
        int i = index;
        int row = i / width, col = i - row * width;
        destination[i] = source[(long)order[start + row] * width + col];
    }
}

/// <summary>The kernels of <see cref="IlgpuKernels"/> and the optimizers' updates, each loaded for one accelerator on first use.</summary>
internal sealed class IlgpuKernelSet(Accelerator accelerator)
{
    private Action<AcceleratorStream, Index2D, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _gemmPerOutput;
    private Action<AcceleratorStream, KernelConfig, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _gemmTiled;
    private Action<AcceleratorStream, KernelConfig, ArrayView<float>, int, ArrayView<float>>? _mean;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>>? _gatherFloat;
    private Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>, int, int, ArrayView<int>>? _gatherInt;

    public Accelerator Accelerator { get; } = accelerator;
    public AcceleratorStream Stream => Accelerator.DefaultStream;
    /// <summary>ILGPU's CPU accelerator: group threads are OS threads, so kernels with barriers run as one thread per group.</summary>
    public bool IsCpu { get; } = accelerator is CPUAccelerator;
    public IlgpuUpdateKernels Updates => field ??= new IlgpuUpdateKernels(Accelerator);

    public void GemmPerOutput(int layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
        => (_gemmPerOutput ??= Accelerator.LoadAutoGroupedKernel<Index2D, int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
            IlgpuKernels.GemmPerOutput))(Stream, new Index2D(n, m), layout, m, n, k, a, b, c);

    /// <summary>The tiled GEMM with <paramref name="tile"/>² threads per group (at most the accelerator's group size).</summary>
    public void GemmTiled(int tile, int layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        _gemmTiled ??= Accelerator.LoadKernel<int, int, int, int, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuKernels.GemmTiled);
        var config = new KernelConfig(new Index2D((n + tile - 1) / tile, (m + tile - 1) / tile), new Index2D(tile, tile),
            SharedMemoryConfig.RequestDynamic<float>(2 * tile * tile));
        _gemmTiled(Stream, config, layout, m, n, k, a, b, c);
    }

    public void Mean(ArrayView<float> values, int count, ArrayView<float> result)
    {
        _mean ??= Accelerator.LoadKernel<ArrayView<float>, int, ArrayView<float>>(IlgpuKernels.Mean);
        int threads = IsCpu ? 1 : Math.Min(IlgpuKernels.MeanThreads, FloorPowerOfTwo(Accelerator.MaxNumThreadsPerGroup));
        _mean(Stream, new KernelConfig(new Index1D(1), new Index1D(threads)), values, count, result);
    }

    public void Gather(ArrayView<float> source, ArrayView<int> order, int start, int rows, int width, ArrayView<float> destination)
    {
        if (rows == 0 || width == 0) return;
        (_gatherFloat ??= Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<int>, int, int, ArrayView<float>>(
            IlgpuKernels.GatherRows<float>))(Stream, new Index1D(rows * width), source, order, start, width, destination);
    }

    public void Gather(ArrayView<int> source, ArrayView<int> order, int start, int rows, int width, ArrayView<int> destination)
    {
        if (rows == 0 || width == 0) return;
        (_gatherInt ??= Accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>, int, int, ArrayView<int>>(
            IlgpuKernels.GatherRows<int>))(Stream, new Index1D(rows * width), source, order, start, width, destination);
    }

    private static int FloorPowerOfTwo(int value) => value <= 1 ? 1 : 1 << (31 - int.LeadingZeroCount(value));
}
