using GraphGen.Training;
using ILGPU;
using ILGPU.Runtime;

namespace GraphGen.Ilgpu;

/// <summary>
/// The optimizers' update rules as ILGPU kernels, one thread per value: the same arithmetic, in the same order, as
/// their C# <see cref="IUpdateRule"/>s (Sgd, RmsProp, Adam, Adagrad), so ILGPU's CPU accelerator matches them bit for
/// bit and a GPU to rounding. Every float hyperparameter is read from device memory, <c>h</c>, which the host writes
/// once per step (<see cref="IlgpuUpdateKernels.Hyperparameters"/>: the learning rate from the schedule, Adam's
/// bias-corrected step, the decay rates): a launch's arguments are then the same every step, so a captured CUDA graph
/// could replay it. Flags are ints; a slot a variant does not use is any view, never touched.
/// </summary>
internal static class IlgpuUpdateRules
{
    /// <summary>w ← w − lr·g; h = [lr].</summary>
    public static void Sgd(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> h) => w[i] -= h[0] * g[i];

    /// <summary>v ← μv − lr·g; w ← w + v, or with Nesterov w ← w + μv − lr·g; h = [lr, μ].</summary>
    public static void SgdMomentum(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> velocity, ArrayView<float> h, int nesterov)
    {
        float lr = h[0], mu = h[1];
        float gi = g[i];
        float v = mu * velocity[i] - lr * gi;
        velocity[i] = v;
        w[i] += nesterov != 0 ? mu * v - lr * gi : v;
    }

    /// <summary>
    /// Keras's RMSprop: v ← ρv + (1 − ρ)g²; centered ā ← ρā + (1 − ρ)g and v − ā²; lr·g/√(v + ε), through m ← μm +
    /// step when μ > 0; h = [lr, ρ, μ, ε].
    /// </summary>
    public static void RmsProp(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> velocity, ArrayView<float> average,
        ArrayView<float> momentum, ArrayView<float> h, int centered)
    {
        float lr = h[0], rho = h[1], mu = h[2], epsilon = h[3];
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

    /// <summary>Adam: m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂), w ← w − α·m/(√v + ε); h = [α, β₁, β₂, ε], α the bias-corrected step.</summary>
    public static void Adam(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> momentum, ArrayView<float> velocity, ArrayView<float> h)
    {
        float alpha = h[0], beta1 = h[1], beta2 = h[2], epsilon = h[3];
        float gi = g[i];
        float m = momentum[i];
        m += (gi - m) * (1 - beta1);
        float v = velocity[i];
        v += (gi * gi - v) * (1 - beta2);
        momentum[i] = m;
        velocity[i] = v;
        w[i] -= m * alpha / (MathF.Sqrt(v) + epsilon);
    }

    /// <summary>Adagrad: a ← a + g², w ← w − lr·g/√(a + ε); h = [lr, ε].</summary>
    public static void Adagrad(Index1D i, ArrayView<float> w, ArrayView<float> g, ArrayView<float> accumulator, ArrayView<float> h)
    {
        float lr = h[0], epsilon = h[1];
        float gi = g[i];
        float a = accumulator[i] + gi * gi;
        accumulator[i] = a;
        w[i] -= lr * gi / MathF.Sqrt(a + epsilon);
    }
}

/// <summary>The update kernels loaded for one accelerator, each on first use, and launched over whole views.</summary>
internal sealed class IlgpuUpdateKernels(Accelerator accelerator)
{
    /// <summary>Floats of the hyperparameter buffer: the most any rule reads.</summary>
    public const int HyperparameterCount = 4;

    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _sgd;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _momentum;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>? _rmsProp;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _adam;
    private Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>? _adagrad;

    /// <summary>Whether <paramref name="optimizer"/> has a kernel here (the four built-in optimizers).</summary>
    public static bool Supports(Optimizer optimizer) => optimizer is Sgd or RmsProp or Adam or Adagrad;

    /// <summary>
    /// The values step <paramref name="step"/> (from 1) of <paramref name="optimizer"/> reads from its hyperparameter
    /// buffer, in the order its rule in <see cref="IlgpuUpdateRules"/> reads them; <paramref name="learningRate"/> is the
    /// step's rate from the schedule. Unused places are 0.
    /// </summary>
    public static void Hyperparameters(Optimizer optimizer, float learningRate, long step, Span<float> h)
    {
        h.Clear();
        switch (optimizer)
        {
            case Sgd s:
                (h[0], h[1]) = (learningRate, s.Momentum);
                break;
            case RmsProp r:
                (h[0], h[1], h[2], h[3]) = (learningRate, r.Rho, r.Momentum, r.Epsilon);
                break;
            case Adam a:
                (h[0], h[1], h[2], h[3]) = (a.StepSize(learningRate, step), a.Beta1, a.Beta2, a.Epsilon);
                break;
            case Adagrad d:
                (h[0], h[1]) = (learningRate, d.Epsilon);
                break;
            default:
                throw new NotSupportedException($"{optimizer.Name} has no ILGPU update kernel.");
        }
    }

