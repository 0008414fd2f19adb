using System.ComponentModel;
using GraphGen.Cpu;
using ILGPU;
using ILGPU.Runtime;

namespace GraphGen.Ilgpu;

/// <summary>
/// The device memory a placed model's <see cref="IlgpuProgram"/> runs over, and the operations its generated code
/// calls beside its own kernels: the GEMM (cuBLAS on CUDA, an ILGPU kernel of ours elsewhere), the mean of the
/// per-row partial losses, and clearing a gradient. Buffers are sized for <see cref="Capacity"/> rows.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class IlgpuStep : IDisposable
{
    public Accelerator Accelerator => throw new NotImplementedException("INTERFACE: implemented on the runtime branch");

    /// <summary>Rows every per-row buffer holds.</summary>
    public int Capacity => throw new NotImplementedException();

    /// <summary>The batch, Capacity × InputWidth values.</summary>
    public ArrayView<float> Input => throw new NotImplementedException();

    /// <summary>Float targets, Capacity × targets per sample (empty for a model with integer labels).</summary>
    public ArrayView<float> Targets => throw new NotImplementedException();

    /// <summary>Integer class labels, Capacity values (empty for a model with float targets).</summary>
    public ArrayView<int> Labels => throw new NotImplementedException();

    /// <summary>Parameter <paramref name="parameter"/>'s values (the plan's parameter order: per layer weight, then bias).</summary>
    public ArrayView<float> Value(int parameter) => throw new NotImplementedException();

    /// <summary>d loss / d parameter <paramref name="parameter"/>.</summary>
    public ArrayView<float> Gradient(int parameter) => throw new NotImplementedException();

    /// <summary>Activation buffer <paramref name="buffer"/> of the plan (<see cref="IlgpuProgram.Buffers"/>).</summary>
    public ArrayView<float> Buffer(int buffer) => throw new NotImplementedException();

    /// <summary>The loss kernel's per-row partial losses, Capacity × <see cref="IlgpuProgram.LossValuesPerRow"/>.</summary>
    public ArrayView<float> RowLosses => throw new NotImplementedException();

    /// <summary>One value: the step's mean loss, written by <see cref="MeanLoss"/>.</summary>
    public ArrayView<float> Loss => throw new NotImplementedException();

    /// <summary>C = op(A)·op(B), row-major, as <see cref="Cpu.Gemm.Multiply(GemmLayout, int, int, int, ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> lays them out.</summary>
    public void Gemm(GemmLayout layout, int m, int n, int k, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c) => throw new NotImplementedException();

    /// <summary>Loss[0] = the mean of RowLosses[0 .. count).</summary>
    public void MeanLoss(int count) => throw new NotImplementedException();

    /// <summary>Sets every value of <paramref name="view"/> to 0 (the gradient of a parameter that does not reach the loss).</summary>
    public void Clear(ArrayView<float> view) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
