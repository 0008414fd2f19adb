using System.Linq;
using Microsoft.CodeAnalysis;
using GraphGen.Generators.Diagnostics;

namespace GraphGen.Generators.Model;

/// <summary>A diagnostic waiting to be reported: descriptor id, message arguments and place, all equatable.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments)
        => new(descriptor.Id, location, EquatableArray.Of(arguments));

    public Diagnostic ToDiagnostic()
        => Diagnostic.Create(DiagnosticDescriptors.ById(Id), Location?.ToLocation(), Arguments.Items.Cast<object>().ToArray());

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
    public static StageResult<T> Run<T>(string stage, string model, LocationInfo? location, System.Collections.Generic.IEnumerable<DiagnosticInfo> earlier,
        System.Func<System.Collections.Generic.List<DiagnosticInfo>, T?> run) where T : class
    {
        var diagnostics = earlier.ToList();
        try
        {
            var value = run(diagnostics);
            return new StageResult<T>(DiagnosticInfo.AnyErrors(diagnostics) ? null : value, EquatableArray.From(diagnostics), model, location);
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, model, stage, e.Message));
            return new StageResult<T>(null, EquatableArray.From(diagnostics), model, location);
        }
    }
}

/// <summary>
/// One stage's output: a value when the stage could produce one, every diagnostic so far, and the model it is
/// about (for a located internal error if a later stage fails). <see cref="Fallback"/>, read by the Parsing
/// stage, travels with it to the end, where it is emitted if no stage produced the code.
/// </summary>
internal sealed record StageResult<T>(T? Value, EquatableArray<DiagnosticInfo> Diagnostics, string Model, LocationInfo? Location) where T : class
{
    /// <summary>The throwing members to emit if the declaration is rejected; null where no partial part can be added.</summary>
    public FallbackSpec? Fallback { get; init; }

    public StageResult<TNext> With<TNext>(TNext? value, System.Collections.Generic.IEnumerable<DiagnosticInfo>? diagnostics = null) where TNext : class
        => new(value, diagnostics is null ? Diagnostics : EquatableArray.From(diagnostics), Model, Location) { Fallback = Fallback };

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
            return With<TNext>(null, System.Linq.Enumerable.Append(Diagnostics, DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, Location, Model, stage, e.Message)));
        }
    }
}
