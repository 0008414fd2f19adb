using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Training;

/// <summary>
/// Adam, as Keras: m ← m + (g − m)(1 − β₁), v ← v + (g² − v)(1 − β₂), and with the bias correction folded into
/// the step size α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ), w ← w − α·m / (√v + ε). Keras's defaults: lr 0.001,
/// β₁ 0.9, β₂ 0.999, ε 1e-7.
/// </summary>
public sealed class Adam : Optimizer
{
    private static readonly string[] s_slots = ["momentum", "velocity"];

    public Adam(LearningRateSchedule? learningRate = null, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base(learningRate ?? 0.001f)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a positive finite number.");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    public override string Name => "adam";
    public override IReadOnlyList<string> SlotNames => s_slots;

    protected override void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
    {
        pass.Apply(new Rule(StepSize(learningRate, step), Beta1, Beta2, Epsilon), parameter, slots[0], slots[1], null);
    }

    /// <summary>Keras's bias correction folded into the learning rate: α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) at step t (from 1).</summary>
    internal float StepSize(float learningRate, long step)
        => (float)(learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step)));

    public override string ToString() => $"Adam(learning rate {LearningRate}, beta1 {Beta1}, beta2 {Beta2})";

    private readonly struct Rule(float alpha, float beta1, float beta2, float epsilon) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref float w, float g, ref float m, ref float v, ref float unused)
        {
            m += (g - m) * (1 - beta1);
            v += (g * g - v) * (1 - beta2);
            w -= m * alpha / (MathF.Sqrt(v) + epsilon);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> m, ref Vector<float> v, ref Vector<float> unused)
        {
            m += (g - m) * (1 - beta1);
            v += (g * g - v) * (1 - beta2);
            w -= m * alpha / (Vector.SquareRoot(v) + new Vector<float>(epsilon));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v, ref Vector512<float> unused)
        {
            m += (g - m) * (1 - beta1);
            v += (g * g - v) * (1 - beta2);
            w -= m * alpha / (Vector512.Sqrt(v) + Vector512.Create(epsilon));
        }
    }
}
