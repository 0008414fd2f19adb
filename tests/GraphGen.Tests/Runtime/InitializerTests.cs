using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

public class InitializerTests
{
    [Theory]
    [InlineData("glorot", typeof(VarianceScalingInitializer))]
    [InlineData("he_normal", typeof(VarianceScalingInitializer))]
    [InlineData("truncated_normal", typeof(TruncatedNormalInitializer))]
    [InlineData("constant:0.1", typeof(ConstantInitializer))]
    [InlineData("uniform:0:0.1", typeof(UniformInitializer))]
    [InlineData("normal:0:0.05", typeof(NormalInitializer))]
    [InlineData("zeros", typeof(ConstantInitializer))]
    public void ParsesTheCommandLineForms(string text, Type type) => Assert.IsType(type, Initializer.Parse(text));

    [Theory]
    [InlineData("uniform:1:0", "MIN must be below MAX")]
    [InlineData("normal:0:-1", "STD must be ≥ 0")]
    [InlineData("uniform:a:1", "'a' is not a finite number")]
    [InlineData("he", "is not one of")]
    public void RejectsBadForms(string text, string message) => Assert.Contains(message, Assert.Throws<FormatException>(() => Initializer.Parse(text)).Message);

    [Theory]
    [InlineData("he_normal")] [InlineData("HE_UNIFORM")] [InlineData("lecun_normal")] [InlineData("glorot_normal")] [InlineData("ones")]
    [InlineData("constant:-2.5")] [InlineData("uniform")] [InlineData("uniform:0:0.1")] [InlineData("truncated_normal:0:1e-2")]
    [InlineData("he")] [InlineData("uniform:1:1")] [InlineData("normal:0:-1")] [InlineData("constant")] [InlineData("zeros:0")]
    [InlineData("uniform:0:NaN")] [InlineData("normal:1:2:3")] [InlineData("")]
    public void TheGeneratorChecksTheRuntimeGrammar(string spec)
    {
        bool runtimeAccepts = true;
        try { Initializer.Parse(spec); }
        catch (FormatException) { runtimeAccepts = false; }
        Assert.Equal(runtimeAccepts, GraphGen.Generators.Parsing.InitializerGrammar.Problem(spec) is null);
    }

    [Fact]
    public void VarianceScalingFollowsKeras()
    {
        var values = new float[200_000];
        Initializer.HeUniform.Fill(values, 50, 7, new SeededRandom(3));
        Assert.All(values, v => Assert.InRange(v, -MathF.Sqrt(6f / 50), MathF.Sqrt(6f / 50)));
        Assert.InRange(Variance(values), 2.0 / 50 * 0.98, 2.0 / 50 * 1.02);
        // Truncated normals: nothing beyond two (corrected) standard deviations, and the intended variance kept.
        Initializer.HeNormal.Fill(values, 50, 7, new SeededRandom(4));
        double limit = 2 * Math.Sqrt(2.0 / 50) / 0.87962566103423978;
        Assert.All(values, v => Assert.InRange(v, -limit, limit));
        Assert.InRange(Variance(values), 2.0 / 50 * 0.98, 2.0 / 50 * 1.02);
        Initializer.GlorotNormal.Fill(values, 30, 10, new SeededRandom(5));
        Assert.InRange(Variance(values), 2.0 / 40 * 0.98, 2.0 / 40 * 1.02);
        Initializer.LecunNormal.Fill(values, 25, 10, new SeededRandom(6));
        Assert.InRange(Variance(values), 1.0 / 25 * 0.98, 1.0 / 25 * 1.02);
        Initializer.TruncatedNormal(1f, 0.5f).Fill(values, 1, 1, new SeededRandom(7));
        Assert.All(values, v => Assert.InRange(v, 0f, 2f));

        static double Variance(float[] v)
        {
            double mean = v.Average(x => (double)x);
            return v.Average(x => (x - mean) * (x - mean));
        }
    }

    [Fact]
    public void DrawsAreSeededAndInRange()
    {
        var a = new float[10_000];
        var b = new float[10_000];
        Initializer.Uniform(0, 0.1f).Fill(a, 1, 1, new SeededRandom(5));
        Initializer.Uniform(0, 0.1f).Fill(b, 1, 1, new SeededRandom(5));
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.InRange(v, 0f, 0.1f));
        Assert.InRange(a.Average(), 0.049, 0.051);
        Initializer.Normal(1, 2).Fill(a, 1, 1, new SeededRandom(6));
        double mean = a.Average(), std = Math.Sqrt(a.Average(v => (v - mean) * (v - mean)));
        Assert.InRange(mean, 0.95, 1.05);
        Assert.InRange(std, 1.95, 2.05);
    }

    [Fact]
    public void ShuffleIsAPermutationAndNextIntIsInRange()
    {
        var random = new SeededRandom(1);
        var items = Enumerable.Range(0, 1000).ToArray();
        random.Shuffle(items);
        Assert.Equal(Enumerable.Range(0, 1000), items.OrderBy(i => i));
        Assert.NotEqual(Enumerable.Range(0, 1000), items);
        for (int i = 0; i < 1000; i++) Assert.InRange(random.NextInt(7), 0, 6);
    }
}
