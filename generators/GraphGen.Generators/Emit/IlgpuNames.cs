using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;
using Microsoft.CodeAnalysis.CSharp;

namespace GraphGen.Generators.Emit;

/// <summary>
/// How the ILGPU emitter spells a plan's operands: as locals of the step's views, named after what they hold
/// (<c>x</c>, <c>labels</c>, <c>hiddenWeight</c>, <c>dHiddenWeight</c>, <c>hiddenOut</c>, <c>dOutputZ</c>), each with the
/// <see cref="Source"/> expression that reads it off the <see cref="GraphGen.Ilgpu.IlgpuStep"/> <c>s</c>. Every name is
/// chosen here, once per plan, clear of the others and of the sequence methods' own (<c>s</c>, <c>batch</c>).
/// </summary>
internal sealed class IlgpuNames
{
    /// <summary>The locals every sequence method has besides the operands: its parameters.</summary>
    private static readonly string[] s_reserved = { "s", "batch", "rowLosses" };

    private readonly KernelPlan _plan;
    private readonly bool _sparseLabels;
    private readonly string[] _buffers, _values, _gradients;

    public IlgpuNames(KernelPlan plan, bool sparseLabels)
    {
        _plan = plan;
        _sparseLabels = sparseLabels;
        var taken = new HashSet<string>(s_reserved, StringComparer.Ordinal) { "x", sparseLabels ? "labels" : "targets" };
        _values = plan.Parameters.Select(p => CSharpNames.Unique(Camel(p.Name), taken)).ToArray();
        _gradients = plan.Parameters.Select(p => CSharpNames.Unique("d" + Pascal(p.Name), taken)).ToArray();
        _buffers = plan.Buffers.Select(b => CSharpNames.Unique(Camel(b.Name), taken)).ToArray();
    }

    /// <summary>The local an operand is read through in the sequence methods.</summary>
    public string Local(Operand o) => o.Kind switch
    {
        OperandKind.Input => "x",
        OperandKind.Targets => _sparseLabels ? "labels" : "targets",
        OperandKind.Buffer => _buffers[o.Id],
        OperandKind.ParameterValue => _values[o.Id],
        OperandKind.ParameterGradient => _gradients[o.Id],
        OperandKind.Constant => CSharpNames.FloatLiteral(o.Number),
        _ => throw new InvalidOperationException($"Operand {o.Kind} {o.Id} has no storage: the buffer plan did not run."),
    };

    /// <summary>Where the local comes from: the step's view of it.</summary>
    public string Source(Operand o) => o.Kind switch
    {
        OperandKind.Input => "s.Input",
        OperandKind.Targets => _sparseLabels ? "s.Labels" : "s.Targets",
        OperandKind.Buffer => $"s.Buffer({o.Id})",
        OperandKind.ParameterValue => $"s.Value({o.Id})",
        OperandKind.ParameterGradient => $"s.Gradient({o.Id})",
        _ => throw new InvalidOperationException($"A {o.Kind} operand is not a view of the step."),
    };

    /// <summary>What the local holds, for its comment: the value or parameter it is, and its shape.</summary>
    public string Describe(Operand o) => o.Kind switch
    {
        OperandKind.Input => $"the batch {o.Shape}",
        OperandKind.Targets => _sparseLabels ? $"the class labels {o.Shape}" : $"the targets {o.Shape}",
        OperandKind.Buffer => $"{_plan.Buffers[o.Id].Name} {_plan.Buffers[o.Id].Shape}",
        OperandKind.ParameterValue => $"{_plan.Parameters[o.Id].Name} {o.Shape}",
        OperandKind.ParameterGradient => $"d {_plan.Parameters[o.Id].Name} {o.Shape}",
        _ => o.Shape.ToString(),
    };

    /// <summary>The element type of an operand's view: int for sparse labels, else float.</summary>
    public string ElementType(Operand o) => o.Kind == OperandKind.Targets && _sparseLabels ? "int" : "float";

    public string ParameterName(int parameter) => _plan.Parameters[parameter].Name;

    /// <summary>"d_hidden_out" → "dHiddenOut", "hidden.weight" → "hiddenWeight", "W1" → "w1".</summary>
    internal static string Camel(string name)
    {
        string pascal = Pascal(name);
        string camel = char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return SyntaxFacts.GetKeywordKind(camel) != SyntaxKind.None ? "@" + camel : camel;
    }

    /// <summary>"d_hidden_out" → "DHiddenOut": each run of letters and digits capitalised, the rest dropped; "V" before a digit.</summary>
    internal static string Pascal(string name)
    {
        var b = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9')) { upper = true; continue; }
            b.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (b.Length == 0 || char.IsDigit(b[0])) b.Insert(0, 'V');
        return b.ToString();
    }
}
