using System.Runtime.CompilerServices;
using System.Text;
using GraphGen.Training;

namespace GraphGen.Testing;

/// <summary>
/// Snapshot assertions for generated code, in the manner of Verify: the accepted text lives next to the test as
/// <c>NAME.verified.cs</c>; on a mismatch the new text is written as <c>NAME.received.cs</c> (git-ignore it) and
/// the failure shows a line diff. Set <c>GRAPHGEN_ACCEPT_SNAPSHOTS=1</c> to accept every new text instead.
/// </summary>
public static class Snapshot
{
    /// <summary>The environment variable that turns mismatches into accepted snapshots.</summary>
    public const string AcceptVariable = "GRAPHGEN_ACCEPT_SNAPSHOTS";

    /// <summary>
    /// Compares the C# GraphGen generated for <typeparamref name="TModel"/> in this build (see <see cref="GeneratedCode"/>)
    /// with <c>{subfolder}/{Namespace}.{Model}.verified.cs</c> beside the calling test file.
    /// </summary>
    public static void MatchGenerated<TModel>(string subfolder = "Snapshots", [CallerFilePath] string callerFile = "")
        where TModel : CompiledModel
        => Match(GeneratedCode.Of<TModel>(), GeneratedCode.HintName(typeof(TModel))[..^".g.cs".Length], subfolder, ".cs", callerFile);

    /// <summary>
    /// Compares <paramref name="actual"/> with <c>{folder}/{name}.verified{extension}</c>, the folder being
    /// <paramref name="subfolder"/> beside the calling test file.
    /// </summary>
    public static void Match(string actual, string name, string subfolder = "Snapshots", string extension = ".cs",
        [CallerFilePath] string callerFile = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentException.ThrowIfNullOrEmpty(name);
        // The caller's path is compiled in; a build with a PathMap (ContinuousIntegrationBuild) maps it to /_/…,
        // which names no folder on this machine, so say so rather than write snapshots somewhere unexpected.
        string callerFolder = Path.GetDirectoryName(callerFile) ?? "";
        if (!Path.IsPathFullyQualified(callerFolder) || !Directory.Exists(callerFolder))
            throw new InvalidOperationException(
                $"The calling test file's folder '{callerFolder}' does not exist here, so the snapshot cannot be found beside it; " +
                "was the test built with a PathMap (ContinuousIntegrationBuild=true)? Build the tests without one.");
        string folder = Path.GetFullPath(Path.Combine(callerFolder, subfolder));
        Directory.CreateDirectory(folder);
        string verifiedPath = Path.Combine(folder, name + ".verified" + extension);
        string receivedPath = Path.Combine(folder, name + ".received" + extension);
        string normalized = Normalize(actual);
        string? verified = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;

        if (verified == normalized)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true")
        {
            File.WriteAllText(verifiedPath, normalized);
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        File.WriteAllText(receivedPath, normalized);
        string message = verified is null
            ? $"No snapshot yet: {verifiedPath} does not exist. The text was written to {receivedPath}; rename it (or set {AcceptVariable}=1) to accept it."
            : $"Snapshot mismatch for {verifiedPath}. Received text: {receivedPath}. Set {AcceptVariable}=1 to accept.\n{Diff(verified, normalized)}";
        throw new SnapshotMismatchException(message);
    }

    /// <summary>Line endings to \n, a trailing BOM and trailing white space on lines removed, one final newline.</summary>
    public static string Normalize(string text)
    {
        var lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n').Select(l => l.TrimEnd());
        return string.Join("\n", lines).TrimEnd('\n') + "\n";
    }

    /// <summary>A line diff (longest common subsequence) of the two texts, with two lines of context around each change.</summary>
    public static string Diff(string expected, string actual, int context = 2, int maxLines = 80)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
            for (int j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var ops = new List<(char Op, string Line, int LineA, int LineB)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { ops.Add((' ', a[x], x, y)); x++; y++; }
            // Removed lines before added ones, as a reader expects the old text first.
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1])) { ops.Add(('-', a[x], x, y)); x++; }
            else { ops.Add(('+', b[y], x, y)); y++; }
        }
        var output = new StringBuilder("--- verified\n+++ received\n");
        int written = 0, lastShown = -1;
        for (int k = 0; k < ops.Count && written < maxLines; k++)
        {
            bool near = false;
            for (int d = -context; d <= context && !near; d++)
                near = k + d >= 0 && k + d < ops.Count && ops[k + d].Op != ' ';
            if (!near) continue;
            if (lastShown >= 0 && k > lastShown + 1 || lastShown < 0) output.Append($"@@ line {ops[k].LineA + 1} @@\n");
            output.Append(ops[k].Op).Append(' ').Append(ops[k].Line).Append('\n');
            lastShown = k;
            written++;
        }
        if (written >= maxLines) output.Append("… (diff cut)\n");
        return output.ToString();
    }
}

/// <summary>Thrown when a snapshot does not match; the message holds the diff.</summary>
public sealed class SnapshotMismatchException(string message) : Exception(message);
