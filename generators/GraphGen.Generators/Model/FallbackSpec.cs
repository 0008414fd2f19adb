namespace GraphGen.Generators.Model;

/// <summary>
/// What a declaration still needs from the generator when a stage rejects it, so that the build shows GraphGen's
/// diagnostics alone rather than a C# error for every member the generated part would have supplied: the
/// scopes to reopen (namespace, enclosing types, the type itself) and the members, as C# with a <see cref="Throw"/>
/// placeholder for their bodies. Read during parsing from the declaration alone, whatever else is wrong with it.
/// </summary>
/// <param name="HintName">The file it goes to: the one the compiled declaration would have gone to.</param>
/// <param name="Subject">What was rejected, for the header comment ("the [Model] declaration of").</param>
/// <param name="Owner">Who, in the exception message ("Demo.Net", "Demo.Tape.Affine").</param>
/// <param name="Scopes">Lines that open a block, outermost first; a scope's lines before its last are attributes.</param>
/// <param name="Members">Member declarations, one string each (lines separated by '\n').</param>
internal sealed record FallbackSpec(string HintName, string Subject, string Owner, EquatableArray<string> Scopes, EquatableArray<string> Members)
{
    /// <summary>Where a member's body goes: replaced by a throw expression that names the diagnostics.</summary>
    public const string Throw = "{throw}";
}
