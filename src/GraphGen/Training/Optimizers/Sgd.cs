using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GraphGen.Training;

/// <summary>
/// Stochastic gradient descent, as Keras: without momentum w ← w − lr·g; with momentum μ, v ← μv − lr·g and
/// w ← w + v, or with Nesterov w ← w + μv − lr·g. Keras's defaults: lr 0.01, no momentum.
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] s_momentumSlots = ["momentum"];

    public Sgd(LearningRateSchedule? learningRate = null, float momentum = 0f, bool nesterov = false)
        : base(learningRate ?? 0.01f)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        Momentum = momentum;
        Nesterov = nesterov;
    }

    public float Momentum { get; }
    public bool Nesterov { get; }
    public override string Name => "sgd";
    public override IReadOnlyList<string> SlotNames => Momentum > 0 ? s_momentumSlots : [];

    protected override void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
    {
        if (Momentum == 0)
            pass.Apply(new PlainRule(learningRate), parameter, null, null, null);
        else
            pass.Apply(new MomentumRule(learningRate, Momentum, Nesterov), parameter, slots[0], null, null);
    }

    public override string ToString() => Momentum > 0 ? $"SGD(learning rate {LearningRate}, momentum {Momentum}{(Nesterov ? ", nesterov" : "")})" : $"SGD(learning rate {LearningRate})";

    private readonly struct PlainRule(float lr) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref float w, float g, ref float s0, ref float s1, ref float s2) => w -= lr * g;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> s0,
            ref Vector<float> s1, ref Vector<float> s2) => w -= lr * g;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> s0,
            ref Vector512<float> s1, ref Vector512<float> s2) => w -= lr * g;
    }

    private readonly struct MomentumRule(float lr, float mu, bool nesterov) : IUpdateRule
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref float w, float g, ref float v, ref float s1, ref float s2)
        {
            v = mu * v - lr * g;
            w += nesterov ? mu * v - lr * g : v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> v,
            ref Vector<float> s1, ref Vector<float> s2)
        {
            v = mu * v - lr * g;
            w += nesterov ? mu * v - lr * g : v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> v,
            ref Vector512<float> s1, ref Vector512<float> s2)
        {
            v = mu * v - lr * g;
            w += nesterov ? mu * v - lr * g : v;
        }
    }
}
