using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using GraphGen.Cuda;
using GraphGen.Training;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace GraphGen.Ilgpu;

/// <summary>
/// ILGPU's contexts, one per kind of accelerator, created when a model is first placed on one (so a process that
/// trains on the CPU loads neither ILGPU's runtime nor the CUDA driver).
/// </summary>
internal static class IlgpuAccelerators
{
    private static readonly Lazy<Context> s_cpu = new(() => Context.Create(builder => builder.DefaultCPU().EnableAlgorithms()));
    private static readonly Lazy<Context> s_cuda = new(() => Context.Create(builder => builder.Cuda().EnableAlgorithms()));

    /// <summary>
    /// Why ILGPU cannot run in this process, or null where it can: it builds its kernels from the IL of .NET methods
    /// while the app runs, and a NativeAOT app (PublishAot) keeps no IL and cannot load new code.
    /// </summary>
    public static string? Unsupported => RuntimeFeature.IsDynamicCodeSupported ? null :
        "ILGPU compiles its kernels from the IL of .NET methods while the app runs, which a NativeAOT app (PublishAot) " +
        "neither keeps nor can run. A NativeAOT build trains and predicts on Device.Cpu; publish without PublishAot to use ILGPU's devices.";

    /// <summary>Throws, naming <paramref name="device"/> and the reason, where <see cref="Unsupported"/> says ILGPU cannot run.</summary>
    public static void ThrowIfUnsupported(Device device)
    {
        if (Unsupported is { } reason) throw new PlatformNotSupportedException($"{device} is not available in this app: {reason}");
    }

    /// <summary>A new accelerator for <paramref name="device"/> (ILGPU's CPU accelerator, or a CUDA GPU); the caller disposes it.</summary>
    public static Accelerator Create(Device device)
    {
        ThrowIfUnsupported(device);
        switch (device.Kind)
        {
            case DeviceKind.IlgpuCpu:
                return s_cpu.Value.CreateCPUAccelerator(0);
            case DeviceKind.Cuda:
                device.Describe(); // no driver, no GPU, no such index: the driver's own clear error
                var context = s_cuda.Value;
                var gpus = context.GetCudaDevices();
                if (device.Index >= gpus.Count)
                    throw new CudaUnavailableException($"ILGPU finds {gpus.Count} CUDA device(s), so it cannot open {device}.");
                return gpus[device.Index].CreateCudaAccelerator(context);
            default:
                throw new ArgumentException($"{device} is not an ILGPU device.", nameof(device));
        }
    }
}

