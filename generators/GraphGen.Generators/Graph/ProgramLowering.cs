using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;
using GraphGen.Generators.Ops;

namespace GraphGen.Generators.Graph;

/// <summary>
/// Lowers the instructions of a [Forward] or [Differentiable] body into IR through <see cref="IrBuilder"/>,
/// which infers and checks every shape. A problem becomes a diagnostic on the sub-expression at fault; values
/// computed from a failed one are skipped quietly, so one mistake gives one diagnostic.
/// </summary>
internal static class ProgramLowering
{
    /// <summary>The node of every instruction, −1 where it failed.</summary>
    public static int[] Lower(ProgramSpec program, IrBuilder ir, Func<int, int> argument, Func<int, int> parameter, List<DiagnosticInfo> diagnostics)
    {
        var nodes = new int[program.Instructions.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            var instruction = program.Instructions[i];
            if (instruction.Operands.Any(o => nodes[o] < 0))
            {
                nodes[i] = -1;
                continue;
            }
            try
            {
                nodes[i] = LowerOne(instruction, instruction.Operands.Select(o => nodes[o]).ToArray(), ir, argument, parameter);
            }
            catch (ShapeException e)
            {
                diagnostics.Add(DiagnosticInfo.Create(e.Descriptor, instruction.Site, e.Arguments));
                nodes[i] = -1;
            }
        }
        return nodes;
    }

    /// <summary>A leaf (an argument, a [Parameter] property, a number), an activation, or the op's own shape rule from the op table.</summary>
    private static int LowerOne(Instruction s, int[] x, IrBuilder ir, Func<int, int> argument, Func<int, int> parameter) => s.Op switch
    {
        OpKind.Input => argument(s.Arguments[0]),
        OpKind.Parameter => parameter(s.Arguments[0]),
        OpKind.Constant => ir.Constant(s.Constant, s.Name, s.Statement),
        OpKind.Activation => ir.Activation(s.Activation, x[0], s.Name, s.Statement),
        _ => (OpTable.Of(s.Op).Lower ?? throw new NotSupportedException($"Instruction {s.Op} has no shape rule."))(ir, x, s),
    };
}
