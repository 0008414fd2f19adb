using Microsoft.CodeAnalysis;
using Xunit;

namespace GraphGen.Tests.Generator;

/// <summary>Diagnostics of [Differentiable] methods beyond those in DiagnosticTests.cs.</summary>
public partial class DiagnosticTests
{
    [Fact]
    public void GG0117_ArgumentNeverRead()
    {
        var diagnostic = AssertReported("GG0117", """
            public static partial class Functions { [Differentiable] public static float Scaled(float x, float [|k|]) => 2 * x; }
            """);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("[Differentiable] method 'Scaled' never reads its argument 'k' (its result does not depend on it), so dk is always zero",
            diagnostic.GetMessage());
    }

    [Fact]
    public void GG0117_ArgumentReadOnlyByAValueTheResultIgnores() => AssertReported("GG0117", """
        public static partial class Functions
        {
            [Differentiable]
            public static Tensor Ignored([Shape(2)] Tensor x, [Shape(2)] Tensor [|w|])
            {
                var unused = x * w;
                return x * 3;
            }
        }
        """);

    [Fact]
    public void GG0117_TheGradientStillCompilesAndIsZero()
    {
        var run = GeneratorHarness.Run("""
            using GraphGen;
            namespace Demo;
            public static partial class Functions { [Differentiable] public static float Scaled(float x, float k) => 2 * x; }
            """);
        Assert.Equal("GG0117", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.Empty(run.Errors);
        var gradient = GeneratorHarness.Load(run.Output).GetType("Demo.Functions")!.GetMethod("ScaledGradient")!;
        Assert.Equal((6f, 2f, 0f), ((float, float, float))gradient.Invoke(null, [3f, 5f])!);
    }
}
