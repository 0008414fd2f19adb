using BenchmarkDotNet.Attributes;
using GraphGen;
using GraphGen.Cpu;
using GraphGen.Training;

namespace GraphGen.Kernels;

/// <summary>The five GEMMs of one 784-512-10 training step at batch 128, with the epilogues the generated code uses.</summary>
[MemoryDiagnoser]
public class StepGemms
{
    private const int Batch = 128, Inputs = 784, Hidden = 512, Classes = 10;
    private float[] _x = [], _w1 = [], _b1 = [], _h = [], _w2 = [], _b2 = [], _z = [], _dz = [], _dw2 = [], _dh = [], _dw1 = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        float[] Fill(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        (_x, _w1, _b1, _w2, _b2, _dz) = (Fill(Batch * Inputs), Fill(Inputs * Hidden), Fill(Hidden), Fill(Hidden * Classes), Fill(Classes), Fill(Batch * Classes));
        (_h, _z, _dw2, _dh, _dw1) = (new float[Batch * Hidden], new float[Batch * Classes], new float[Hidden * Classes], new float[Batch * Hidden], new float[Inputs * Hidden]);
        HiddenForward();
    }

    [Benchmark(Description = "NN 128×512×784 x·W1 +b, relu")]
    public void HiddenForward() => Gemm.Multiply(GemmLayout.NN, Batch, Hidden, Inputs, _x, _w1, _h, new BiasActivation<Relu>(_b1));

    [Benchmark(Description = "NN 128×10×512 h·W2 +b")]
    public void OutputForward() => Gemm.Multiply(GemmLayout.NN, Batch, Classes, Hidden, _h, _w2, _z, new BiasActivation<Linear>(_b2));

    [Benchmark(Description = "TN 512×10×128 hᵀ·δ2")]
    public void OutputWeightGradient() => Gemm.Multiply(GemmLayout.TN, Hidden, Classes, Batch, _h, _dz, _dw2);

    [Benchmark(Description = "NT 128×512×10 δ2·W2ᵀ ⊙ relu'")]
    public void HiddenDelta() => Gemm.Multiply(GemmLayout.NT, Batch, Hidden, Classes, _dz, _w2, _dh, new ActivationGradient<Relu>(_h, Hidden));

    [Benchmark(Description = "TN 784×512×128 xᵀ·δ1")]
    public void HiddenWeightGradient() => Gemm.Multiply(GemmLayout.TN, Inputs, Hidden, Batch, _x, _dh, _dw1);
}

/// <summary>The non-GEMM kernels of the step: the fused softmax cross-entropy and RMSprop's update of W1.</summary>
[MemoryDiagnoser]
public class StepUpdates
{
    private readonly Parameter _w1 = new("hidden.weight", 784, 512);
    private Parameter[] _parameters = [];
    private readonly RmsProp _rmsProp = new();
    private float[] _z = [], _probs = [], _dz = [];
    private int[] _labels = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _z = Enumerable.Range(0, 128 * 10).Select(_ => (float)random.NextDouble() * 4 - 2).ToArray();
        _labels = Enumerable.Range(0, 128).Select(i => i % 10).ToArray();
        (_probs, _dz) = (new float[128 * 10], new float[128 * 10]);
        for (int i = 0; i < _w1.Length; i++) _w1.Gradient[i] = (float)(random.NextDouble() - 0.5);
        _parameters = [_w1];
    }

    [Benchmark(Description = "softmax cross-entropy (128, 10): value and gradient")]
    public float SoftmaxCrossEntropy() => LossKernels.SoftmaxCrossEntropy(_z, _labels, _probs, _dz, 128, 10);

    [Benchmark(Description = "RMSprop update of (784, 512)")]
    public void RmsPropUpdate() => _rmsProp.Step(_parameters);
}
