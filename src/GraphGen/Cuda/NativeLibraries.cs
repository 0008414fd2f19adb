using System.Reflection;
using System.Runtime.InteropServices;

namespace GraphGen.Cuda;

/// <summary>
/// Finds the CUDA libraries the first time a binding is called, never before: the CPU path loads none of them. The
/// bindings name logical libraries ("cuda", "nvrtc"); this resolver maps each to the files CUDA 13, 12
/// and 11 install (Debian's non-free packages carry 11), newest first, so whichever major version is present works.
/// </summary>
internal static class NativeLibraries
{
    public const string Driver = "cuda";
    public const string Nvrtc = "nvrtc";

    private static readonly Dictionary<string, string[]> s_candidates = new()
    {
        [Driver] = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"],
        [Nvrtc] = OperatingSystem.IsWindows()
            ? ["nvrtc64_130_0.dll", "nvrtc64_120_0.dll", "nvrtc64_112_0.dll"]
            : ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"],
    };

    private static readonly Dictionary<string, string> s_loaded = [];
    private static readonly Lock s_gate = new();

    /// <summary>The file each logical library was loaded from, once a binding has been called.</summary>
    public static IReadOnlyDictionary<string, string> Loaded
    {
        get { lock (s_gate) return new Dictionary<string, string>(s_loaded); }
    }

    /// <summary>The files tried for a logical library, in order.</summary>
    public static IReadOnlyList<string> Candidates(string library) => s_candidates[library];

    private static bool s_registered;

    /// <summary>
    /// Installs the resolver; the binding classes call it from their static constructors, so it happens at the first
    /// binding call and never on the CPU path. It registers a callback only: nothing is loaded here.
    /// </summary>
    public static void EnsureRegistered()
    {
        lock (s_gate)
        {
            if (s_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            s_registered = true;
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!s_candidates.TryGetValue(name, out var files)) return IntPtr.Zero;
        foreach (string file in files)
        {
            if (!NativeLibrary.TryLoad(file, assembly, searchPath, out IntPtr handle)) continue;
            lock (s_gate) s_loaded[name] = file;
            return handle;
        }
        return IntPtr.Zero; // the runtime then throws DllNotFoundException, which the wrappers turn into CudaUnavailableException
    }

    /// <summary>Runs a binding; a library that cannot be found becomes a <see cref="CudaUnavailableException"/> that says what was tried.</summary>
    public static T Call<T>(string library, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (DllNotFoundException e)
        {
            throw new CudaUnavailableException(library, Candidates(library), e);
        }
        catch (EntryPointNotFoundException e)
        {
            throw new CudaUnavailableException(library, Candidates(library), e);
        }
    }
}
