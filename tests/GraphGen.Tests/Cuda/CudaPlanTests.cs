using System.Text.RegularExpressions;
using GraphGen.Cpu;
using GraphGen.Cuda;
using GraphGen.Tests.Models;
using GraphGen.Tests.Numerics;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Cuda;

/// <summary>
/// The generated CUDA plans hold together, and the cuBLASLt calls they become compute what the C# GEMMs compute —
/// both proven without a GPU: the plans against their CUDA source and buffers, the calls against a plain-loop,
/// double-precision emulation of cuBLASLt's column-major semantics.
/// </summary>
public class CudaPlanTests
{
    [Theory]
    [MemberData(nameof(CudaTests.Models), MemberType = typeof(CudaTests))]
    public void EveryStepNamesAKernelOfTheSourceAndBuffersOfTheRightSize(CompiledModel model)
    {
        var plan = model.CudaPlan ?? throw new Xunit.Sdk.XunitException($"{model.GetType().Name} has no CUDA plan");
        string source = model.CudaSource!;
        const int batch = 7;
        Assert.Equal(plan.Buffers.Count, plan.Buffers.Select(b => b.Name).Distinct().Count());
        // Parameters and gradients: one buffer of each weight's length per model parameter.
        var parameters = plan.Buffers.Where(b => b.Role == CudaBufferRole.Parameter).Select(b => b.Width).Order();
        Assert.Equal(model.Weights.Select(w => (long)w.Length).Order(), parameters);
        Assert.Equal(model.Weights.Count, plan.Buffers.Count(b => b.Role == CudaBufferRole.Gradient));

        foreach (var step in plan.Training.Concat(plan.Inference))
        {
            switch (step)
            {
                case CudaLaunch launch:
                    // The kernel exists and takes one pointer per operand, then the row count.
                    var signature = Regex.Match(source, $@"__global__ void {launch.Kernel}\(([^)]*)\)");
                    Assert.True(signature.Success, $"{launch.Kernel} is not a kernel of the source");
                    var parts = signature.Groups[1].Value.Split(',').Select(p => p.Trim()).ToList();
                    Assert.Equal(launch.Operands.Count, parts.Count(p => p.Contains('*')));
                    Assert.Matches(@"^int (rows|count)$", parts[^1]);
                    foreach (string operand in launch.Operands) plan.Buffer(operand);
                    Assert.True(launch.Width > 0);
                    break;
                case CudaGemm gemm:
                    long m = gemm.M == -1 ? batch : gemm.M, n = gemm.N == -1 ? batch : gemm.N, k = gemm.K == -1 ? batch : gemm.K;
                    Assert.Equal(m * k, plan.Buffer(gemm.A).Length(batch));
                    Assert.Equal(k * n, plan.Buffer(gemm.B).Length(batch));
                    Assert.Equal(m * n, plan.Buffer(gemm.C).Length(batch));
                    if (gemm.Bias is { } bias) Assert.Equal(n, plan.Buffer(bias).Length(batch));
                    if (gemm.Auxiliary is { } aux) Assert.Equal(m * n, plan.Buffer(aux).Length(batch));
                    bool needsBias = gemm.Epilogue is CudaEpilogue.Bias or CudaEpilogue.ReluBias or CudaEpilogue.ReluAuxBias or CudaEpilogue.GeluBias or CudaEpilogue.GeluAuxBias;
                    Assert.Equal(needsBias, gemm.Bias is not null);
                    Assert.Equal(gemm.Epilogue is CudaEpilogue.ReluAuxBias or CudaEpilogue.GeluAuxBias or CudaEpilogue.DRelu or CudaEpilogue.DGelu, gemm.Auxiliary is not null);
                    break;
            }
        }
        // Every backward D-epilogue reads an aux buffer that a forward AUX epilogue of the same step wrote before it.
        var written = new HashSet<string>();
        foreach (var gemm in plan.Training.OfType<CudaGemm>())
        {
            if (gemm.Epilogue is CudaEpilogue.ReluAuxBias or CudaEpilogue.GeluAuxBias) written.Add(gemm.Auxiliary!);
            if (gemm.Epilogue is CudaEpilogue.DRelu or CudaEpilogue.DGelu) Assert.Contains(gemm.Auxiliary!, written);
        }
    }

