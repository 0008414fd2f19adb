using System.Runtime.Intrinsics;
using Xunit;

namespace GraphGen.Tests.Numerics;

/// <summary>
/// The CI's second test pass runs the kernels without AVX-512 (DOTNET_EnableAVX512=0, .NET 10's name for the knob) and
/// sets GRAPHGEN_EXPECT_ISA=avx2 beside it. Under .NET 8's spelling, DOTNET_EnableAVX512F=0, .NET 10 kept AVX-512 on
/// and that pass tested the AVX-512 kernels a second time: this test fails wherever the knob did not take.
/// </summary>
public class InstructionSetTests
{
    [Fact]
    public void TheKernelsRunOnTheInstructionSetThisPassAskedFor()
    {
        switch (Environment.GetEnvironmentVariable("GRAPHGEN_EXPECT_ISA"))
        {
            case null or "":
                return; // an ordinary pass: whatever the CPU has
            case "avx2":
                Assert.False(Vector512.IsHardwareAccelerated, "GRAPHGEN_EXPECT_ISA=avx2, but Vector512 is accelerated: DOTNET_EnableAVX512=0 did not take.");
                Assert.True(Vector256.IsHardwareAccelerated, "GRAPHGEN_EXPECT_ISA=avx2, but Vector256 is not accelerated.");
                return;
            case "avx512":
                Assert.True(Vector512.IsHardwareAccelerated, "GRAPHGEN_EXPECT_ISA=avx512, but Vector512 is not accelerated.");
                return;
            case var other:
                Assert.Fail($"GRAPHGEN_EXPECT_ISA is '{other}'; expected avx2 or avx512.");
                return;
        }
    }
}
