using GraphGen.Cuda;

namespace GraphGen;

// The devices a model can run on, in the core namespace: each backend (CUDA today, ILGPU's accelerators next) adds
// its kinds here and keeps its implementation in its own namespace (GraphGen.Cuda: the driver, NVRTC, CudaBackend).

/// <summary>The kinds of device a <see cref="Device"/> names.</summary>
public enum DeviceKind { Cpu, Cuda }

/// <summary>An NVIDIA GPU's compute capability, e.g. 9.0 for Hopper (sm_90), as <see cref="PhysicalDevice.Capability"/> reports it.</summary>
public readonly record struct ComputeCapability(int Major, int Minor)
{
    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>A device as <see cref="Devices.List"/> describes it (tf.config.list_physical_devices's answer).</summary>
public sealed record PhysicalDevice(DeviceKind Kind, int Index, string Name, long MemoryBytes, ComputeCapability? Capability, int Multiprocessors)
{
    public override string ToString() => Kind == DeviceKind.Cpu
        ? $"CPU: {Name}"
        : $"CUDA:{Index}: {Name}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, compute capability {Capability}, {Multiprocessors} multiprocessors";
}

/// <summary>Where a model runs: <see cref="Cpu"/>, or <see cref="Cuda"/>(index) for an NVIDIA GPU.</summary>
public sealed record Device(DeviceKind Kind, int Index)
{
    public static Device Cpu { get; } = new(DeviceKind.Cpu, 0);

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
        int count = CudaDriver.DeviceCount();
        if (Index >= count)
            throw new CudaUnavailableException(count == 0 ? "The NVIDIA driver is installed but reports no GPU." : $"There is no CUDA:{Index}; the driver reports {count} GPU(s), CUDA:0 to CUDA:{count - 1}.");
        return CudaDriver.Describe(Index);
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "CPU" : $"CUDA:{Index}";
}

/// <summary>The devices this machine offers.</summary>
public static class Devices
{
    internal static PhysicalDevice CpuDevice { get; } = new(DeviceKind.Cpu, 0,
        $"{Environment.ProcessorCount} cores, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "AVX2" : "scalar")}",
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, null, 0);

    /// <summary>
    /// The CPU, then every GPU the NVIDIA driver reports. Without a driver (or a GPU) the list is the CPU alone, and
    /// <see cref="CudaStatus"/> says why.
    /// </summary>
    public static IReadOnlyList<PhysicalDevice> List()
    {
        var list = new List<PhysicalDevice> { CpuDevice };
        try
        {
            int count = CudaDriver.DeviceCount();
            for (int i = 0; i < count; i++) list.Add(CudaDriver.Describe(i));
        }
        catch (Exception e) when (e is CudaUnavailableException or CudaException)
        {
            // No driver or no GPU: the CPU is the whole list, as tf.config.list_physical_devices("GPU") is empty.
        }
        return list;
    }

    /// <summary>Why no GPU is listed, or null when at least one is: the driver, or its lack, in a sentence.</summary>
    public static string? CudaStatus
    {
        get
        {
            try
            {
                return CudaDriver.DeviceCount() == 0 ? "The NVIDIA driver is installed but reports no GPU." : null;
            }
            catch (Exception e) when (e is CudaUnavailableException or CudaException)
            {
                return e.Message;
            }
        }
    }
}
