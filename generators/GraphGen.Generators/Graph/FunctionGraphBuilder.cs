using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Graph stage for [Differentiable] functions: every argument is a leaf to differentiate with respect to, the
/// body lowers through <see cref="ProgramLowering"/>, and the value differentiated is the result (the sum of its
/// elements when it is a tensor, as GradientTape does with a non-scalar target).
/// </summary>
internal static class FunctionGraphBuilder
{
    public static StageResult<ModelGraph> Build(StageResult<FunctionSpec> parsed, CancellationToken cancellationToken)
        => parsed.Value is not { } spec ? parsed.With<ModelGraph>(null)
            : Stage.Run("graph", parsed.Model, parsed.Site, parsed.Diagnostics, diagnostics => Lower(spec, diagnostics));

    private static ModelGraph? Lower(FunctionSpec spec, List<DiagnosticInfo> diagnostics)
    {
        var program = spec.Program;
        var ir = new IrBuilder();
        var parameters = new List<ParameterInfo>();
        var arguments = program.Arguments.Select((a, i) =>
        {
            int node = ir.Leaf(OpKind.Parameter, Shape.Of(a.Shape.ToArray()), a.Name, a.Name);
            parameters.Add(new ParameterInfo(node, a.Name, i, ParameterPart.Whole));
            return node;
        }).ToArray();

        var values = ProgramLowering.Lower(program, ir, a => arguments[a], _ => throw new InvalidOperationException("A function has no [Parameter] properties."), diagnostics);
        int result = values[program.Result];
        if (result < 0) return null;
        // Dropout and batch normalisation act differently in training and inference; a function has neither.
        for (int i = 0; i < values.Length; i++)
            if (values[i] >= 0 && ir[values[i]].Op is OpKind.Dropout or OpKind.BatchNormalize)
            {
                diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.UnsupportedSyntax, program.Instructions[i].Site,
                    $"Op.{(ir[values[i]].Op == OpKind.Dropout ? "Dropout" : "BatchNormalization")} (it trains and predicts differently: use it in a model's [Forward] method)",
                    $"[Differentiable] method '{spec.Name}'"));
                return null;
            }
        // The result is what is differentiated; for a tensor the autodiff seeds ones, the gradient of its sum.
        var (nodes, map) = ir.Prune(result);
        var info = new FunctionInfo(spec.Container, spec.ContainerKeyword, spec.Name, spec.Modifiers, spec.ReturnsScalar, program.Arguments, spec.HintName);
        return new ModelGraph(info, EquatableArray.From(nodes), map(result), map(result),
            EquatableArray.From(parameters.Select(p => p with { Node = map(p.Node) })));
    }
}
