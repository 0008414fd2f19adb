using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Training;

/// <summary>
/// RMSprop, as Keras: v ← ρv + (1 − ρ)g²; centered also keeps ā ← ρā + (1 − ρ)g and divides by v − ā² instead;
/// the step is lr·g / √(v + ε) (ε inside the root), taken directly or through a momentum buffer
/// m ← μm + step, w ← w − m. Keras's defaults: lr 0.001, ρ 0.9, no momentum, ε 1e-7, not centered.
/// </summary>
public sealed class RmsProp : Optimizer
{
    public RmsProp(LearningRateSchedule? learningRate = null, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false)
        : base(learningRate ?? 0.001f)
    {
        if (!(rho >= 0 && rho < 1)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1).");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (!(epsilon > 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a positive finite number.");
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
        SlotNames = new[] { "velocity", "average_gradient", "momentum" }
            .Where(s => s != "average_gradient" || centered).Where(s => s != "momentum" || momentum > 0).ToArray();
    }

    public float Rho { get; }
    public float Momentum { get; }
    public float Epsilon { get; }
    public bool Centered { get; }
    public override string Name => "rmsprop";
    public override IReadOnlyList<string> SlotNames { get; }

    protected override void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
    {
        var rule = new Rule(learningRate, Rho, Momentum, Epsilon, Centered);
        // Slots in SlotNames order; a missing one is passed empty.
        float[]? average = Centered ? slots[1] : null;
        float[]? momentum = Momentum > 0 ? slots[^1] : null;
        pass.Apply(rule, parameter, slots[0], average, momentum);
    }

    public override string ToString() => $"RMSprop(learning rate {LearningRate}, rho {Rho}" + (Momentum > 0 ? $", momentum {Momentum}" : "") + (Centered ? ", centered" : "") + ")";

    private readonly struct Rule(float lr, float rho, float mu, float epsilon, bool centered) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref float w, float g, ref float v, ref float average, ref float m)
        {
            v = rho * v + (1 - rho) * g * g;
            float denominator = v + epsilon;
            if (centered)
            {
                average = rho * average + (1 - rho) * g;
                denominator -= average * average;
            }
            float increment = lr * g / MathF.Sqrt(denominator);
            if (mu > 0)
            {
                m = mu * m + increment;
                w -= m;
            }
            else w -= increment;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> v, ref Vector<float> average, ref Vector<float> m)
        {
            v = rho * v + (1 - rho) * g * g;
            var denominator = v + new Vector<float>(epsilon);
            if (centered)
            {
                average = rho * average + (1 - rho) * g;
                denominator -= average * average;
            }
            var increment = lr * g / Vector.SquareRoot(denominator);
            if (mu > 0)
            {
                m = mu * m + increment;
                w -= m;
            }
            else w -= increment;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> v, ref Vector512<float> average, ref Vector512<float> m)
        {
            v = rho * v + (1 - rho) * g * g;
            var denominator = v + Vector512.Create(epsilon);
            if (centered)
            {
                average = rho * average + (1 - rho) * g;
                denominator -= average * average;
            }
            var increment = lr * g / Vector512.Sqrt(denominator);
            if (mu > 0)
            {
                m = mu * m + increment;
                w -= m;
            }
            else w -= increment;
        }
    }
}
