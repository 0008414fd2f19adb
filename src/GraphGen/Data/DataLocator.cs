namespace GraphGen.Data;

/// <summary>
/// Finds a data set folder offline, in this order: an explicit path; $GRAPHGEN_DATA/NAME; samples/data/NAME in
/// this repository (looked up from the working directory and from the program's folder);
/// /usr/share/datasets/NAME. A data set found nowhere is an error listing every place tried.
/// </summary>
public static class DataLocator
{
    public static string Find(string name, string? explicitPath, string markerFile)
    {
        var tried = new List<string>();
        if (explicitPath is not null)
        {
            if (Holds(explicitPath, markerFile)) return explicitPath;
            throw new DirectoryNotFoundException($"Data set '{name}': {explicitPath} does not hold {markerFile} (or {markerFile}.gz).");
        }
        foreach (string candidate in Candidates(name))
        {
            tried.Add(candidate);
            if (Holds(candidate, markerFile)) return candidate;
        }
        throw new DirectoryNotFoundException($"Data set '{name}' not found (looking for {markerFile}[.gz]). Tried: {string.Join("; ", tried)}. " +
            "Pass a path, or set GRAPHGEN_DATA to a folder holding '" + name + "/'.");
    }

    private static IEnumerable<string> Candidates(string name)
    {
        if (Environment.GetEnvironmentVariable("GRAPHGEN_DATA") is { Length: > 0 } root) yield return Path.Combine(root, name);
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory }.Distinct())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "samples", "data", name);
                if (Directory.Exists(candidate)) { yield return candidate; break; }
            }
        }
        yield return Path.Combine("/usr/share/datasets", name);
    }

    private static bool Holds(string folder, string markerFile)
        => File.Exists(Path.Combine(folder, markerFile)) || File.Exists(Path.Combine(folder, markerFile + ".gz"));
}
