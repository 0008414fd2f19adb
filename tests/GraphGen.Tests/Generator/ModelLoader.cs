using System.Reflection;
using System.Runtime.Loader;
using GraphGen.Training;
using Microsoft.CodeAnalysis;

namespace GraphGen.Tests.Generator;

/// <summary>
/// Compiles sources with the generator in-process, emits them into an in-memory assembly that references this
/// GraphGen.dll, and loads it in a collectible <see cref="AssemblyLoadContext"/>, so a test can construct the
/// generated models, call their eager [Forward] methods and compare them with Predict. Dispose unloads it.
/// </summary>
internal sealed class LoadedModels : IDisposable
{
    private readonly AssemblyLoadContext _context;
    private readonly Assembly _assembly;

    private LoadedModels(AssemblyLoadContext context, Assembly assembly, IReadOnlyList<Diagnostic> diagnostics)
    {
        _context = context;
        _assembly = assembly;
        Diagnostics = diagnostics;
    }

    /// <summary>The generator's diagnostics (warnings; an error leaves nothing to load).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>
    /// The loaded models, or null with every error (the generator's and the compiler's) when the sources do not compile.
    /// </summary>
    public static LoadedModels? Load(out string errors, params string[] sources)
    {
        var compilation = GeneratorHarness.Compilation(sources);
        GeneratorHarness.Driver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        var problems = generatorDiagnostics.Concat(emitted.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        errors = string.Join("\n", problems);
        if (!emitted.Success || problems.Count > 0) return null;
        image.Position = 0;
        var context = new AssemblyLoadContext("GraphGen.Tests.LoadedModels", isCollectible: true);
        // GraphGen itself resolves to the copy already loaded, so Tensor and CompiledModel are this test's types.
        return new LoadedModels(context, context.LoadFromStream(image), generatorDiagnostics);
    }

    /// <summary>A new instance of the generated model <paramref name="fullName"/> (constructor: seed, initializers).</summary>
    public CompiledModel<float> Create(string fullName, int seed)
    {
        var type = _assembly.GetType(fullName, throwOnError: true)!;
        return (CompiledModel<float>)Activator.CreateInstance(type, seed, null, null)!;
    }

    /// <summary>The model's own [Forward] method, Call, run eagerly on <paramref name="x"/>.</summary>
    public static Tensor Call(CompiledModel model, Tensor x)
    {
        var call = model.GetType().GetMethod("Call", BindingFlags.Public | BindingFlags.Instance)
            ?? throw new MissingMethodException(model.GetType().Name, "Call");
        try
        {
            return (Tensor)call.Invoke(model, [x])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    public void Dispose() => _context.Unload();
}
