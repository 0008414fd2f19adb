namespace GraphGen.Cuda;

/// <summary>No usable CUDA: the driver is missing, or no GPU (of that index) is there. The message says which.</summary>
public sealed class CudaUnavailableException : Exception
{
    public CudaUnavailableException(string message) : base(message) { }
}
