using GraphGen.Cuda;

namespace GraphGen;

// The devices a model can run on, in the core namespace: each backend adds its kinds here and keeps its implementation
// in its own namespace (GraphGen.Cuda: the GPUs ILGPU finds and why none is there; GraphGen.Ilgpu: ILGPU's accelerators).

/// <summary>
/// The kinds of device a <see cref="Device"/> names: the CPU (the SIMD kernels), an NVIDIA GPU (ILGPU's CUDA
/// accelerator and cuBLAS), or ILGPU's CPU accelerator, which runs the GPU kernels on the CPU's threads (slowly: it
/// exists to test the device path on machines without a GPU).
/// </summary>
public enum DeviceKind { Cpu, Cuda, IlgpuCpu }

/// <summary>An NVIDIA GPU's compute capability, e.g. 9.0 for Hopper (sm_90), as <see cref="PhysicalDevice.Capability"/> reports it.</summary>
public readonly record struct ComputeCapability(int Major, int Minor)
{
    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>A device as <see cref="Devices.List"/> describes it (tf.config.list_physical_devices's answer).</summary>
public sealed record PhysicalDevice(DeviceKind Kind, int Index, string Name, long MemoryBytes, ComputeCapability? Capability, int Multiprocessors)
{
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => $"CPU: {Name}",
        DeviceKind.IlgpuCpu => $"ILGPU-CPU: {Name}",
        _ => $"CUDA:{Index}: {Name}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, compute capability {Capability}, {Multiprocessors} multiprocessors",
    };
}

/// <summary>
/// Where a model runs (<c>model.To(device)</c>): <see cref="Cpu"/>, <see cref="Cuda"/>(index) for an NVIDIA GPU, or
/// <see cref="IlgpuCpu"/>, ILGPU's CPU accelerator running the GPU path's kernels.
/// </summary>
public sealed record Device(DeviceKind Kind, int Index)
{
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);

    /// <summary>ILGPU's CPU accelerator: the device path (its kernels, buffers and transfers) on the CPU's threads, for tests without a GPU.</summary>
    public static Device IlgpuCpu { get; } = new(DeviceKind.IlgpuCpu, 0);

    /// <summary>The GPU of that ordinal. Nothing is loaded yet; <see cref="Describe"/> (or running on it) checks it exists.</summary>
    public static Device Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new Device(DeviceKind.Cuda, index);
    }

    /// <summary>This device's description; for a GPU, a clear error when there is no driver or no GPU of that index.</summary>
    public PhysicalDevice Describe()
    {
        if (Kind == DeviceKind.Cpu) return Devices.CpuDevice;
        if (Kind == DeviceKind.IlgpuCpu) return Devices.IlgpuCpuDevice;
        if (CudaDevices.Problem is { } problem) throw new CudaUnavailableException(problem);
        var gpus = CudaDevices.All;
        if (Index >= gpus.Count) throw new CudaUnavailableException($"There is no CUDA:{Index}; ILGPU finds {gpus.Count} GPU(s), CUDA:0 to CUDA:{gpus.Count - 1}.");
        return gpus[Index];
    }

    /// <summary>CPU, ILGPU-CPU or CUDA:index; <see cref="Parse"/> reads it back.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "CPU",
        DeviceKind.IlgpuCpu => "ILGPU-CPU",
        _ => $"CUDA:{Index}",
    };

    /// <summary>
    /// A device as a command line names it (<c>--device</c>), in any case: <c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c>
    /// (GPU 0) or <c>cuda:INDEX</c>; <see cref="ToString"/>'s spelling too. Nothing is loaded.
    /// </summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim().ToLowerInvariant();
        if (s == "cpu") return Cpu;
        if (s == "ilgpu-cpu") return IlgpuCpu;
        if (s == "cuda") return Cuda(0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
            return Cuda(index);
        throw new FormatException($"'{text}' is not a device; use cpu, ilgpu-cpu, cuda or cuda:INDEX (e.g. cuda:0).");
    }
}

/// <summary>The devices this machine offers.</summary>
public static class Devices
{
    internal static PhysicalDevice CpuDevice { get; } = new(DeviceKind.Cpu, 0,
        $"{Environment.ProcessorCount} cores, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")}",
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, null, 0);

    // Described without ILGPU: its CPU accelerator's context is created when a model is first placed there.
    internal static PhysicalDevice IlgpuCpuDevice { get; } = new(DeviceKind.IlgpuCpu, 0,
        "ILGPU's CPU accelerator (GPU kernels on CPU threads, for tests)", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, null, 1);

    /// <summary>
    /// The CPU, ILGPU's CPU accelerator, then every GPU ILGPU's CUDA backend can run on. Without a driver (or a GPU)
    /// the list is the two CPU devices, as tf.config.list_physical_devices("GPU") is empty, and <see cref="CudaStatus"/> says why.
    /// In a NativeAOT app, where ILGPU cannot run, it is the CPU alone, and <see cref="CudaStatus"/> says that.
    /// </summary>
    public static IReadOnlyList<PhysicalDevice> List()
        => Ilgpu.IlgpuAccelerators.Unsupported is null ? [CpuDevice, IlgpuCpuDevice, .. CudaDevices.All] : [CpuDevice];

    /// <summary>Why no GPU is listed, or null when at least one is: the driver, or its lack, in a sentence.</summary>
    public static string? CudaStatus => CudaDevices.Problem;
}
