using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using GraphGen.Cuda.Interop;

namespace GraphGen.Cuda;

/// <summary>What NVRTC made of a program: PTX text (any newer GPU's driver can load it) or a cubin for one architecture.</summary>
public sealed record CompiledKernels(string Program, ComputeCapability Target, byte[] Image, bool IsCubin);

/// <summary>
/// Compiles generated CUDA C with NVRTC, which needs no GPU. A compiled image is cached on disk per source, options,
/// NVRTC version and architecture (<see cref="CacheFolder"/>), so a model is compiled once per GPU architecture.
/// </summary>
public static unsafe class Nvrtc
{
    /// <summary>NVRTC's version, e.g. (11, 8); loads the library on first use.</summary>
    public static (int Major, int Minor) Version
    {
        get
        {
            int major = 0, minor = 0;
            Check(nameof(NvrtcApi.nvrtcVersion), NativeLibraries.Call(NativeLibraries.Nvrtc, () => NvrtcApi.nvrtcVersion(out major, out minor)));
            return (major, minor);
        }
    }

    /// <summary>Where compiled images are kept: $GRAPHGEN_CUDA_CACHE, else the user's cache folder under graphgen/cuda.</summary>
    public static string CacheFolder =>
        Environment.GetEnvironmentVariable("GRAPHGEN_CUDA_CACHE") is { Length: > 0 } folder ? folder
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "graphgen", "cuda");

    /// <summary>
    /// Compiles <paramref name="source"/> for <paramref name="target"/>: a cubin for that architecture, or PTX for its
    /// virtual architecture when <paramref name="cubin"/> is false. Uses the cache unless <paramref name="useCache"/> is false.
    /// </summary>
    public static CompiledKernels Compile(string program, string source, ComputeCapability target, bool cubin = true, bool useCache = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(source);
        var (major, minor) = Version;
        string[] options = [cubin ? $"--gpu-architecture=sm_{target.Major}{target.Minor}" : $"--gpu-architecture=compute_{target.Major}{target.Minor}",
            "--std=c++17", "--fmad=true", "--restrict"];
        string key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{major}.{minor}\n{string.Join(' ', options)}\n{source}")))[..32];
        string cached = Path.Combine(CacheFolder, $"{program}-{key}.{(cubin ? "cubin" : "ptx")}");
        if (useCache && File.Exists(cached)) return new CompiledKernels(program, target, File.ReadAllBytes(cached), cubin);

        byte[] image = CompileUncached(program, source, options, cubin);
        if (useCache)
        {
            Directory.CreateDirectory(CacheFolder);
            string temporary = $"{cached}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, cached, overwrite: true); // whole or not at all, as other processes may read it
        }
        return new CompiledKernels(program, target, image, cubin);
    }

    private static byte[] CompileUncached(string program, string source, string[] options, bool cubin)
    {
        nint handle = 0;
        Check(nameof(NvrtcApi.nvrtcCreateProgram), NativeLibraries.Call(NativeLibraries.Nvrtc,
            () => NvrtcApi.nvrtcCreateProgram(out handle, source, program + ".cu", 0, 0, 0)));
        try
        {
            var encoded = options.Select(o => Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var pins = encoded.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            try
            {
                byte** pointers = stackalloc byte*[encoded.Length];
                for (int i = 0; i < encoded.Length; i++) pointers[i] = (byte*)pins[i].AddrOfPinnedObject();
                int result = NvrtcApi.nvrtcCompileProgram(handle, encoded.Length, pointers);
                if (result != 0) throw new CudaCompileException(program, Log(handle));
            }
            finally
            {
                foreach (var pin in pins) pin.Free();
            }
            if (cubin)
            {
                Check(nameof(NvrtcApi.nvrtcGetCUBINSize), NvrtcApi.nvrtcGetCUBINSize(handle, out nuint size));
                var image = new byte[size];
                fixed (byte* p = image) Check(nameof(NvrtcApi.nvrtcGetCUBIN), NvrtcApi.nvrtcGetCUBIN(handle, p));
                return image;
            }
            Check(nameof(NvrtcApi.nvrtcGetPTXSize), NvrtcApi.nvrtcGetPTXSize(handle, out nuint ptxSize));
            var ptx = new byte[ptxSize]; // NUL-terminated, as cuModuleLoadData wants it
            fixed (byte* p = ptx) Check(nameof(NvrtcApi.nvrtcGetPTX), NvrtcApi.nvrtcGetPTX(handle, p));
            return ptx;
        }
        finally
        {
            NvrtcApi.nvrtcDestroyProgram(ref handle);
        }
    }

    private static string Log(nint handle)
    {
        if (NvrtcApi.nvrtcGetProgramLogSize(handle, out nuint size) != 0 || size == 0) return "(no log)";
        var log = new byte[size];
        fixed (byte* p = log) NvrtcApi.nvrtcGetProgramLog(handle, p);
        return Encoding.UTF8.GetString(log).TrimEnd('\0', '\n');
    }

    private static void Check(string call, int result)
    {
        if (result != 0) throw new CudaException(call, result, $"NVRTC_ERROR {result}", Marshal.PtrToStringUTF8(NvrtcApi.nvrtcGetErrorString(result)) ?? "");
    }
}
