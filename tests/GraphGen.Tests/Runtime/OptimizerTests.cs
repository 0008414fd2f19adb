using GraphGen.Tests.Numerics;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// Every optimizer against Keras's update rule written out plainly in double precision: 10 steps on random
/// weights and gradients (37 values, so both the vector loop and its scalar tail run), to 1e-6.
/// </summary>
public class OptimizerTests
{
    private const int Length = 37, Steps = 10;

    /// <summary>One Keras rule: (w, g, state, lr, step from 1) → updates w and state in place.</summary>
    private delegate void ReferenceRule(double[] w, double[] g, double[][] state, double lr, int t);

    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "sgd" }, new object[] { "sgd-momentum" }, new object[] { "sgd-nesterov" },
        new object[] { "rmsprop" }, new object[] { "rmsprop-momentum" }, new object[] { "rmsprop-centered" },
        new object[] { "adam" }, new object[] { "adagrad" },
    };

    private static (Optimizer Optimizer, ReferenceRule Rule, int Slots, double Initial) Create(string name) => name switch
    {
        "sgd" => (new Sgd(0.1f), (w, g, s, lr, t) => { for (int i = 0; i < w.Length; i++) w[i] -= lr * g[i]; }, 0, 0),
        "sgd-momentum" => (new Sgd(0.1f, momentum: 0.9f), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++) { s[0][i] = 0.9 * s[0][i] - lr * g[i]; w[i] += s[0][i]; }
        }, 1, 0),
        "sgd-nesterov" => (new Sgd(0.1f, momentum: 0.9f, nesterov: true), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++) { s[0][i] = 0.9 * s[0][i] - lr * g[i]; w[i] += 0.9 * s[0][i] - lr * g[i]; }
        }, 1, 0),
        "rmsprop" => (new RmsProp(), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++) { s[0][i] = 0.9 * s[0][i] + 0.1 * g[i] * g[i]; w[i] -= lr * g[i] / Math.Sqrt(s[0][i] + 1e-7); }
        }, 1, 0),
        "rmsprop-momentum" => (new RmsProp(0.01f, momentum: 0.5f), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                s[0][i] = 0.9 * s[0][i] + 0.1 * g[i] * g[i];
                s[1][i] = 0.5 * s[1][i] + lr * g[i] / Math.Sqrt(s[0][i] + 1e-7);
                w[i] -= s[1][i];
            }
        }, 2, 0),
        "rmsprop-centered" => (new RmsProp(0.01f, rho: 0.8f, centered: true), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++)
            {
                s[0][i] = 0.8 * s[0][i] + 0.2 * g[i] * g[i];
                s[1][i] = 0.8 * s[1][i] + 0.2 * g[i];
                w[i] -= lr * g[i] / Math.Sqrt(s[0][i] - s[1][i] * s[1][i] + 1e-7);
            }
        }, 2, 0),
        "adam" => (new Adam(0.01f), (w, g, s, lr, t) =>
        {
            double alpha = lr * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            for (int i = 0; i < w.Length; i++)
            {
                s[0][i] += (g[i] - s[0][i]) * 0.1;
                s[1][i] += (g[i] * g[i] - s[1][i]) * 0.001;
                w[i] -= s[0][i] * alpha / (Math.Sqrt(s[1][i]) + 1e-7);
            }
        }, 2, 0),
        "adagrad" => (new Adagrad(0.05f), (w, g, s, lr, t) =>
        {
            for (int i = 0; i < w.Length; i++) { s[0][i] += g[i] * g[i]; w[i] -= lr * g[i] / Math.Sqrt(s[0][i] + 1e-7); }
        }, 1, 0.1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void UpdatesEqualKerasRule(string name)
    {
        var (optimizer, rule, slots, initial) = Create(name);
        var parameter = new Parameter("layer.weight", Length);
        GemmTests.Random(Length, 1).CopyTo(parameter.Data, 0);
        var w = parameter.Data.Select(v => (double)v).ToArray();
        var state = Enumerable.Range(0, slots).Select(_ => Enumerable.Repeat(initial, Length).ToArray()).ToArray();
        var parameters = new[] { parameter };
        for (int t = 1; t <= Steps; t++)
        {
            GemmTests.Random(Length, 100 + t).CopyTo(parameter.Gradient, 0);
            double lr = optimizer.CurrentLearningRate;
            optimizer.Step(parameters);
            rule(w, parameter.Gradient.Select(v => (double)v).ToArray(), state, lr, t);
            for (int i = 0; i < Length; i++)
                Assert.True(Math.Abs(w[i] - parameter.Data[i]) <= 1e-6, $"{name}, step {t}, w[{i}]: Keras's rule gives {w[i]}, GraphGen {parameter.Data[i]}");
        }
        Assert.Equal(Steps, optimizer.Iterations);
        Assert.Equal(slots, optimizer.SlotNames.Count);
        var saved = optimizer.State(parameters).ToList();
        for (int s = 0; s < slots; s++)
            for (int i = 0; i < Length; i++) Assert.Equal(state[s][i], saved[s].Values[i], 1e-6);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryVectorWidthComputesWhatTheScalarRuleDoes(string name)
    {
        // 61 values: up to 15 one by one to w's first cache line, then Vector512s where AVX-512 runs, Vector<float>s and a
        // scalar tail, against 61 one-value parameters, which only the scalar overload updates.
        const int length = 3 * 16 + 8 + 5;
        var (vectors, _, _, _) = Create(name);
        var (scalars, _, _, _) = Create(name);
        var whole = new Parameter("whole", length);
        var singles = Enumerable.Range(0, length).Select(i => new Parameter($"v{i}", 1)).ToArray();
        GemmTests.Random(length, 5).CopyTo(whole.Data, 0);
        for (int i = 0; i < length; i++) singles[i].Data[0] = whole.Data[i];
        for (int t = 1; t <= 4; t++)
        {
            GemmTests.Random(length, 20 + t).CopyTo(whole.Gradient, 0);
            for (int i = 0; i < length; i++) singles[i].Gradient[0] = whole.Gradient[i];
            vectors.Step([whole]);
            scalars.Step(singles);
        }
        for (int i = 0; i < length; i++)
            Assert.True(whole.Data[i] == singles[i].Data[0], $"{name}: w[{i}] is {whole.Data[i]} from the vector loop, {singles[i].Data[0]} from the scalar rule");
        var state = vectors.State([whole]).ToList();
        var single = scalars.State(singles).ToList();
        for (int s = 0; s < state.Count; s++)
            for (int i = 0; i < length; i++)
                Assert.True(state[s].Values[i] == single[i * state.Count + s].Values[0], $"{name}: {state[s].Name}[{i}] differs");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LargeParameterUpdatesOnEveryCoreExactlyAsOneCoreDoes(string name)
    {
        // Above FusedUpdate.ParallelThreshold a parameter is cut into chunks for the worker pool; the same values held
        // in parameters too small to be cut must come out bitwise the same, over steps that build up state.
        const int large = 3 * FusedUpdate.ParallelThreshold + 5, piece = 1000;
        var (parallel, _, _, _) = Create(name);
        var (serial, _, _, _) = Create(name);
        var whole = new Parameter("big", large);
        var pieces = Enumerable.Range(0, (large + piece - 1) / piece).Select(i => new Parameter($"p{i}", Math.Min(piece, large - i * piece))).ToArray();
        GemmTests.Random(large, 3).CopyTo(whole.Data, 0);
        for (int t = 1; t <= 3; t++)
        {
            GemmTests.Random(large, 10 + t).CopyTo(whole.Gradient, 0);
            for (int i = 0; i < pieces.Length; i++)
            {
                if (t == 1) whole.Data.AsSpan(i * piece, pieces[i].Length).CopyTo(pieces[i].Data);
                whole.Gradient.AsSpan(i * piece, pieces[i].Length).CopyTo(pieces[i].Gradient);
            }
            parallel.Step([whole]);
            serial.Step(pieces);
        }
        for (int i = 0; i < pieces.Length; i++)
            Assert.True(whole.Data.AsSpan(i * piece, pieces[i].Length).SequenceEqual(pieces[i].Data), $"{name}: values {i * piece}… differ");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(100)]
    public unsafe void EachValueIsUpdatedOnceAndVectorsStartOnACacheLine(int length)
    {
        // Every start within a 64-byte line: the values before w's first line boundary go one by one (so that no vector
        // load or store of w straddles two lines, on AVX2 as on AVX-512), every value is updated exactly once, and
        // nothing outside the span is touched.
        float* w = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4 * 160, 64);
        float* s = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc(4 * 160, 64);
        try
        {
            for (int start = 0; start <= 16; start++)
            {
                new Span<float>(w, 160).Clear();
                new Span<float>(s, 160).Clear();
                FusedUpdate.Run(new MarkingRule(), new Span<float>(w + start, length), new float[length], new Span<float>(s + start, length), default, default);
                int boundary = (16 - start % 16) % 16; // the first index whose value starts a line
                for (int i = 0; i < 160; i++)
                {
                    bool inside = i >= start && i < start + length;
                    Assert.True(inside ? w[i] is 1 or 1000 : w[i] == 0, $"start {start}: w[{i}] is {w[i]}");
                    Assert.True(w[i] == s[i], $"start {start}: the slot's [{i}] is {s[i]}, w's {w[i]}");
                }
                for (int i = 0; i < Math.Min(boundary, length); i++) Assert.True(w[start + i] == 1, $"start {start}: value {i}, before the line boundary, went through a vector");
                if (boundary + 16 <= length) Assert.True(w[start + boundary] == 1000, $"start {start}: the value at the line boundary went one by one");
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(w);
            System.Runtime.InteropServices.NativeMemory.AlignedFree(s);
        }
    }

    /// <summary>Adds 1 to w and the first slot through the scalar overload, 1000 through either vector overload.</summary>
    private readonly struct MarkingRule : IUpdateRule
    {
        public void Apply(ref float w, float g, ref float s0, ref float s1, ref float s2) { w += 1; s0 += 1; }
        public void Apply(ref System.Numerics.Vector<float> w, System.Numerics.Vector<float> g, ref System.Numerics.Vector<float> s0, ref System.Numerics.Vector<float> s1, ref System.Numerics.Vector<float> s2) { w += new System.Numerics.Vector<float>(1000); s0 += new System.Numerics.Vector<float>(1000); }
        public void Apply(ref System.Runtime.Intrinsics.Vector512<float> w, System.Runtime.Intrinsics.Vector512<float> g, ref System.Runtime.Intrinsics.Vector512<float> s0, ref System.Runtime.Intrinsics.Vector512<float> s1, ref System.Runtime.Intrinsics.Vector512<float> s2) { w += System.Runtime.Intrinsics.Vector512.Create(1000f); s0 += System.Runtime.Intrinsics.Vector512.Create(1000f); }
    }

    [Fact]
    public void KerasDefaults()
    {
        Assert.Equal(0.01f, new Sgd().CurrentLearningRate);
        var rms = new RmsProp();
        Assert.Equal((0.001f, 0.9f, 0f, 1e-7f, false), (rms.CurrentLearningRate, rms.Rho, rms.Momentum, rms.Epsilon, rms.Centered));
        var adam = new Adam();
        Assert.Equal((0.001f, 0.9f, 0.999f, 1e-7f), (adam.CurrentLearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        var adagrad = new Adagrad();
        Assert.Equal((0.001f, 0.1f, 1e-7f), (adagrad.CurrentLearningRate, adagrad.InitialAccumulatorValue, adagrad.Epsilon));
    }

    [Fact]
    public void SchedulesFollowKerasFormulas()
    {
        var exponential = LearningRateSchedule.ExponentialDecay(0.1f, decaySteps: 100, decayRate: 0.5f);
        Assert.Equal(0.1f, exponential.At(0));
        Assert.Equal(0.05f, exponential.At(100), 1e-7f);
        Assert.Equal(0.1 * Math.Pow(0.5, 0.25), exponential.At(25), 1e-7);
        var stairs = LearningRateSchedule.ExponentialDecay(0.1f, 100, 0.5f, staircase: true);
        Assert.Equal(0.1f, stairs.At(99));
        Assert.Equal(0.05f, stairs.At(100), 1e-7f);
        var cosine = LearningRateSchedule.CosineDecay(0.2f, decaySteps: 10, alpha: 0.1f);
        Assert.Equal(0.2f, cosine.At(0), 1e-7f);
        Assert.Equal(0.2 * (0.9 * 0.5 * (1 + Math.Cos(Math.PI * 0.3)) + 0.1), cosine.At(3), 1e-7);
        Assert.Equal(0.02f, cosine.At(10), 1e-7f);
        Assert.Equal(0.02f, cosine.At(1000), 1e-7f);
    }

    [Fact]
    public void ScheduleDrivesTheStepSize()
    {
        var optimizer = new Sgd(LearningRateSchedule.ExponentialDecay(1f, 1, 0.5f));
        var p = new Parameter("w", 1);
        for (int t = 0; t < 3; t++)
        {
            p.Gradient[0] = 1;
            optimizer.Step([p]);
        }
        Assert.Equal(-(1 + 0.5f + 0.25f), p.Data[0], 1e-6f);
    }

    [Fact]
    public void OneOptimizerServesOneSetOfParameters()
    {
        var optimizer = new Adam();
        optimizer.Step([new Parameter("a.weight", 3)]);
        var e = Assert.Throws<InvalidOperationException>(() => optimizer.Step([new Parameter("b.weight", 3)]));
        Assert.Contains("(a.weight)", e.Message);
        optimizer.Reset();
        optimizer.Step([new Parameter("b.weight", 3)]);
        Assert.Equal(1, optimizer.Iterations);
    }

    [Fact]
    public void BadHyperparametersAreNamed()
    {
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: 1f)).ParamName);
        Assert.Equal("rho", Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(rho: 1.5f)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(-1f)).ParamName);
    }
}
