namespace GraphGen.Training;

/// <summary>
/// How an optimizer's rule reaches a parameter: <see cref="Optimizer"/> hands each parameter's rule to a pass, which
/// runs it (on the CPU, as one fused loop over the parameter on every core).
/// </summary>
public interface IUpdatePass
{
    /// <summary>Applies <paramref name="rule"/> to <paramref name="parameter"/>; a state slot the rule does not use is null.</summary>
    void Apply<TRule>(in TRule rule, Parameter parameter, float[]? s0, float[]? s1, float[]? s2) where TRule : struct, IUpdateRule;
}

/// <summary>The rule over the parameter and its finished gradient, in one pass on every core.</summary>
internal readonly struct LoopPass : IUpdatePass
{
    public void Apply<TRule>(in TRule rule, Parameter parameter, float[]? s0, float[]? s1, float[]? s2) where TRule : struct, IUpdateRule
        => FusedUpdate.Run(rule, parameter.Data, parameter.Gradient, s0, s1, s2);
}
