using System.ComponentModel;
using ILGPU;
using ILGPU.Runtime;

namespace GraphGen.Ilgpu;

/// <summary>
/// One model's kernel plan on an ILGPU accelerator, as the generator writes it (<c>{Model}.ilgpu.g.cs</c>): the
/// buffers it needs, its kernels (static methods over <see cref="ArrayView{T}"/>, loaded once per accelerator), and
/// the training step's and Predict's sequences of GEMMs and launches. <see cref="IlgpuStep"/> holds the device memory
/// they run over; the optimizer's update runs after <see cref="ForwardBackward"/>, on the device too.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class IlgpuProgram
{
    /// <summary>The plan's activation buffers by index: their name, and their values as a function of the batch rows.</summary>
    public abstract IReadOnlyList<IlgpuBufferSpec> Buffers { get; }

    /// <summary>Values per row of the per-row partial losses the loss kernel writes (1 for softmax cross-entropy, the columns for an element-wise loss).</summary>
    public abstract int LossValuesPerRow { get; }

    /// <summary>Loads every kernel for <paramref name="accelerator"/>; called once when a model is placed on it.</summary>
    public abstract void Load(Accelerator accelerator);

    /// <summary>
    /// Forward, loss and backward over the first <paramref name="batch"/> rows of <see cref="IlgpuStep.Input"/>: every
    /// parameter's gradient into <see cref="IlgpuStep.Gradient"/>, the mean loss into <see cref="IlgpuStep.Loss"/>.
    /// </summary>
    public abstract void ForwardBackward(IlgpuStep step, int batch);

    /// <summary>The forward pass alone (Predict, Evaluate); returns the view holding the (batch, outputs) result.</summary>
    public abstract ArrayView<float> Forward(IlgpuStep step, int batch);

    /// <summary>The model output the last <see cref="ForwardBackward"/> computed, (batch, outputs).</summary>
    public abstract ArrayView<float> TrainingOutput(IlgpuStep step, int batch);
}

/// <summary>
/// A buffer of the plan: <paramref name="Width"/> × B^<paramref name="BatchAxes"/> values, B the rows of a batch —
/// <paramref name="Width"/> per row for a (B, …) value, <paramref name="Width"/> in all for a fixed-size one, B² × the
/// rest for one with B on two axes, such as a (B, B) product over the batch.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record IlgpuBufferSpec(string Name, long Width, int BatchAxes)
{
    /// <summary>Values the buffer holds for <paramref name="rows"/> batch rows.</summary>
    public long Length(int rows)
    {
        long length = Width;
        for (int axis = 0; axis < BatchAxes; axis++) length = checked(length * rows);
        return length;
    }
}
