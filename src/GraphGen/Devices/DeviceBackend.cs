namespace GraphGen;

/// <summary>Memory on a device: its address there and its length in floats.</summary>
public readonly record struct DeviceBuffer(ulong Address, long Length);

/// <summary>
/// The seam between the training code and an accelerator: allocate, copy, synchronize. Each backend implements it
/// in its own namespace (<see cref="Cuda.CudaBackend"/> over the CUDA driver API) and loads and launches its kernels
/// in its own form (CUDA: NVRTC images launched by name), since kernels differ from one backend to the next.
/// </summary>
public interface IDeviceBackend : IDisposable
{
    /// <summary>The device this backend runs on.</summary>
    PhysicalDevice Description { get; }
    DeviceBuffer Allocate(long floats);
    void Free(DeviceBuffer buffer);
    void Upload(ReadOnlySpan<float> source, DeviceBuffer destination);
    void Download(DeviceBuffer source, Span<float> destination);
    /// <summary>Waits until every operation queued so far has finished.</summary>
    void Synchronize();
}
