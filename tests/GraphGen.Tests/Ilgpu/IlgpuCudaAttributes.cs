using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>Why the ILGPU tests cannot run on CUDA here, or null where a GPU and its driver are present.</summary>
internal static class IlgpuCuda
{
    public static string? SkipReason => Devices.CudaStatus is { } reason ? $"No CUDA GPU for the ILGPU CUDA run of this test: {reason}" : null;
}

/// <summary>A theory run on <c>Device.Cuda(0)</c> through ILGPU: skipped, with the reason, where there is no GPU (CI, this machine).</summary>
public sealed class IlgpuCudaTheoryAttribute : TheoryAttribute
{
    public IlgpuCudaTheoryAttribute() => Skip = IlgpuCuda.SkipReason;
}

/// <summary>A fact run on <c>Device.Cuda(0)</c> through ILGPU: skipped, with the reason, where there is no GPU.</summary>
public sealed class IlgpuCudaFactAttribute : FactAttribute
{
    public IlgpuCudaFactAttribute() => Skip = IlgpuCuda.SkipReason;
}
