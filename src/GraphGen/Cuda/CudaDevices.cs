using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace GraphGen.Cuda;

/// <summary>
/// The GPUs as ILGPU's CUDA backend finds them, read once: the accelerators a model is placed on are ILGPU's too,
/// taken from the same list, so CUDA:i here is the GPU a model on <c>Device.Cuda(i)</c> runs on. ILGPU answers an
/// empty list for any failure, so where it finds none, <see cref="Problem"/> probes the driver library to say why.
/// </summary>
internal static class CudaDevices
{
    private static readonly Lazy<(IReadOnlyList<PhysicalDevice> Gpus, string? Failure)> s_found = new(Find);

    /// <summary>Every GPU ILGPU can run kernels on, in its order.</summary>
    public static IReadOnlyList<PhysicalDevice> All => s_found.Value.Gpus;

    /// <summary>Why there is no GPU, in a sentence naming what is missing; null when there is one.</summary>
    public static string? Problem => All.Count > 0 ? null : s_found.Value.Failure ?? WhyNone();

    private static (IReadOnlyList<PhysicalDevice>, string?) Find()
    {
        if (Ilgpu.IlgpuAccelerators.Unsupported is { } reason) return ([], reason);
        try
        {
            using var context = Context.Create(builder => builder.Cuda());
            var gpus = new List<PhysicalDevice>();
            foreach (var gpu in context.GetCudaDevices()) // a ref struct: no LINQ
                gpus.Add(new PhysicalDevice(DeviceKind.Cuda, gpus.Count, gpu.Name, gpu.MemorySize,
                    gpu.Architecture is { } sm ? new ComputeCapability(sm.Major, sm.Minor) : null, gpu.NumMultiprocessors));
            return (gpus, null);
        }
        catch (NotSupportedException e)
        {
            return ([], "ILGPU's CUDA backend does not run here: " + e.Message); // a 32-bit process
        }
    }

    private static string WhyNone()
    {
        // ILGPU imports the driver as "cuda": libcuda.so on Linux (not the versioned libcuda.so.1), nvcuda.dll on Windows.
        string[] files = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so", "libcuda.so.1"];
        if (Loads(files[0]))
            return $"The NVIDIA driver ({files[0]}) is installed, but ILGPU finds no GPU it can run on: none is there, or ILGPU does not support its architecture.";
        if (files.Length > 1 && Loads(files[1]))
            return $"The NVIDIA driver's {files[1]} is installed but not {files[0]}, the name ILGPU loads it by: link {files[0]} to {files[1]} in its folder.";
        return $"No NVIDIA driver: {string.Join(", ", files)} could not be loaded. Install the NVIDIA driver to train on a GPU, or use Device.Cpu.";
    }

    private static bool Loads(string file)
    {
        if (!NativeLibrary.TryLoad(file, out IntPtr handle)) return false;
        NativeLibrary.Free(handle);
        return true;
    }
}
