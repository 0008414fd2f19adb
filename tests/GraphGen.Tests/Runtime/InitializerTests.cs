using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

public class InitializerTests
{
    [Theory]
    [InlineData("glorot", typeof(GlorotUniformInitializer))]
    [InlineData("uniform:0:0.1", typeof(UniformInitializer))]
    [InlineData("normal:0:0.05", typeof(NormalInitializer))]
    [InlineData("zeros", typeof(ConstantInitializer))]
    public void ParsesTheCommandLineForms(string text, Type type) => Assert.IsType(type, Initializer.Parse(text));

    [Theory]
    [InlineData("uniform:1:0", "MIN must be below MAX")]
    [InlineData("normal:0:-1", "STD must not be negative")]
    [InlineData("uniform:a:1", "'a' is not a finite number")]
    [InlineData("he", "is not one of")]
    public void RejectsBadForms(string text, string message) => Assert.Contains(message, Assert.Throws<FormatException>(() => Initializer.Parse(text)).Message);

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
