using System.Collections.Generic;
using GraphGen.Generators.Model;
using Microsoft.CodeAnalysis;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// Numbers the positions one declaration's parse may report at: each new span gets the next <see cref="Site"/>
/// (the same span its old one), in the order the parser visits them, which depends on the declaration's
/// structure alone. What the parse gives the later stages holds the sites; <see cref="ToTable"/> keeps the spans.
/// </summary>
internal sealed class SiteTable
{
    private readonly List<LocationInfo> _locations = new();
    private readonly Dictionary<LocationInfo, int> _indices = new();

    /// <summary>The site of <paramref name="location"/>; null for none (no place, or one outside a source file).</summary>
    public Site? At(LocationInfo? location)
    {
        if (location is null) return null;
        if (!_indices.TryGetValue(location, out int index))
        {
            index = _locations.Count;
            _locations.Add(location);
            _indices.Add(location, index);
        }
        return new Site(index);
    }

    public Site? At(Location? location) => At(LocationInfo.From(location));

    public Site? At(SyntaxNode? node) => At(LocationInfo.From(node));

    public Site? At(SyntaxToken token) => At(LocationInfo.From(token.GetLocation()));

    /// <summary>
    /// The key of a declaration's results and location table: the symbol's documentation ID ("T:Demo.Net",
    /// "M:Demo.Tape.Affine(GraphGen.Tensor,GraphGen.Tensor)"), which names it and none other and moves with no text.
    /// </summary>
    public static string Key(ISymbol symbol) => symbol.GetDocumentationCommentId() ?? symbol.ToDisplayString();

    public LocationTable ToTable(string key) => new(key, EquatableArray.From(_locations));
}
