using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using GraphGen.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GraphGen.Tests.Packaging;

/// <summary>One fenced code block of a Markdown file: the line of its opening fence, its info string and its text.</summary>
internal sealed record CodeBlock(int Line, string Info, string Code)
{
    /// <summary>The first line of a block that is only an excerpt, so it is not compiled (README: Contributor notes).</summary>
    public const string FragmentMarker = "// fragment:";

    /// <summary>The language: the info string's first word (GitHub highlights by it too).</summary>
    public string Language => Info.Split(' ', 2)[0];

    public bool IsCSharp => Language is "csharp" or "cs" or "c#";

    public bool IsFragment => Code.StartsWith(FragmentMarker, StringComparison.Ordinal);

    /// <summary>A test file (it uses xunit): compiled as the quick start's test project rather than as a console file.</summary>
    public bool IsTestFile => Code.Contains("using Xunit;", StringComparison.Ordinal);
}

/// <summary>The repository's README.md and its code blocks.</summary>
internal static class Readme
{
    public static string Location { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "../../../README.md"));

    public static IReadOnlyList<CodeBlock> Blocks() => CodeBlocks(File.ReadAllText(Location));

    /// <summary>The README's first C# block: the MNIST quick start, a whole Program.cs.</summary>
    public static CodeBlock QuickStart() => Blocks().First(b => b.IsCSharp);

    /// <summary>The first block of <paramref name="language"/> below the heading <paramref name="heading"/> (its text, without #s).</summary>
    public static CodeBlock InSection(string heading, string language)
    {
        string[] lines = File.ReadAllLines(Location);
        int start = Array.FindIndex(lines, l => Regex.IsMatch(l, @"^#{1,6} ") && l.TrimStart('#').Trim() == heading);
        if (start < 0) throw new InvalidOperationException($"README.md has no heading '{heading}'.");
        return Blocks().First(b => b.Line > start && b.Language == language);
    }

    /// <summary>
    /// The fenced blocks of a CommonMark text: a fence is three or more ` or ~ indented at most three spaces, closed by a
    /// fence of the same character at least as long; the opening fence's indentation is taken off each line.
    /// </summary>
    public static IReadOnlyList<CodeBlock> CodeBlocks(string markdown)
    {
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<CodeBlock>();
        for (int i = 0; i < lines.Length; i++)
        {
            var open = Regex.Match(lines[i], @"^( {0,3})(`{3,}|~{3,})\s*(.*?)\s*$");
            if (!open.Success || open.Groups[2].Value[0] == '`' && open.Groups[3].Value.Contains('`')) continue;
            int indent = open.Groups[1].Length;
            string fence = open.Groups[2].Value;
            var close = new Regex($@"^ {{0,3}}{Regex.Escape(fence[..1])}{{{fence.Length},}}\s*$");
            int end = i + 1;
            while (end < lines.Length && !close.IsMatch(lines[end])) end++;
            var code = lines[(i + 1)..end].Select(l => l[Math.Min(indent, l.Length - l.TrimStart(' ').Length)..]);
            blocks.Add(new CodeBlock(i + 1, open.Groups[3].Value, string.Join("\n", code)));
            i = end;
        }
        return blocks;
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}

/// <summary>
/// Compiles a README block as a user would get it: one file of a fresh console project (<c>dotnet new console</c>:
/// nullable on, the SDK's implicit usings) referencing GraphGen, with GraphGen's generator running over it; or, for a
/// test file, one file of the quick start's xunit test project. Its problems are every error and warning.
/// </summary>
internal static class SnippetCompiler
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The global usings that ImplicitUsings gives a Microsoft.NET.Sdk project.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    /// <summary>The Program.cs of <c>dotnet new console</c>, for a block that declares types only.</summary>
    private const string TemplateProgram = "Console.WriteLine(\"Hello, World!\");";

    private static readonly ImmutableArray<MetadataReference> Framework = Trusted(
        name => name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32.", StringComparison.Ordinal)
            || name is "mscorlib.dll" or "netstandard.dll")
        .Add(MetadataReference.CreateFromFile(typeof(DenseLayer).Assembly.Location))
        .Add(MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location)); // the package's dependency, which a model's ILGPU program uses

    /// <summary>What the README's test project adds: GraphGen.Testing and xunit.</summary>
    private static readonly ImmutableArray<MetadataReference> TestProject = Framework
        .Add(MetadataReference.CreateFromFile(typeof(GraphGen.Testing.Snapshot).Assembly.Location))
        .AddRange(Trusted(name => name.StartsWith("xunit.", StringComparison.Ordinal)));

    /// <summary>A block as one file of a fresh console project; the compilation includes what the generator added.</summary>
    public static (Compilation Output, IReadOnlyList<Diagnostic> Problems) ConsoleFile(string code)
    {
        var block = Parse(code, "Block.cs");
        var trees = new List<SyntaxTree> { block, Parse(ImplicitUsings, "GlobalUsings.g.cs") };
        if (!block.GetCompilationUnitRoot().Members.OfType<GlobalStatementSyntax>().Any()) trees.Add(Parse(TemplateProgram, "Program.cs"));
        var compilation = CSharpCompilation.Create("ReadmeBlock", trees, Framework, Options(OutputKind.ConsoleApplication));
        CSharpGeneratorDriver.Create([new ModelGenerator().AsSourceGenerator()], parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        return (output, Problems(generatorDiagnostics.AddRange(output.GetDiagnostics())));
    }

    /// <summary>
    /// A test file of the quick start's xunit project: references the quick start, GraphGen.Testing and xunit. The
    /// generator does not run here, as in the real project (GraphGen's analyzer does not flow through references).
    /// </summary>
    public static IReadOnlyList<Diagnostic> TestFile(string code, Compilation quickStart)
    {
        var trees = new[] { Parse(code, "Tests.cs"), Parse(ImplicitUsings, "GlobalUsings.g.cs") };
        var compilation = CSharpCompilation.Create("ReadmeTests", trees, TestProject.Add(quickStart.ToMetadataReference()),
            Options(OutputKind.DynamicallyLinkedLibrary));
        return Problems(compilation.GetDiagnostics());
    }

    private static SyntaxTree Parse(string code, string path) => CSharpSyntaxTree.ParseText(code, ParseOptions, path);

    // Warning level 9999, as the SDK sets for .NET 5 and later: every warning wave is on.
    private static CSharpCompilationOptions Options(OutputKind kind)
        => new(kind, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999);

    private static IReadOnlyList<Diagnostic> Problems(ImmutableArray<Diagnostic> diagnostics)
        => diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    private static ImmutableArray<MetadataReference> Trusted(Func<string, bool> fileName)
        => ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => fileName(Path.GetFileName(p)))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
}
