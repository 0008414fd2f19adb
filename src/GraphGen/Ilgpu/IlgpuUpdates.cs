using GraphGen.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GraphGen.Ilgpu;

/// <summary>
/// The optimizers' update rules as ILGPU kernels, one thread per value: the same arithmetic, in the same order, as
/// their C# <see cref="IUpdateRule"/>s (Sgd, RmsProp, Adam, Adagrad), so ILGPU's CPU accelerator matches them bit for
/// bit and a GPU to rounding. The learning rate (from the schedule) and Adam's bias-corrected step are arguments.
/// Flags are ints; a slot a variant does not use is any view, never touched.
/// </summary>
internal static class IlgpuUpdateRules
{
    /// <summary>w ← w − lr·g.</summary>
    public static void Sgd(Index1D i, ArrayView<float> w, ArrayView<float> g, float lr) => w[i] -= lr * g[i];

    /// <summary>v ← μv − lr·g; w ← w + v, or with Nesterov w ← w + μv − lr·g.</summary>
    public static void SgdMomentum(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> velocity, float lr, float mu, int nesterov)
    {
        float gi = g[i];
        float v = mu * velocity[i] - lr * gi;
        velocity[i] = v;
        w[i] += nesterov != 0 ? mu * v - lr * gi : v;
    }

    /// <summary>Keras's RMSprop: v ← ρv + (1 − ρ)g²; centered ā ← ρā + (1 − ρ)g and v − ā²; lr·g/√(v + ε), through m ← μm + step when μ > 0.</summary>
    public static void RmsProp(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> velocity, ArrayView<float> average,
        ArrayView<float> momentum, float lr, float rho, float mu, float epsilon, int centered)
    {
        float gi = g[i];
        float v = rho * velocity[i] + (1 - rho) * gi * gi;
        velocity[i] = v;
        float denominator = v + epsilon;
        if (centered != 0)
        {
            float a = rho * average[i] + (1 - rho) * gi;
            average[i] = a;
            denominator -= a * a;
        }
        float increment = lr * gi / MathF.Sqrt(denominator);
        if (mu > 0)
        {
            float m = mu * momentum[i] + increment;
            momentum[i] = m;
            w[i] -= m;
        }
        else w[i] -= increment;
    }

    /// <summary>Adam: m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂), w ← w − α·m/(√v + ε), α the bias-corrected step.</summary>
    public static void Adam(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> momentum, ArrayView<float> velocity,
        float alpha, float beta1, float beta2, float epsilon)
    {
        float gi = g[i];
        float m = momentum[i];
        m += (gi - m) * (1 - beta1);
        float v = velocity[i];
        v += (gi * gi - v) * (1 - beta2);
        momentum[i] = m;
        velocity[i] = v;
        w[i] -= m * alpha / (MathF.Sqrt(v) + epsilon);
    }

    /// <summary>Adagrad: a ← a + g², w ← w − lr·g/√(a + ε).</summary>
    public static void Adagrad(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> accumulator, float lr, float epsilon)
    {
        float gi = g[i];
        float a = accumulator[i] + gi * gi;
        accumulator[i] = a;
        w[i] -= lr * gi / MathF.Sqrt(a + epsilon);
    }
}

/// <summary>The update kernels loaded for one accelerator, each on first use, and launched over whole views.</summary>
internal sealed class IlgpuUpdateKernels(Accelerator accelerator)
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, float>? _sgd;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, int>? _momentum;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, int>? _rmsProp;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float>? _adam;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>? _adagrad;

    /// <summary>Whether <paramref name="optimizer"/> has a kernel here (the four built-in optimizers).</summary>
    public static bool Supports(Optimizer optimizer) => optimizer is Sgd or RmsProp or Adam or Adagrad;

    /// <summary>
    /// One step of <paramref name="optimizer"/> over <paramref name="w"/> from <paramref name="g"/>, its slots in
    /// <see cref="Optimizer.SlotNames"/> order; <paramref name="learningRate"/> is the step's rate, <paramref name="step"/> counts from 1.
    /// </summary>
    public void Apply(Optimizer optimizer, ArrayView<float> w, ArrayView<float> g, ArrayView<float>[] slots, float learningRate, long step)
    {
        if (w.Length == 0) return;
        var stream = accelerator.DefaultStream;
        var n = new Index1D(checked((int)w.Length));
        switch (optimizer)
        {
            case Sgd { Momentum: 0 }:
                (_sgd ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, float>(IlgpuUpdateRules.Sgd))(stream, n, w, g, learningRate);
                break;
            case Sgd s:
                (_momentum ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, int>(IlgpuUpdateRules.SgdMomentum))(
                    stream, n, w, g, slots[0], learningRate, s.Momentum, s.Nesterov ? 1 : 0);
                break;
            case RmsProp r:
                // Slots in SlotNames order: velocity, average_gradient (centered), momentum (μ > 0); an unused one is the velocity, never touched.
                var average = r.Centered ? slots[1] : slots[0];
                var momentum = r.Momentum > 0 ? slots[^1] : slots[0];
                (_rmsProp ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    float, float, float, float, int>(IlgpuUpdateRules.RmsProp))(stream, n, w, g, slots[0], average, momentum, learningRate, r.Rho, r.Momentum, r.Epsilon, r.Centered ? 1 : 0);
                break;
            case Adam a:
                (_adam ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float>(
                    IlgpuUpdateRules.Adam))(stream, n, w, g, slots[0], slots[1], a.StepSize(learningRate, step), a.Beta1, a.Beta2, a.Epsilon);
                break;
            case Adagrad d:
                (_adagrad ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float>(IlgpuUpdateRules.Adagrad))(
                    stream, n, w, g, slots[0], learningRate, d.Epsilon);
                break;
            default:
                throw new NotSupportedException($"{optimizer.Name} has no ILGPU update kernel.");
        }
    }
}

