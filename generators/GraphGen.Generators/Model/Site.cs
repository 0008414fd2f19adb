namespace GraphGen.Generators.Model;

/// <summary>
/// A position of interest in a declaration (an attribute argument, a member, a sub-expression), by number. The
/// Parsing stage numbers the positions it may report at and keeps their spans in the declaration's
/// <see cref="LocationTable"/>; the pipeline records hold only these numbers, so an edit that only moves the
/// declaration's text (a line inserted above it) leaves them equal and every stage after parsing cached.
/// A diagnostic's site is resolved against the table when it is reported.
/// </summary>
internal readonly record struct Site(int Index);
