using System.Collections.Generic;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Whether the model's output fits its loss, for both front ends (a Dense stack's last layer, a [Forward] body's
/// result): cross-entropy reads probabilities (its table entry says softmax or sigmoid), or logits with FromLogits;
/// a regression loss reads anything but a softmax and ignores FromLogits. Each front end words what it wants in its
/// own terms (a layer's activation, an Op call).
/// </summary>
internal static class LossCheck
{
    /// <summary>How a front end names outputs in the message: the fitting kinds of output, for a loss and FromLogits.</summary>
    internal sealed record Wording(System.Func<string, string> Probabilities, System.Func<string, string> Logits, string NotSoftmax);

    public static Wording Dense { get; } = new(
        p => $"a {p} output (or a linear one with FromLogits = true)",
        p => $"a linear output (FromLogits = true: the model outputs logits and the loss applies {p})",
        "an element-wise activation (linear for unbounded targets)");

    public static Wording Forward { get; } = new(
        p => $"a {OpName(p)}(…) result (or logits with FromLogits = true)",
        p => $"logits (FromLogits = true applies {OpName(p)} itself)",
        "an output that is not a softmax");

    /// <param name="applied">What the output's last op applies (Linear for none).</param>
    /// <param name="logitsMustBeLinear">Whether FromLogits needs no activation at all (a Dense layer), or only no probabilities.</param>
    public static void Check(ModelSpec spec, ActivationKind applied, bool logitsMustBeLinear, Wording wording, Site? at, string who, string applies,
        List<DiagnosticInfo> diagnostics)
    {
        var loss = Losses.Of(spec.Loss);
        if (loss.Probabilities is not { } probabilities)
        {
            if (spec.FromLogits) diagnostics.Add(DiagnosticInfo.Create(FromLogitsIgnored, spec.FromLogitsSite, spec.Loss.ToString()));
            if (applied == ActivationKind.Softmax)
                diagnostics.Add(DiagnosticInfo.Create(LossDoesNotFitOutput, at, spec.Loss.ToString(), wording.NotSoftmax, who, applies));
            return;
        }
        string name = Activations.Of(probabilities).Keras;
        bool fits = spec.FromLogits ? (logitsMustBeLinear ? applied == ActivationKind.Linear : applied != probabilities) : applied == probabilities;
        if (!fits)
            diagnostics.Add(DiagnosticInfo.Create(LossDoesNotFitOutput, at, spec.Loss.ToString(),
                spec.FromLogits ? wording.Logits(name) : wording.Probabilities(name), who, applies));
    }

    private static string OpName(string keras) => keras == "softmax" ? "Op.Softmax" : "Op.Sigmoid";
}
