using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>
/// How the C# emitters spell a plan's operand ids: a model's parameter objects (<c>_hidden.Weight</c>, its values
/// <c>_hidden.Weight.Data</c> and gradient <c>_hidden.Weight.Gradient</c>), a [Differentiable] function's arguments and
/// the gradient arrays it returns (<c>x.Data</c>, <c>xGradient</c>), buffer fields named after their first value
/// (<c>_hiddenOut</c>), and constants as float literals. Every name is chosen here, once per plan, clear of the others.
/// </summary>
internal sealed class CSharpNames
{
    private readonly string[] _buffers;
    private readonly string[] _values;
    private readonly string[] _gradients;
    private readonly string[] _parameterNames;

    private CSharpNames(string[] buffers, string[] values, string[] gradients, string[] parameterNames)
    {
        _parameterNames = parameterNames;
        _buffers = buffers;
        _values = values;
        _gradients = gradients;
    }

    public static CSharpNames For(KernelPlan plan)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        int count = plan.Parameters.Count;
        string[] values = new string[count], gradients = new string[count], objects = new string[count];
        if (plan.Owner is FunctionInfo function)
        {
            foreach (var argument in function.Arguments) taken.Add(argument.Name);
            for (int p = 0; p < count; p++)
            {
                var argument = function.Arguments[plan.Parameters[p].Member];
                values[p] = argument.IsScalar ? Unique(argument.Name + "Value", taken) : argument.Name + ".Data";
                gradients[p] = Unique(argument.Name + "Gradient", taken);
                objects[p] = argument.Name;
            }
        }
        else if (plan.Owner is ModelInfo model)
        {
            foreach (var property in model.Layers.Select(l => l.PropertyName).Concat(model.Declared.Select(d => d.PropertyName)))
                taken.Add(Field(property));
            for (int p = 0; p < count; p++)
            {
                var parameter = plan.Parameters[p];
                objects[p] = parameter.Part switch
                {
                    ParameterPart.Whole => Field(model.Declared[parameter.Member].PropertyName),
                    var part => Field(model.Layers[parameter.Member].PropertyName) + "." + part, // .Weight, .Bias, .Gamma, …
                };
                values[p] = objects[p] + ".Data";
                gradients[p] = objects[p] + ".Gradient";
            }
        }
        var buffers = plan.Buffers.Select(b => Unique(FieldName(b.Name), taken)).ToArray();
        return new CSharpNames(buffers, values, gradients, plan.Parameters.Select(p => p.Name).ToArray());
    }

    /// <summary>The backing field of a generated property: <c>Hidden</c> → <c>_hidden</c>.</summary>
    public static string Field(string property) => "_" + char.ToLowerInvariant(property[0]) + property.Substring(1);

    public string Buffer(int buffer) => _buffers[buffer];

    public string Value(int parameter) => _values[parameter];

    /// <summary>A parameter's own name, as weight files and comments write it (hidden.weight).</summary>
    public string ParameterName(int parameter) => _parameterNames[parameter];

    public string Gradient(int parameter) => _gradients[parameter];

    /// <summary>The float[] or span expression of an operand (a constant as its float literal).</summary>
    public string Of(Operand operand) => operand.Kind switch
    {
        OperandKind.Input => "x",
        OperandKind.Targets => "targets",
        OperandKind.Buffer => _buffers[operand.Id],
        OperandKind.ParameterValue => _values[operand.Id],
        OperandKind.ParameterGradient => _gradients[operand.Id],
        OperandKind.Constant => FloatLiteral(operand.Number),
        _ => throw new InvalidOperationException($"Operand {operand.Kind} {operand.Id} has no storage: the buffer plan did not run."),
    };

    /// <summary>A C# float expression for a constant, exact to float precision.</summary>
    public static string FloatLiteral(double value)
    {
        float f = (float)value;
        if (float.IsNaN(f)) return "float.NaN";
        if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
        if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
        return f.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>"d_hidden_out" → "_dHiddenOut".</summary>
    private static string FieldName(string valueName)
    {
        var builder = new StringBuilder("_");
        bool upper = false;
        foreach (char c in valueName)
        {
            if (!char.IsLetterOrDigit(c)) { upper = builder.Length > 1; continue; }
            builder.Append(upper ? char.ToUpperInvariant(c) : builder.Length == 1 ? char.ToLowerInvariant(c) : c);
            upper = false;
        }
        return builder.ToString();
    }

    /// <summary><paramref name="name"/>, or name2, name3, … : the first that <paramref name="taken"/> does not hold yet (then it does).</summary>
    internal static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int n = 2; !taken.Add(candidate); n++) candidate = name + n;
        return candidate;
    }
}
