using System.Runtime.InteropServices;
using System.Text;
using GraphGen.Cuda.Interop;

namespace GraphGen.Cuda;

/// <summary>
/// Checked access to the driver API: every CUresult other than CUDA_SUCCESS becomes a <see cref="CudaException"/>
/// naming the call and CUDA's name for the error; a missing driver becomes a <see cref="CudaUnavailableException"/>.
/// </summary>
internal static unsafe class CudaDriver
{
    private static readonly Lazy<int> s_initialized = new(() =>
    {
        Check(nameof(DriverApi.cuInit), NativeLibraries.Call(NativeLibraries.Driver, () => DriverApi.cuInit(0)));
        Check(nameof(DriverApi.cuDriverGetVersion), DriverApi.cuDriverGetVersion(out int version));
        return version;
    });

    /// <summary>Initialises the driver once; returns its version (e.g. 12040 for CUDA 12.4).</summary>
    public static int Initialize() => s_initialized.Value;

    public static void Check(string call, int result)
    {
        if (result == 0) return;
        string name = DriverApi.cuGetErrorName(result, out nint namePointer) == 0 ? Marshal.PtrToStringUTF8(namePointer) ?? "?" : $"CUresult {result}";
        string text = DriverApi.cuGetErrorString(result, out nint textPointer) == 0 ? Marshal.PtrToStringUTF8(textPointer) ?? "" : "unknown error";
        throw new CudaException(call, result, name, text);
    }

    public static int DeviceCount()
    {
        Initialize();
        Check(nameof(DriverApi.cuDeviceGetCount), DriverApi.cuDeviceGetCount(out int count));
        return count;
    }

    public static PhysicalDevice Describe(int ordinal)
    {
        Check(nameof(DriverApi.cuDeviceGet), DriverApi.cuDeviceGet(out int device, ordinal));
        byte* name = stackalloc byte[256];
        Check(nameof(DriverApi.cuDeviceGetName), DriverApi.cuDeviceGetName(name, 256, device));
        Check(nameof(DriverApi.cuDeviceTotalMem_v2), DriverApi.cuDeviceTotalMem_v2(out nuint bytes, device));
        Check(nameof(DriverApi.cuDeviceGetAttribute), DriverApi.cuDeviceGetAttribute(out int major, DriverApi.ComputeCapabilityMajor, device));
        Check(nameof(DriverApi.cuDeviceGetAttribute), DriverApi.cuDeviceGetAttribute(out int minor, DriverApi.ComputeCapabilityMinor, device));
        Check(nameof(DriverApi.cuDeviceGetAttribute), DriverApi.cuDeviceGetAttribute(out int multiprocessors, DriverApi.MultiprocessorCount, device));
        string text = Encoding.UTF8.GetString(name, new ReadOnlySpan<byte>(name, 256).IndexOf((byte)0) is int end and >= 0 ? end : 256);
        return new PhysicalDevice(DeviceKind.Cuda, ordinal, text, (long)bytes, new ComputeCapability(major, minor), multiprocessors);
    }
}