/// <summary>
/// A model placed on an ILGPU accelerator: its program, the step's device memory, the optimizer's slots there, and the
/// training set while Fit runs. The device holds the weights the model trains; the host's <see cref="Parameter"/>s
/// catch up only at a sync point (<see cref="SyncToHost"/>), and host changes (a load, weights handed out to be
/// edited) reach the device before its next use (<see cref="EnsureOnDevice"/>).
/// </summary>
internal sealed class IlgpuPlacement : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    /// <summary>The parameters the optimizer steps, as the CPU's TrainableWeights: the prefix of the step's values.</summary>
    private readonly Parameter[] _trainable;
    private readonly float[] _staging;
    private float[] _hostOutput = [];
    private IlgpuOptimizerState? _optimizer;
    // _deviceNewer: the device's weights are ahead of the Parameters (and _gradientsNewer its gradients); _hostNewer:
    // the Parameters may be ahead (loaded, or handed out to be edited); _slotsHandedOut: so may the optimizer's arrays.
    private bool _deviceNewer, _gradientsNewer, _hostNewer, _slotsHandedOut;
    private MemoryBuffer1D<float, Stride1D.Dense>? _setX, _setTargets;
    private MemoryBuffer1D<int, Stride1D.Dense>? _setLabels, _order;

    private IlgpuPlacement(Device device, Accelerator accelerator, IlgpuProgram program, IlgpuStep step, IReadOnlyList<Parameter> parameters)
    {
        Device = device;
        Accelerator = accelerator;
        Program = program;
        Step = step;
        _parameters = parameters;
        _trainable = parameters.Where(p => p.Trainable).ToArray();
        _staging = new float[step.AllValues.Length];
    }

    public Device Device { get; }
    public Accelerator Accelerator { get; }
    public IlgpuProgram Program { get; }
    public IlgpuStep Step { get; }
    /// <summary>Whether the targets are int class labels (<see cref="IlgpuStep.Labels"/>) rather than floats.</summary>
    public bool UsesLabels { get; private init; }

    /// <summary>Opens an accelerator for <paramref name="device"/>, loads <paramref name="program"/> on it and uploads the weights.</summary>
    public static IlgpuPlacement Create(Device device, IlgpuProgram program, IReadOnlyList<Parameter> parameters, int inputWidth, int targetWidth, bool labels)
    {
        var accelerator = IlgpuAccelerators.Create(device);
        IlgpuStep? step = null;
        try
        {
            program.Load(accelerator);
            step = new IlgpuStep(accelerator, program, inputWidth, targetWidth, labels, parameters.Select(p => p.Length).ToArray(),
                parameters.Select(p => p.Trainable).ToArray());
            var placement = new IlgpuPlacement(device, accelerator, program, step, parameters) { UsesLabels = labels };
            placement.UploadWeights();
            return placement;
        }
        catch
        {
            step?.Dispose();
            accelerator.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Called first by every device call: makes the accelerator current on this thread (a CUDA context is per thread,
    /// and a model may be placed on one thread and trained on another), then sends host changes since the last sync
    /// (loaded or handed-out weights, their optimizer state) to the device.
    /// </summary>
    public void EnsureOnDevice()
    {
        Accelerator.Bind();
        if (_hostNewer) UploadWeights();
        if (_slotsHandedOut) _optimizer?.Upload();
        (_hostNewer, _slotsHandedOut) = (false, false);
    }

    /// <summary>
    /// The device's weights and optimizer state → the host's arrays, where the device holds newer ones. With
    /// <paramref name="handOut"/> the caller may change them (the model's Weights were read), so the next device use uploads them again.
    /// </summary>
    public void SyncToHost(bool handOut = false)
    {
        if (_deviceNewer)
        {
            IlgpuCopy.Download(Step.AllValues, _staging);
            for (int i = 0; i < _parameters.Count; i++) _staging.AsSpan((int)Step.Offset(i), _parameters[i].Length).CopyTo(_parameters[i].HostData);
            _deviceNewer = false;
        }
        _optimizer?.Download();
        if (handOut) (_hostNewer, _slotsHandedOut) = (true, true);
    }

    /// <summary>The host's weights changed (loaded from a file): the device takes them before its next use.</summary>
    public void HostChanged()
    {
        _deviceNewer = false;
        _hostNewer = true;
    }

    /// <summary>The last ForwardBackward's gradients → every <see cref="Parameter.Gradient"/>, where the device holds newer ones.</summary>
    public void SyncGradientsToHost()
    {
        if (!_gradientsNewer) return;
        _gradientsNewer = false;
        IlgpuCopy.Download(Step.AllGradients, _staging);
        for (int i = 0; i < _parameters.Count; i++) _staging.AsSpan((int)Step.Offset(i), _parameters[i].Length).CopyTo(_parameters[i].HostGradient);
    }

    /// <summary>Grows the step's per-row buffers to <paramref name="rows"/>.</summary>
    public void EnsureCapacity(int rows) => Step.EnsureCapacity(rows);

    /// <summary>A batch from the host → the step's input and targets.</summary>
    public void UploadBatch<TTarget>(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets) where TTarget : unmanaged
    {
        IlgpuCopy.Upload(Step.Input, x);
        InputUploads++;
        if (UsesLabels) IlgpuCopy.Upload(Step.Labels, MemoryMarshal.Cast<TTarget, int>(targets));
        else IlgpuCopy.Upload(Step.Targets, MemoryMarshal.Cast<TTarget, float>(targets));
    }

    /// <summary>
    /// Forward, loss, backward and <paramref name="optimizer"/>'s update over the first <paramref name="batch"/> rows
    /// of the step's input, as one optimizer step of the trainable parameters; returns the mean loss (the one value
    /// read back). <paramref name="dropout"/> is the model's dropout seed and step number, which fix the step's masks.
    /// </summary>
    public float TrainStep(int batch, Optimizer optimizer, (ulong Seed, long Step) dropout)
    {
        bool onDevice = IlgpuUpdateKernels.Supports(optimizer);
        float learningRate = optimizer.BeginDeviceStep(_trainable);
        try
        {
            (Step.DropoutSeed, Step.DropoutStep) = dropout;
            Program.ForwardBackward(Step, batch);
            // A training pass moves the non-trainable state (batch normalisation's moving statistics) on the device.
            (_gradientsNewer, _deviceNewer) = (true, true);
            if (onDevice)
            {
                BindOptimizer(optimizer);
                _optimizer!.Step(Step, learningRate, optimizer.Iterations + 1);
            }
        }
        catch
        {
            optimizer.AbandonStep();
            throw;
        }
        if (onDevice) optimizer.EndDeviceStep();
        else
        {
            // An optimizer of the user's own: its C# rule on the host, between a download and an upload.
            SyncToHost();
            SyncGradientsToHost();
            optimizer.EndStep();
            UploadWeights();
        }
        return Step.ReadLoss();
    }

    /// <summary>Forward, loss and backward alone; the gradients stay on the device until <see cref="SyncGradientsToHost"/>.</summary>
    public float ForwardBackward(int batch, (ulong Seed, long Step) dropout)
    {
        (Step.DropoutSeed, Step.DropoutStep) = dropout;
        Program.ForwardBackward(Step, batch);
        (_gradientsNewer, _deviceNewer) = (true, true); // the moving statistics moved, as in TrainStep
        return Step.ReadLoss();
    }

    /// <summary>
    /// The inputs of a Predict, an Evaluate or Fit's validation data → the device, in one copy for the whole call
    /// (the caller disposes them when it ends); each chunk then runs from there (<see cref="Forward"/>).
    /// </summary>
    public IlgpuResidentInput UploadInputs(ReadOnlySpan<float> x, int inputWidth)
    {
        var buffer = Accelerator.Allocate1D<float>(Math.Max(x.Length, 1));
        IlgpuCopy.Upload<float>(buffer.View, x);
        InputUploads++;
        return new IlgpuResidentInput(buffer, inputWidth);
    }

    /// <summary>How many times a data set's inputs (a batch, a training set, a Predict's or Evaluate's inputs) went to the device: the tests count them.</summary>
    internal int InputUploads { get; private set; }

    /// <summary>
    /// The model's outputs for rows [<paramref name="start"/>, start + <paramref name="batch"/>) of inputs already on
    /// the device, into <paramref name="output"/>: the rows are copied into the step's input on the device, and only
    /// the outputs come back.
    /// </summary>
    public void Forward(IlgpuResidentInput inputs, int start, int batch, Span<float> output)
    {
        long width = inputs.Width;
        if (batch > 0) inputs.View.SubView(start * width, batch * width).CopyTo(Accelerator.DefaultStream, Step.Input.SubView(0, batch * width));
        IlgpuCopy.Download(Program.Forward(Step, batch), output);
    }

    /// <summary>The outputs for those rows, read back into a host buffer the placement keeps (valid until its next call).</summary>
    public ReadOnlySpan<float> ForwardToHost(IlgpuResidentInput inputs, int start, int batch, int outputWidth)
    {
        var output = HostOutput(batch * outputWidth);
        Forward(inputs, start, batch, output);
        return output;
    }

    /// <summary>The output of the last training step, read back into the placement's host buffer (valid until its next call).</summary>
    public ReadOnlySpan<float> TrainingOutputToHost(int batch, int outputWidth)
    {
        var output = HostOutput(batch * outputWidth);
        DownloadTrainingOutput(batch, output);
        return output;
    }

    private Span<float> HostOutput(int length)
    {
        if (_hostOutput.Length < length) _hostOutput = new float[length];
        return _hostOutput.AsSpan(0, length);
    }

    /// <summary>The output of the last training step → <paramref name="output"/>.</summary>
    public void DownloadTrainingOutput(int batch, Span<float> output) => IlgpuCopy.Download(Program.TrainingOutput(Step, batch), output);

    /// <summary>Fit's training set → the device, once per Fit (released by <see cref="ReleaseTrainingSet"/>).</summary>
    public void UploadTrainingSet<TTarget>(ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int rows) where TTarget : unmanaged
    {
        if (HoldsTrainingSet) throw new InvalidOperationException("Fit is already running on this model (a callback cannot start another Fit on a device).");
        _setX = Accelerator.Allocate1D<float>(Math.Max(x.Length, 1));
        IlgpuCopy.Upload<float>(_setX.View, x);
        InputUploads++;
        if (UsesLabels)
        {
            _setLabels = Accelerator.Allocate1D<int>(Math.Max(targets.Length, 1));
            IlgpuCopy.Upload<int>(_setLabels.View, MemoryMarshal.Cast<TTarget, int>(targets));
        }
        else
        {
            _setTargets = Accelerator.Allocate1D<float>(Math.Max(targets.Length, 1));
            IlgpuCopy.Upload<float>(_setTargets.View, MemoryMarshal.Cast<TTarget, float>(targets));
        }
        _order = Accelerator.Allocate1D<int>(Math.Max(rows, 1));
    }

    /// <summary>Whether a Fit holds its training set here (it is running).</summary>
    public bool HoldsTrainingSet => _setX is not null;

    /// <summary>An epoch's batch order → the device (one copy per epoch).</summary>
    public void UploadOrder(ReadOnlySpan<int> order) => IlgpuCopy.Upload<int>(_order!.View, order);

    /// <summary>Rows order[start .. start + batch) of the training set → the step's input and targets, on the device.</summary>
    public void GatherBatch(int start, int batch, int inputWidth, int targetWidth)
    {
        var kernels = Step.Kernels;
        kernels.Gather(_setX!.View, _order!.View, start, batch, inputWidth, Step.Input);
        if (UsesLabels) kernels.Gather(_setLabels!.View, _order.View, start, batch, 1, Step.Labels);
        else kernels.Gather(_setTargets!.View, _order.View, start, batch, targetWidth, Step.Targets);
    }

    public void ReleaseTrainingSet()
    {
        _setX?.Dispose();
        _setTargets?.Dispose();
        _setLabels?.Dispose();
        _order?.Dispose();
        (_setX, _setTargets, _setLabels, _order) = (null, null, null, null);
    }

    public void Dispose()
    {
        ReleaseTrainingSet();
        _optimizer?.Dispose();
        Step.Dispose();
        Accelerator.Dispose();
    }

    private void UploadWeights()
    {
        for (int i = 0; i < _parameters.Count; i++) _parameters[i].HostData.CopyTo(_staging, Step.Offset(i));
        IlgpuCopy.Upload<float>(Step.AllValues, _staging);
        _deviceNewer = false;
    }

    /// <summary>Keeps the device slots of <paramref name="optimizer"/>: those already there, or its arrays uploaded (another optimizer's go home first).</summary>
    private void BindOptimizer(Optimizer optimizer)
    {
        if (_optimizer is { } current && current.Mirrors(optimizer, _trainable)) return;
        if (_optimizer is not null)
        {
            _optimizer.Download();
            _optimizer.Dispose();
            _optimizer = null;
        }
        _optimizer = new IlgpuOptimizerState(Step, optimizer, _trainable);
    }
}

/// <summary>A data set's inputs on the device for the length of one call (Predict, Evaluate, or a Fit's validation data).</summary>
internal sealed class IlgpuResidentInput(MemoryBuffer1D<float, Stride1D.Dense> buffer, int width) : IDisposable
{
    /// <summary>The inputs, rows of <see cref="Width"/> values.</summary>
    public ArrayView<float> View => buffer.View;

    public int Width { get; } = width;

    public void Dispose() => buffer.Dispose();
}
