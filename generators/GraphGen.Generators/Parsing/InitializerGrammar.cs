using System;
using System.Globalization;

namespace GraphGen.Generators.Parsing;

/// <summary>
/// The initializer names <c>GraphGen.Training.Initializer.Parse</c> accepts, checked at compile time so a typo in
/// <c>[Dense(…, WeightInitializer = "he_nromal")]</c> is a diagnostic rather than a run-time error. A test holds
/// this grammar and the runtime's to the same answers.
/// </summary>
internal static class InitializerGrammar
{
    public const string Names = "zeros, ones, constant:V, uniform[:MIN:MAX], normal[:MEAN:STD], truncated_normal[:MEAN:STD], " +
        "glorot_uniform (glorot), glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal";

    /// <summary>Null when <paramref name="text"/> is a valid initializer, else what is wrong with it.</summary>
    public static string? Problem(string text)
    {
        string[] parts = text.Trim().Split(':');
        string name = parts[0].ToLowerInvariant();
        switch (name)
        {
            case "zeros" or "ones" or "glorot" or "glorot_uniform" or "glorot_normal" or "he_uniform" or "he_normal" or "lecun_uniform" or "lecun_normal":
                return parts.Length == 1 ? null : $"'{name}' takes no arguments";
            case "constant":
                return parts.Length != 2 ? "use constant:V" : NumberProblem(parts[1]);
            case "uniform" or "normal" or "truncated_normal":
                if (parts.Length == 1) return null;
                if (parts.Length != 3) return $"use {name} or {name}:{(name == "uniform" ? "MIN:MAX" : "MEAN:STD")}";
                if ((NumberProblem(parts[1]) ?? NumberProblem(parts[2])) is { } bad) return bad;
                float a = Parse(parts[1]), b = Parse(parts[2]);
                if (name == "uniform" && !(a < b)) return "MIN must be below MAX";
                if (name != "uniform" && b < 0) return "STD must be ≥ 0";
                return null;
            default:
                return $"use one of {Names}";
        }
    }

    private static string? NumberProblem(string text)
        => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && !float.IsNaN(v) && !float.IsInfinity(v)
            ? null : $"'{text}' is not a finite number";

    private static float Parse(string text) => float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
