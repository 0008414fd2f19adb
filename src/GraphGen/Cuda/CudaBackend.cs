using GraphGen.Cuda.Interop;

namespace GraphGen.Cuda;

/// <summary>
/// One GPU through the driver API: its primary context, one stream, the loaded modules' kernels. Beside the
/// <see cref="IDeviceBackend"/> seam, CUDA's own way with kernels: <see cref="Load"/> NVRTC's images, <see cref="Launch"/> by name.
/// </summary>
public sealed unsafe class CudaBackend : IDeviceBackend
{
    private readonly int _device; // the driver's CUdevice handle
    private readonly nint _stream;
    private readonly List<nint> _modules = [];
    private readonly Dictionary<string, nint> _kernels = [];
    private bool _disposed;

    public CudaBackend(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Kind != DeviceKind.Cuda) throw new ArgumentException($"{device} is not a CUDA device.", nameof(device));
        Description = device.Describe(); // a clear error when there is no driver or no such GPU
        CudaDriver.Check(nameof(DriverApi.cuDeviceGet), DriverApi.cuDeviceGet(out _device, device.Index));
        CudaDriver.Check(nameof(DriverApi.cuDevicePrimaryCtxRetain), DriverApi.cuDevicePrimaryCtxRetain(out nint context, _device));
        CudaDriver.Check(nameof(DriverApi.cuCtxSetCurrent), DriverApi.cuCtxSetCurrent(context));
        CudaDriver.Check(nameof(DriverApi.cuStreamCreate), DriverApi.cuStreamCreate(out _stream, 1 /* CU_STREAM_NON_BLOCKING */));
    }

    public PhysicalDevice Description { get; }

    public DeviceBuffer Allocate(long floats)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(floats);
        CudaDriver.Check(nameof(DriverApi.cuMemAlloc_v2), DriverApi.cuMemAlloc_v2(out ulong address, (nuint)(floats * sizeof(float))));
        return new DeviceBuffer(address, floats);
    }

    public void Free(DeviceBuffer buffer) => CudaDriver.Check(nameof(DriverApi.cuMemFree_v2), DriverApi.cuMemFree_v2(buffer.Address));

    public void Upload(ReadOnlySpan<float> source, DeviceBuffer destination)
    {
        if (source.Length > destination.Length) throw new ArgumentException($"{source.Length} floats do not fit a device buffer of {destination.Length}.", nameof(source));
        fixed (float* p = source)
            CudaDriver.Check(nameof(DriverApi.cuMemcpyHtoDAsync_v2), DriverApi.cuMemcpyHtoDAsync_v2(destination.Address, p, (nuint)(source.Length * sizeof(float)), _stream));
        Synchronize(); // the span may not outlive this call
    }

    public void Download(DeviceBuffer source, Span<float> destination)
    {
        if (destination.Length > source.Length) throw new ArgumentException($"A device buffer of {source.Length} floats cannot fill {destination.Length}.", nameof(destination));
        fixed (float* p = destination)
            CudaDriver.Check(nameof(DriverApi.cuMemcpyDtoHAsync_v2), DriverApi.cuMemcpyDtoHAsync_v2(p, source.Address, (nuint)(destination.Length * sizeof(float)), _stream));
        Synchronize();
    }

    /// <summary>Loads compiled kernels (a cubin or PTX image); kernels are then launched by name.</summary>
    public void Load(CompiledKernels kernels)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        nint module;
        fixed (byte* image = kernels.Image)
            CudaDriver.Check(nameof(DriverApi.cuModuleLoadData), DriverApi.cuModuleLoadData(out module, image));
        _modules.Add(module);
    }

    /// <summary>Launches a kernel of a loaded module; <paramref name="arguments"/> are pointers to each argument's value.</summary>
    public void Launch(string kernel, (uint X, uint Y) grid, uint block, ReadOnlySpan<nint> arguments)
    {
        if (!_kernels.TryGetValue(kernel, out nint function))
        {
            foreach (nint module in _modules)
                if (DriverApi.cuModuleGetFunction(out function, module, kernel) == 0) break;
            if (function == 0) throw new ArgumentException($"No loaded module has a kernel named '{kernel}'.", nameof(kernel));
            _kernels[kernel] = function;
        }
        fixed (nint* args = arguments)
            CudaDriver.Check($"cuLaunchKernel({kernel})", DriverApi.cuLaunchKernel(function, grid.X, grid.Y, 1, block, 1, 1, 0, _stream, (void**)args, null));
    }

    public void Synchronize() => CudaDriver.Check(nameof(DriverApi.cuStreamSynchronize), DriverApi.cuStreamSynchronize(_stream));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (nint module in _modules) DriverApi.cuModuleUnload(module);
        DriverApi.cuStreamDestroy_v2(_stream);
        DriverApi.cuDevicePrimaryCtxRelease_v2(_device);
    }
}