/// <summary>
/// An optimizer's slots on the device, for the parameters of one <see cref="IlgpuStep"/>: one buffer per slot, the
/// parameters side by side as in <see cref="IlgpuStep.AllValues"/>, so a step is one launch. They mirror the
/// optimizer's own arrays (<see cref="Optimizer.State"/>): uploaded from them when bound, downloaded into them by
/// <see cref="Download"/>. A <see cref="Optimizer.Reset"/> gives the optimizer new arrays, which <see cref="Mirrors"/> notices.
/// </summary>
internal sealed class IlgpuOptimizerState : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _buffers;
    private readonly ArrayView<float>[] _views;
    private readonly float[][][] _host;
    private readonly float[] _staging;

    public IlgpuOptimizerState(IlgpuStep step, Optimizer optimizer, IReadOnlyList<Parameter> parameters)
    {
        Optimizer = optimizer;
        _host = optimizer.BoundSlots(parameters);
        long total = step.AllValues.Length;
        _staging = new float[total];
        int slots = optimizer.SlotNames.Count;
        _buffers = new MemoryBuffer1D<float, Stride1D.Dense>[slots];
        _views = new ArrayView<float>[slots];
        for (int s = 0; s < slots; s++)
        {
            _buffers[s] = step.Accelerator.Allocate1D<float>(Math.Max(total, 1));
            _views[s] = _buffers[s].View.SubView(0, total);
        }
        Upload();
    }

    public Optimizer Optimizer { get; }

    /// <summary>Whether the device holds a step the optimizer's own arrays have not seen.</summary>
    public bool DeviceNewer { get; private set; }

    /// <summary>Whether these buffers still mirror <paramref name="optimizer"/>'s arrays (the same optimizer, not reset since).</summary>
    public bool Mirrors(Optimizer optimizer, IReadOnlyList<Parameter> parameters)
        => ReferenceEquals(optimizer, Optimizer) && ReferenceEquals(optimizer.BoundSlots(parameters), _host);

    public void Step(IlgpuStep step, float learningRate, long stepNumber)
    {
        step.Kernels.Updates.Apply(Optimizer, step.AllValues, step.AllGradients, _views, learningRate, stepNumber);
        DeviceNewer = true;
    }

    /// <summary>The optimizer's arrays → the device.</summary>
    public void Upload()
    {
        for (int s = 0; s < _views.Length; s++)
        {
            long offset = 0;
            foreach (var parameter in _host)
            {
                parameter[s].CopyTo(_staging, offset);
                offset += parameter[s].Length;
            }
            IlgpuCopy.Upload(_views[s], _staging);
        }
        DeviceNewer = false;
    }

    /// <summary>The device → the optimizer's arrays, when it holds newer values.</summary>
    public void Download()
    {
        if (!DeviceNewer) return;
        for (int s = 0; s < _views.Length; s++)
        {
            IlgpuCopy.Download(_views[s], _staging);
            long offset = 0;
            foreach (var parameter in _host)
            {
                _staging.AsSpan((int)offset, parameter[s].Length).CopyTo(parameter[s]);
                offset += parameter[s].Length;
            }
        }
        DeviceNewer = false;
    }

    public void Dispose()
    {
        foreach (var buffer in _buffers) buffer.Dispose();
    }
}
