using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Diagnostics;

/// <summary>
/// The diagnostics' own output: each declaration's diagnostics, from the end of its pipeline (sites, no spans),
/// meet the location table the Parsing stage read beside it, by key. The generated sources depend on neither
/// table nor spans, so text that only moves re-runs this and the Parsing stage alone.
/// </summary>
internal static class DiagnosticReporter
{
    public static void Report(SourceProductionContext context, (ImmutableArray<DeclarationDiagnostics> Diagnostics, ImmutableArray<LocationTable> Tables) all)
    {
        foreach (var (diagnostics, table) in Pair(all.Diagnostics, all.Tables))
            foreach (var diagnostic in diagnostics.Diagnostics)
                context.ReportDiagnostic(diagnostic.ToDiagnostic(table));
    }

    /// <summary>
    /// Each declaration's diagnostics with its table. Keys name a symbol, so two declarations share one only where
    /// they are parts of the same one (a second [Model] part, reported by C#); such pair in order, as both sides list
    /// the parsed declarations in the same order. Diagnostics without a table (there are none) would have no place.
    /// </summary>
    internal static IEnumerable<(DeclarationDiagnostics Diagnostics, LocationTable Table)> Pair(
        ImmutableArray<DeclarationDiagnostics> diagnostics, ImmutableArray<LocationTable> tables)
    {
        var byKey = tables.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => new Queue<LocationTable>(g));
        foreach (var declaration in diagnostics)
        {
            var table = byKey.TryGetValue(declaration.Key, out var queue) && queue.Count > 0 ? queue.Dequeue()
                : new LocationTable(declaration.Key, EquatableArray<LocationInfo>.Empty);
            yield return (declaration, table);
        }
    }
}
