using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Diagnostics.DiagnosticDescriptors;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Graph stage for [Forward] models: the inputs arrive side by side in one row (x), so each argument is a
/// column slice of it, reshaped to its declared per-sample shape; the body lowers through
/// <see cref="ProgramLowering"/>; then the output is checked against the loss and the loss appended as for Dense.
/// </summary>
internal static class ForwardGraphBuilder
{
    public static ModelGraph? Lower(ModelSpec spec, ForwardSpec forward, List<DiagnosticInfo> diagnostics)
    {
        var program = forward.Program;
        var ir = new IrBuilder();
        var widths = program.Arguments.Select(a => a.Shape.Aggregate(1L, (p, d) => p * d)).ToArray();
        long total = widths.Sum();
        if (total > Shape.MaxArrayLength)
        {
            diagnostics.Add(DiagnosticInfo.Create(InvalidShape, forward.MethodSite, $"the inputs of '{forward.MethodName}'", $"{total} values per sample do not fit in one array"));
            return null;
        }

        bool oneFlatInput = program.Arguments.Count == 1 && program.Arguments[0].Shape.Count == 1;
        int input = ir.Leaf(OpKind.Input, Shape.Rows((int)total), oneFlatInput ? program.Arguments[0].Name : "x", "input");
        var arguments = new int[program.Arguments.Count];
        int offset = 0;
        for (int i = 0; i < arguments.Length; i++)
        {
            var argument = program.Arguments[i];
            int value = program.Arguments.Count == 1 ? input : ir.Slice(input, 1, offset, (int)widths[i], argument.Name, "input");
            if (argument.Shape.Count != 1) value = ir.Reshape(value, new[] { -1 }.Concat(argument.Shape).ToArray(), argument.Name, "input");
            arguments[i] = value;
            offset += (int)widths[i];
        }

        var parameters = new List<ParameterInfo>();
        var declared = new List<DeclaredParameterInfo>();
        var parameterNodes = new int[forward.Parameters.Count];
        for (int i = 0; i < parameterNodes.Length; i++)
        {
            var p = forward.Parameters[i];
            parameterNodes[i] = ir.Leaf(OpKind.Parameter, Shape.Of(p.Shape.ToArray()), p.PropertyName, p.PropertyName);
            parameters.Add(new ParameterInfo(parameterNodes[i], p.PropertyName, i, ParameterPart.Whole) { Trainable = p.Trainable });
            declared.Add(new DeclaredParameterInfo(p.PropertyName, p.Modifiers, p.TypeName, p.Shape, p.Initializer) { Trainable = p.Trainable });
        }

        var values = ProgramLowering.Lower(program, ir, a => arguments[a], p => parameterNodes[p], diagnostics);
        int output = values[program.Result];
        if (output < 0) return null;
        var shape = ir[output].Shape;
        if (shape.Rank != 2 || shape.Dims[0] != Shape.Batch || shape.Dims[1] == Shape.Batch)
        {
            diagnostics.Add(DiagnosticInfo.Create(ModelOutputShape, program.ResultSite, forward.MethodName, shape.ToString()));
            return null;
        }
        CheckLoss(spec, forward, ir[output], diagnostics);
        if (DiagnosticInfo.AnyErrors(diagnostics)) return null;

        // A sample's output that reads other rows of its batch: warned at each op where rows first mix, and Predict and
        // Evaluate then run the whole input as one batch.
        var mixing = RowDependence.MixingPoints(ir.Nodes, output);
        foreach (var (node, what) in mixing)
        {
            int instruction = System.Array.IndexOf(values, node);
            var location = instruction >= 0 ? program.Instructions[instruction].Site : forward.MethodSite;
            diagnostics.Add(DiagnosticInfo.Create(MixesBatchRows, location, what, $"{spec.Type.Name}.{forward.MethodName}"));
        }

        var info = new ModelInfo(spec.Type, (int)total, shape.Dims[1], spec.Loss, spec.FromLogits, EquatableArray<LayerInfo>.Empty,
            forward.MethodName, EquatableArray.From(declared), program.Arguments.Count > 1 ? EquatableArray.From(widths.Select(w => (int)w)) : default,
            MixesBatchRows: mixing.Count > 0);
        var graph = GraphBuilder.Finish(ir, info, input, output, "output", parameters);
        // Pruned, the graph still holds every parameter (leaves stay): one that nothing reads never trains.
        var read = new HashSet<int>(graph.Nodes.SelectMany(n => n.Inputs));
        for (int i = 0; i < graph.Parameters.Count; i++)
            if (!read.Contains(graph.Parameters[i].Node))
                diagnostics.Add(DiagnosticInfo.Create(UnusedParameter, forward.Parameters[i].Site, forward.Parameters[i].PropertyName, forward.MethodName));
        return graph;
    }

    /// <summary>The output's last op against what the loss needs, as the Dense front end checks its last layer.</summary>
    private static void CheckLoss(ModelSpec spec, ForwardSpec forward, Node output, List<DiagnosticInfo> diagnostics)
    {
        var applied = output.Op == OpKind.Softmax ? ActivationKind.Softmax : output.Op == OpKind.Activation ? output.Activation : ActivationKind.Linear;
        string applies = output.Op == OpKind.Softmax ? "Softmax" : output.Op == OpKind.Activation ? output.Activation.ToString() : "no activation";
        LossCheck.Check(spec, applied, logitsMustBeLinear: false, LossCheck.Forward, forward.Program.ResultSite, forward.MethodName, applies, diagnostics);
    }
}
