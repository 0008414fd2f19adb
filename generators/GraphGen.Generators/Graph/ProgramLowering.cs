using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Model;

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

    private static int LowerOne(Instruction s, int[] x, IrBuilder ir, Func<int, int> argument, Func<int, int> parameter)
    {
        string name = s.Name, layer = s.Statement;
        switch (s.Op)
        {
            case TensorOp.Argument: return argument(s.Arguments[0]);
            case TensorOp.Parameter: return parameter(s.Arguments[0]);
            case TensorOp.Constant: return ir.Constant(s.Constant, name, layer);
            case TensorOp.Add: return ir.Binary(OpKind.Add, x[0], x[1], name, layer, "Operator +");
            case TensorOp.Subtract: return ir.Binary(OpKind.Subtract, x[0], x[1], name, layer, "Operator −");
            case TensorOp.Multiply: return ir.Binary(OpKind.Multiply, x[0], x[1], name, layer, "Operator *");
            case TensorOp.Divide: return ir.Binary(OpKind.Divide, x[0], x[1], name, layer, "Operator /");
            case TensorOp.Negate: return ir.Unary(OpKind.Negate, x[0], name, layer);
            case TensorOp.MatMul: return ir.MatMul(x[0], x[1], name, layer);
            case TensorOp.Transpose: return ir.Transpose(x[0], name, layer);
            case TensorOp.Reshape: return ir.Reshape(x[0], s.Arguments.ToArray(), name, layer);
            case TensorOp.Concat: return ir.Concat(x, s.Arguments[0], name, layer);
            case TensorOp.Activation: return ir.Activation(s.Activation, x[0], name, layer);
            case TensorOp.Softmax: return ir.Softmax(x[0], name, layer);
            case TensorOp.Exp: return ir.Unary(OpKind.Exp, x[0], name, layer);
            case TensorOp.Log: return ir.Unary(OpKind.Log, x[0], name, layer);
            case TensorOp.Sqrt: return ir.Unary(OpKind.Sqrt, x[0], name, layer);
            case TensorOp.Square: return ir.Unary(OpKind.Square, x[0], name, layer);
            case TensorOp.Sum:
            case TensorOp.Mean:
                return ir.Reduce(s.Op == TensorOp.Sum ? OpKind.Sum : OpKind.Mean, x[0], s.Arguments.Count == 0 ? Node.AllAxes : s.Arguments[0], name, layer);
            default: throw new NotSupportedException($"Instruction {s.Op}.");
        }
    }
}