    /// <summary>
    /// One step of <paramref name="optimizer"/> over <paramref name="w"/> from <paramref name="g"/>, its slots in
    /// <see cref="Optimizer.SlotNames"/> order, its hyperparameters read from <paramref name="h"/> (<see cref="Hyperparameters"/>).
    /// </summary>
    public void Apply(Optimizer optimizer, ArrayView<float> w, ArrayView<float> g, ArrayView<float>[] slots, ArrayView<float> h)
    {
        if (w.Length == 0) return;
        var stream = accelerator.DefaultStream;
        var n = new Index1D(checked((int)w.Length));
        switch (optimizer)
        {
            case Sgd { Momentum: 0 }:
                (_sgd ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuUpdateRules.Sgd))(stream, n, w, g, h);
                break;
            case Sgd s:
                (_momentum ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(IlgpuUpdateRules.SgdMomentum))(
                    stream, n, w, g, slots[0], h, s.Nesterov ? 1 : 0);
                break;
            case RmsProp r:
                // Slots in SlotNames order: velocity, average_gradient (centered), momentum (μ > 0); an unused one is the velocity, never touched.
                var average = r.Centered ? slots[1] : slots[0];
                var momentum = r.Momentum > 0 ? slots[^1] : slots[0];
                (_rmsProp ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ArrayView<float>, int>(IlgpuUpdateRules.RmsProp))(stream, n, w, g, slots[0], average, momentum, h, r.Centered ? 1 : 0);
                break;
            case Adam:
                (_adam ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(
                    IlgpuUpdateRules.Adam))(stream, n, w, g, slots[0], slots[1], h);
                break;
            case Adagrad:
                (_adagrad ??= accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(IlgpuUpdateRules.Adagrad))(
                    stream, n, w, g, slots[0], h);
                break;
            default:
                throw new NotSupportedException($"{optimizer.Name} has no ILGPU update kernel.");
        }
    }
}

/// <summary>
/// An optimizer's slots on the device, for the parameters of one <see cref="IlgpuStep"/>: one buffer per slot, the
/// trainable parameters side by side as in <see cref="IlgpuStep.TrainableValues"/>, so a step is one launch. They mirror the
/// optimizer's own arrays (<see cref="Optimizer.State"/>): uploaded from them when bound, downloaded into them by
/// <see cref="Download"/>. A <see cref="Optimizer.Reset"/> gives the optimizer new arrays, which <see cref="Mirrors"/> notices.
/// </summary>
internal sealed class IlgpuOptimizerState : IDisposable
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _buffers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _hyperparameters;
    private readonly ArrayView<float>[] _views;
    private readonly float[][][] _host;
    private readonly float[] _staging;

    public IlgpuOptimizerState(IlgpuStep step, Optimizer optimizer, IReadOnlyList<Parameter> parameters)
    {
        Optimizer = optimizer;
        _host = optimizer.BoundSlots(parameters);
        long total = step.TrainableValues.Length;
        _staging = new float[total];
        int slots = optimizer.SlotNames.Count;
        _buffers = new MemoryBuffer1D<float, Stride1D.Dense>[slots];
        _views = new ArrayView<float>[slots];
        for (int s = 0; s < slots; s++)
        {
            _buffers[s] = step.Accelerator.Allocate1D<float>(Math.Max(total, 1));
            _views[s] = _buffers[s].View.SubView(0, total);
        }
        _hyperparameters = step.Accelerator.Allocate1D<float>(IlgpuUpdateKernels.HyperparameterCount);
        Upload();
    }

    public Optimizer Optimizer { get; }

    /// <summary>Whether the device holds a step the optimizer's own arrays have not seen.</summary>
    public bool DeviceNewer { get; private set; }

    /// <summary>Whether these buffers still mirror <paramref name="optimizer"/>'s arrays (the same optimizer, not reset since).</summary>
    public bool Mirrors(Optimizer optimizer, IReadOnlyList<Parameter> parameters)
        => ReferenceEquals(optimizer, Optimizer) && ReferenceEquals(optimizer.BoundSlots(parameters), _host);

    /// <summary>The step's hyperparameters on the device, as the update kernel reads them (<see cref="IlgpuUpdateKernels.Hyperparameters"/>).</summary>
    public ArrayView<float> Hyperparameters => _hyperparameters.View;

    /// <summary>
    /// One update of every parameter: the step's hyperparameters go to the device in one copy (the only per-step
    /// values: the update's launch is the same every step), then the update kernel runs over all the parameters at once.
    /// </summary>
    public void Step(IlgpuStep step, float learningRate, long stepNumber)
    {
        Span<float> h = stackalloc float[IlgpuUpdateKernels.HyperparameterCount];
        IlgpuUpdateKernels.Hyperparameters(Optimizer, learningRate, stepNumber, h);
        IlgpuCopy.Upload(Hyperparameters, (ReadOnlySpan<float>)h);
        step.Kernels.Updates.Apply(Optimizer, step.TrainableValues, step.TrainableGradients, _views, Hyperparameters);
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
        _hyperparameters.Dispose();
    }
}
