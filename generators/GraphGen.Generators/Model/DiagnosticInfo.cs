using System.Linq;
using Microsoft.CodeAnalysis;
using GraphGen.Generators.Diagnostics;

namespace GraphGen.Generators.Model;

/// <summary>
/// A diagnostic waiting to be reported: descriptor id, message arguments and place, all equatable. The place is a
/// site of the declaration (<see cref="Site"/>), not a span, so a diagnostic does not change when the text only moves.
/// </summary>
internal sealed record DiagnosticInfo(string Id, Site? Site, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Site? site, params string[] arguments)
        => new(descriptor.Id, site, EquatableArray.Of(arguments));

    /// <summary>The diagnostic at its site's place in <paramref name="locations"/>, the declaration's location table.</summary>
    public Diagnostic ToDiagnostic(LocationTable locations)
        => Diagnostic.Create(DiagnosticDescriptors.ById(Id), locations.Resolve(Site), Arguments.Items.Cast<object>().ToArray());

    /// <summary>Whether any of <paramref name="diagnostics"/> is an error (warnings let a stage go on).</summary>
    public static bool AnyErrors(System.Collections.Generic.IEnumerable<DiagnosticInfo> diagnostics)
        => diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
}

/// <summary>How the Parsing and Graph stages run.</summary>
internal static class Stage
{
    /// <summary>
    /// Runs a stage that reports into a list of diagnostics (those of earlier stages first): an error among them
    /// drops the value, and an exception becomes GG0099 naming the stage, so the generator never throws.
    /// </summary>
    public static StageResult<T> Run<T>(string stage, string model, Site? site, System.Collections.Generic.IEnumerable<DiagnosticInfo> earlier,
        System.Func<System.Collections.Generic.List<DiagnosticInfo>, T?> run) where T : class
    {
        var diagnostics = earlier.ToList();
        try
        {
            var value = run(diagnostics);
            return new StageResult<T>(DiagnosticInfo.AnyErrors(diagnostics) ? null : value, EquatableArray.From(diagnostics), model, site);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, site, model, stage, e.Message));
            return new StageResult<T>(null, EquatableArray.From(diagnostics), model, site);
        }
    }
}

/// <summary>
/// One stage's output: a value when the stage could produce one, every diagnostic so far, and the model it is
/// about, with its site (for a located internal error if a later stage fails). <see cref="Key"/> and
/// <see cref="Fallback"/>, read by the Parsing stage, travel with it to the end, where the diagnostics meet the
/// location table of the same key and the fallback is emitted if no stage produced the code.
/// </summary>
internal sealed record StageResult<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics, string Model, Site? Site) where T : class
{
    /// <summary>Which declaration this is about: its <see cref="LocationTable"/> carries the same key.</summary>
    public string Key { get; init; } = "";

    /// <summary>The throwing members to emit if the declaration is rejected; null where no partial part can be added.</summary>
    public FallbackSpec? Fallback { get; init; }

    public StageResult<TNext> With<TNext>(TNext? value, System.Collections.Generic.IEnumerable<DiagnosticInfo>? diagnostics = null) where TNext : class
        => new(value, diagnostics is null ? Diagnostics : EquatableArray.From(diagnostics), Model, Site) { Key = Key, Fallback = Fallback };

    /// <summary>This result, with the key and fallback of <paramref name="earlier"/> (a stage that starts afresh, through <see cref="Stage.Run{T}"/>).</summary>
    public StageResult<T> After<TEarlier>(StageResult<TEarlier> earlier) where TEarlier : class
        => this with { Key = earlier.Key, Fallback = earlier.Fallback };

    /// <summary>
    /// Runs the next stage on the value, if there is one. The generator never throws: an exception becomes a
    /// GG0099 diagnostic on the model, naming the stage.
    /// </summary>
    public StageResult<TNext> Then<TNext>(string stage, System.Func<T, TNext> next) where TNext : class
    {
        if (Value is null) return With<TNext>(null);
        try
        {
            return With(next(Value));
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            return With<TNext>(null, System.Linq.Enumerable.Append(Diagnostics, DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, Site, Model, stage, e.Message)));
        }
    }
}
