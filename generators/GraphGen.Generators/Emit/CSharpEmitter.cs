using System;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>The generated file: its hint name and text.</summary>
internal sealed record GeneratedSource(string HintName, string Text);

/// <summary>Emit stage: a model's plan becomes its partial class, a function's plan its gradient method.</summary>
internal static class CSharpEmitter
{
    public const string Version = "0.1.0";

    public static GeneratedSource Emit(KernelPlan plan) => plan.Owner switch
    {
        ModelInfo model => ModelEmitter.Emit(plan, model),
        FunctionInfo function => FunctionEmitter.Emit(plan, function),
        _ => throw new NotSupportedException(plan.Owner.GetType().Name),
    };
}
