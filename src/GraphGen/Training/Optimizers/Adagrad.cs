using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Training;

/// <summary>
/// Adagrad, as Keras: a ← a + g², w ← w − lr·g / √(a + ε), the accumulator starting at 0.1.
/// Keras's defaults: lr 0.001, initial accumulator 0.1, ε 1e-7.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] s_slots = ["accumulator"];

    public Adagrad(LearningRateSchedule? learningRate = null, float initialAccumulatorValue = 0.1f, float epsilon = 1e-7f)
        : base(learningRate ?? 0.001f)
    {
        if (!(initialAccumulatorValue >= 0) || !float.IsFinite(initialAccumulatorValue))
            throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "The initial accumulator value must be a finite number ≥ 0.");
        if (!(epsilon > 0) || !float.IsFinite(epsilon)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be a positive finite number.");
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = epsilon;
    }

    public float InitialAccumulatorValue { get; }
    public float Epsilon { get; }
    public override string Name => "adagrad";
    public override IReadOnlyList<string> SlotNames => s_slots;

    protected override float InitialSlotValue(int slot) => InitialAccumulatorValue;

    protected override void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
        => pass.Apply(new Rule(learningRate, Epsilon), parameter, slots[0], null, null);

    public override string ToString() => $"Adagrad(learning rate {LearningRate})";

    private readonly struct Rule(float lr, float epsilon) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref float w, float g, ref float a, ref float s1, ref float s2)
        {
            a += g * g;
            w -= lr * g / MathF.Sqrt(a + epsilon);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> a, ref Vector<float> s1, ref Vector<float> s2)
        {
            a += g * g;
            w -= lr * g / Vector.SquareRoot(a + new Vector<float>(epsilon));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> a, ref Vector512<float> s1, ref Vector512<float> s2)
        {
            a += g * g;
            w -= lr * g / Vector512.Sqrt(a + Vector512.Create(epsilon));
        }
    }
}
