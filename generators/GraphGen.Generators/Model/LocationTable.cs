using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Model;

/// <summary>
/// The spans of one declaration's <see cref="Site"/>s, in site order, and the <paramref name="Key"/> of the
/// pipeline results it belongs to (<see cref="StageResult{T}.Key"/>). It leaves the pipeline beside the parsed
/// spec and meets the declaration's diagnostics again only where they are reported.
/// </summary>
internal sealed record LocationTable(string Key, EquatableArray<LocationInfo> Locations)
{
    /// <summary>Where <paramref name="site"/> is; <see cref="Location.None"/> for no site, or one the table lacks.</summary>
    public Location Resolve(Site? site)
        => site is { Index: var i } && i >= 0 && i < Locations.Count ? Locations[i].ToLocation() : Location.None;
}

/// <summary>The Parsing stage's output: the location-free result the later stages read, and the declaration's location table.</summary>
internal sealed record Parsed<T>(StageResult<T> Result, LocationTable Locations) where T : class;

/// <summary>Every diagnostic of one declaration, from the end of its pipeline, waiting for its <see cref="LocationTable"/>.</summary>
internal sealed record DeclarationDiagnostics(string Key, EquatableArray<DiagnosticInfo> Diagnostics);
