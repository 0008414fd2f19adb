using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using GraphGen.Training;

namespace GraphGen.Testing;

/// <summary>
/// The C# that GraphGen generated for a model, read back from the build that compiled the model.
/// </summary>
/// <remarks>
/// Why it is read from the PDB: the C# compiler embeds every source-generated file in the assembly's portable PDB
/// (that is how a debugger steps into generated code), so the text found there is exactly what was compiled into the
/// model the test runs, by the same generator, with the same references, options and analyzer settings. The other
/// ways are weaker: re-running the generator from the test means rebuilding the user's compilation by hand (sources,
/// references, language version, global usings), which can silently differ from the real build; reading
/// obj/…/generated depends on EmitCompilerGeneratedFiles and an output path that a model project does not share with
/// the test project referencing it. A portable PDB, beside the .dll or embedded in it, is the SDK's default in Debug
/// and Release; only <c>DebugType</c> none (or <c>DebugSymbols</c> false) defeats this, and the error says so.
/// </remarks>
public static class GeneratedCode
{
    /// <summary>
    /// Roslyn files each generated source under the generator's assembly and type name; the path ends with
    /// <c>GraphGen.Generators/GraphGen.Generators.ModelGenerator/{hint name}</c>.
    /// </summary>
    private const string GeneratorFolder = "GraphGen.Generators/GraphGen.Generators.ModelGenerator/";

    /// <summary>The kind of a portable PDB's custom debug information that holds an embedded source file.</summary>
    private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary>The generated C# of <typeparamref name="TModel"/> (<c>{Namespace}.{Model}.g.cs</c>), as its build compiled it.</summary>
    public static string Of<TModel>() where TModel : CompiledModel => Read(typeof(TModel).Assembly, HintName(typeof(TModel)));

    /// <summary>The name GraphGen gives a model's generated C# file: <c>{Namespace}.{Outer types}.{Model}.g.cs</c>.</summary>
    public static string HintName(Type model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.FullName!.Replace('+', '.') + ".g.cs";
    }

    /// <summary>
    /// One file GraphGen generated into <paramref name="assembly"/>, by its hint name: a model's CUDA C
    /// (<c>{Model}.cuda.g.cs</c>) or a <c>[Differentiable]</c> function's gradient, for instance.
    /// </summary>
    public static string Read(Assembly assembly, string hintName)
    {
        ArgumentException.ThrowIfNullOrEmpty(hintName);
        var (sources, pdb) = ReadAll(assembly);
        if (sources.TryGetValue(hintName, out string? text)) return text;
        string found = sources.Count == 0 ? "no file at all" : string.Join(", ", sources.Keys.Order(StringComparer.Ordinal));
        throw new GeneratedCodeNotFoundException(
            $"No generated source {hintName} in {pdb}: GraphGen generated {found} into {assembly.GetName().Name}. " +
            "Is the model declared in that assembly, and did its build reference the GraphGen package (which runs the generator)?");
    }

    /// <summary>Every file GraphGen generated into <paramref name="assembly"/>, by hint name, and where they were read from.</summary>
    private static (Dictionary<string, string> Sources, string Pdb) ReadAll(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string path = assembly.Location;
        if (path.Length == 0)
            throw new GeneratedCodeNotFoundException(
                $"{assembly.GetName().Name} was not loaded from a file (single-file publish or an in-memory assembly), so its PDB cannot be found.");
        using var pe = new PEReader(File.OpenRead(path));
        // Finds the PDB the .dll names (beside it, or embedded) and checks that its id matches this very build.
        if (!pe.TryOpenAssociatedPortablePdb(path, p => File.Exists(p) ? File.OpenRead(p) : null, out var provider, out string? pdbPath) || provider is null)
            throw new GeneratedCodeNotFoundException(
                $"{path} has no portable PDB beside it or embedded in it, and GraphGen.Testing reads the generated sources from there. " +
                "Build the model's project with <DebugType>portable</DebugType> (the SDK's default) or embedded, and keep the .pdb next to the .dll.");
        using (provider)
        {
            var reader = provider.GetMetadataReader();
            var sources = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var handle in reader.Documents)
            {
                string name = reader.GetString(reader.GetDocument(handle).Name).Replace('\\', '/');
                int folder = name.LastIndexOf(GeneratorFolder, StringComparison.Ordinal);
                if (folder < 0 || EmbeddedText(reader, handle) is not { } text) continue;
                sources[name[(folder + GeneratorFolder.Length)..]] = text;
            }
            return (sources, pdbPath ?? path + " (embedded PDB)");
        }
    }

    /// <summary>
    /// The text of an embedded source: an int32 format (0: stored as is; otherwise the uncompressed size of a deflate
    /// stream) followed by the encoded text, as the Portable PDB specification lays it out.
    /// </summary>
    private static string? EmbeddedText(MetadataReader reader, DocumentHandle document)
    {
        foreach (var handle in reader.GetCustomDebugInformation(document))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) != EmbeddedSourceKind) continue;
            var blob = reader.GetBlobReader(information.Value);
            int format = blob.ReadInt32();
            var bytes = new MemoryStream(blob.ReadBytes(blob.RemainingBytes));
            using Stream content = format == 0 ? bytes : new DeflateStream(bytes, CompressionMode.Decompress);
            using var text = new StreamReader(content, detectEncodingFromByteOrderMarks: true);
            return text.ReadToEnd();
        }
        return null;
    }
}

/// <summary>Thrown when the generated source of a model cannot be found; the message says where it looked and why.</summary>
public sealed class GeneratedCodeNotFoundException(string message) : Exception(message);