    public static IEnumerable<object[]> Gemms() =>
        from layout in new[] { GemmLayout.NN, GemmLayout.TN, GemmLayout.NT }
        from epilogue in new[] { CudaEpilogue.Default, CudaEpilogue.Bias, CudaEpilogue.ReluBias, CudaEpilogue.DRelu }
        select new object[] { layout, epilogue };

    [Theory]
    [MemberData(nameof(Gemms))]
    public void TheCublasLtCallComputesTheRowMajorGemm(GemmLayout layout, CudaEpilogue epilogue)
    {
        const int batch = 9, m = batch, n = 13, k = 6;
        var gemm = new CudaGemm("layer", layout == GemmLayout.TN, layout == GemmLayout.NT, -1, n, k, "a", "b", "c", epilogue,
            epilogue is CudaEpilogue.Bias or CudaEpilogue.ReluBias ? "bias" : null, epilogue == CudaEpilogue.DRelu ? "saved" : null);
        var buffers = new Dictionary<string, float[]>
        {
            ["a"] = GemmTests.Random(m * k, 1), ["b"] = GemmTests.Random(k * n, 2), ["bias"] = GemmTests.Random(n, 3),
            ["saved"] = GemmTests.Random(m * n, 4).Select(v => Math.Max(v, 0f)).ToArray(), // a relu output: its mask is where it is > 0
        };

        var expected = new float[m * n];
        switch (epilogue)
        {
            case CudaEpilogue.Bias: Gemm.Multiply(layout, m, n, k, buffers["a"], buffers["b"], expected, new BiasActivation<Linear>(buffers["bias"])); break;
            case CudaEpilogue.ReluBias: Gemm.Multiply(layout, m, n, k, buffers["a"], buffers["b"], expected, new BiasActivation<Relu>(buffers["bias"])); break;
            case CudaEpilogue.DRelu: Gemm.Multiply(layout, m, n, k, buffers["a"], buffers["b"], expected, new ActivationGradient<Relu>(buffers["saved"], n)); break;
            default: Gemm.Multiply(layout, m, n, k, buffers["a"], buffers["b"], expected); break;
        }

        var call = CublasLtGemm.Describe(gemm, batch);
        var d = EmulateCublasLt(call, buffers);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - d[i]) <= 1e-5 + 1e-5 * Math.Abs(expected[i]), $"{layout} {epilogue}: value {i} is {d[i]}, the C# GEMM gives {expected[i]}");
    }

    /// <summary>
    /// cuBLASLt's semantics, as its documentation states them, in plain loops: every matrix column-major with its leading
    /// dimension, D (M × N) = op(A)·op(B); BIAS adds bias[i] to row i; RELU clamps; DRELU multiplies by the mask the
    /// forward pass kept in the AUX buffer (here the forward output itself, read at i + j·ld).
    /// </summary>
    private static float[] EmulateCublasLt(CublasLtCall call, Dictionary<string, float[]> buffers)
    {
        float[] a = buffers[call.A], b = buffers[call.B];
        var d = new float[call.Ldc * call.N];
        for (long j = 0; j < call.N; j++)
            for (long i = 0; i < call.M; i++)
            {
                double sum = 0;
                for (long p = 0; p < call.K; p++)
                {
                    double x = call.TransposeA ? a[p + i * call.Lda] : a[i + p * call.Lda];
                    double y = call.TransposeB ? b[j + p * call.Ldb] : b[p + j * call.Ldb];
                    sum += x * y;
                }
                if (call.Bias is { } bias) sum += buffers[bias][i];
                if (call.Epilogue is CudaEpilogue.ReluBias or CudaEpilogue.ReluAuxBias) sum = Math.Max(sum, 0);
                if (call.Epilogue == CudaEpilogue.DRelu) sum *= buffers[call.Auxiliary!][i + j * call.AuxiliaryLd] > 0 ? 1 : 0;
                d[i + j * call.Ldc] = (float)sum;
            }
        return d;
    }
}
