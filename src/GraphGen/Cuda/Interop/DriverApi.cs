using System.Runtime.InteropServices;

namespace GraphGen.Cuda.Interop;

/// <summary>
/// The CUDA driver API functions GraphGen uses (libcuda.so.1, installed with the driver). Each returns a CUresult;
/// <see cref="CudaDriver"/> checks them. Device pointers are 64-bit integers (CUdeviceptr).
/// </summary>
internal static unsafe partial class DriverApi
{
    static DriverApi() => NativeLibraries.EnsureRegistered();

    public const int ComputeCapabilityMajor = 75; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    public const int ComputeCapabilityMinor = 76; // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
    public const int MultiprocessorCount = 16;       // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT

    [LibraryImport(NativeLibraries.Driver)] public static partial int cuInit(uint flags);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDriverGetVersion(out int version);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuGetErrorName(int error, out nint name);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuGetErrorString(int error, out nint description);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDeviceGetCount(out int count);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDeviceTotalMem_v2(out nuint bytes, int device);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuCtxSetCurrent(nint context);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuMemAlloc_v2(out ulong pointer, nuint bytes);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuMemFree_v2(ulong pointer);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuModuleLoadData(out nint module, void* image);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuModuleUnload(nint module);
    [LibraryImport(NativeLibraries.Driver, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int cuModuleGetFunction(out nint function, nint module, string name);
    [LibraryImport(NativeLibraries.Driver)]
    public static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
        uint sharedBytes, nint stream, void** parameters, void** extra);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuStreamCreate(out nint stream, uint flags);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuStreamDestroy_v2(nint stream);
    [LibraryImport(NativeLibraries.Driver)] public static partial int cuStreamSynchronize(nint stream);
}
