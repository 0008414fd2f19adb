namespace GraphGen.Cuda;

/// <summary>A CUDA call that failed: which call, and the error CUDA named (code, name and description).</summary>
public sealed class CudaException : Exception
{
    public CudaException(string call, int code, string errorName, string description)
        : base($"{call} failed with {errorName} ({code}): {description}")
    {
        Call = call;
        Code = code;
        ErrorName = errorName;
    }

    /// <summary>The API function that failed, e.g. cuMemAlloc_v2 or nvrtcCompileProgram.</summary>
    public string Call { get; }
    public int Code { get; }
    /// <summary>CUDA's name for the error, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public string ErrorName { get; }
}

/// <summary>No usable CUDA: the driver or a library is missing, or no GPU is there. The message says what was tried.</summary>
public sealed class CudaUnavailableException : Exception
{
    public CudaUnavailableException(string message) : base(message) { }

    internal CudaUnavailableException(string library, IReadOnlyList<string> tried, Exception inner)
        : base(library switch
        {
            NativeLibraries.Driver => $"No NVIDIA driver: {string.Join(", ", tried)} could not be loaded. Install the NVIDIA driver to train on a GPU, or use Device.Cpu.",
            NativeLibraries.Nvrtc => $"NVRTC (the CUDA runtime compiler) is missing: {string.Join(", ", tried)} could not be loaded. Install the CUDA toolkit's NVRTC (CUDA 11.2 or later).",
            _ => $"{library} is missing: {string.Join(", ", tried)} could not be loaded.",
        }, inner)
    {
    }
}

/// <summary>CUDA C that NVRTC would not compile; <see cref="Log"/> is NVRTC's log, with the line of each error.</summary>
public sealed class CudaCompileException(string program, string log) : Exception($"NVRTC could not compile {program}:\n{log}")
{
    public string Program { get; } = program;
    public string Log { get; } = log;
}
