using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The C# expressions that hold each parameter's values and gradient: a model's Parameter objects
/// (<c>_w1.Data</c>, <c>_w1.Gradient</c>), or a [Differentiable] function's arguments and the gradient arrays it
/// returns (<c>x.Data</c>, <c>xGradient</c>). <see cref="Taken"/> keeps buffer names clear of them.
/// </summary>
internal sealed class Holders
{
    private readonly Dictionary<string, (string Value, string Gradient)> _byParameter = new();

    public HashSet<string> Taken { get; } = new();

    public string Value(ParameterInfo parameter) => _byParameter[parameter.Name].Value;
    public string Gradient(ParameterInfo parameter) => _byParameter[parameter.Name].Gradient;

    public static Holders For(GraphOwner owner, IEnumerable<ParameterInfo> parameters)
    {
        var holders = new Holders();
        if (owner is not FunctionInfo function)
        {
            foreach (var p in parameters) holders._byParameter[p.Name] = (p.Holder + ".Data", p.Holder + ".Gradient");
            return holders;
        }
        foreach (var argument in function.Arguments) holders.Taken.Add(argument.Name);
        foreach (var argument in function.Arguments)
        {
            string value = argument.IsScalar ? Unique(argument.Name + "Value", holders.Taken) : argument.Name + ".Data";
            holders._byParameter[argument.Name] = (value, Unique(argument.Name + "Gradient", holders.Taken));
        }
        return holders;
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        string candidate = name;
        for (int n = 2; !taken.Add(candidate); n++) candidate = name + n;
        return candidate;
    }
}
