using System.Reflection;
using GraphGen.Cpu;
using GraphGen.Ilgpu;
using GraphGen.Testing;
using GraphGen.Tests.Cuda;
using GraphGen.Tests.Generator;
using GraphGen.Tests.Models;
using GraphGen.Training;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// The generated ILGPU kernels on ILGPU's CPU accelerator compute what the CPU runtime computes: the GEMM epilogues of
/// every activation, the losses with their gradients, softmax, column sums, activations and their backward pass, and
/// the element-wise, slice and concat tensor ops; each launched directly, as its model's Load stored it.
/// </summary>
public sealed class IlgpuGeneratedKernelTests : IlgpuCpuTest
{
    private const int Batch = 7; // ragged: no multiple of a vector width or of a GEMM tile

    public static TheoryData<string, string> Activations() => new()
    {
        { nameof(LinearClassifier), nameof(Linear) }, { nameof(ReluClassifier), nameof(Relu) }, { nameof(TanhClassifier), nameof(Tanh) },
        { nameof(SigmoidClassifier), nameof(Sigmoid) }, { nameof(OneHotNet), nameof(LeakyRelu) }, { nameof(BinarySigmoidNet), nameof(Elu) },
        { nameof(OneHotFromLogitsNet), nameof(Softplus) }, { nameof(BinaryFromLogitsNet), nameof(Gelu) },
    };

    /// <summary>
    /// A hidden layer's GEMM, then its ILGPU epilogue kernel, against the CPU GEMM with the epilogue fused: forward,
    /// c = act(x·W + bias); backward, c = (dz·Wᵀ) ⊙ act'(saved). The GEMM is the CPU's in both, so the kernels alone differ.
    /// </summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuGemmEpilogues(string modelName, string activation)
    {
        var model = Create(typeof(MnistReference).Assembly.GetType($"{typeof(MnistReference).Namespace}.{modelName}")!);
        var hidden = (DenseLayer)model.Layers[0];
        int k = hidden.Inputs, n = hidden.Units, outputs = ((DenseLayer)model.Layers[1]).Units;
        float[] x = Data(Batch * k, 1), w = Data(k * n, 2), bias = Data(n, 3), dz = Data(Batch * outputs, 4), wOut = Data(n * outputs, 5), saved = Data(Batch * n, 6);

        var expected = new float[Batch * n];
        CpuEpilogues.ForActivation(activation).Forward(x, w, bias, expected, Batch, n, k);
        var actual = new float[Batch * n];
        Gemm.Multiply(GemmLayout.NN, Batch, n, k, x, w, actual);
        string name = activation == nameof(Linear) ? "HiddenBias" : "HiddenBias" + activation;
        Launch(Kernel(model, name), Batch * n, actual, bias);
        AssertClose(expected, actual);

        if (activation == nameof(Linear)) return; // no backward epilogue: the derivative is 1
        CpuEpilogues.ForActivation(activation).Backward(dz, wOut, saved, expected, Batch, n, outputs);
        Gemm.Multiply(GemmLayout.NT, Batch, n, outputs, dz, wOut, actual);
        Launch(Kernel(model, "Hidden" + activation + "Gradient"), Batch * n, actual, saved);
        AssertClose(expected, actual);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSparseSoftmaxCrossEntropy()
    {
        const int classes = 3; // ReluClassifier's output
        var logits = Data(Batch * classes, 7, scale: 30); // large logits: no overflow
        var labels = Enumerable.Range(0, Batch).Select(i => (i * 5) % classes).ToArray();
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[Batch];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, labels, p, dz, Batch, classes);
        Launch(Kernel(new ReluClassifier(1), "OutputSoftmaxCrossEntropy"), Batch, logits, labels, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);

        var softmax = new float[logits.Length];
        Launch(Kernel(new ReluClassifier(1), "OutputSoftmax"), Batch, logits, softmax);
        AssertClose(p, softmax);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuCategoricalCrossEntropy()
    {
        const int classes = 4; // OneHotNet's output
        var logits = Data(Batch * classes, 8, scale: 5);
        var targets = Data(Batch * classes, 9).Select(v => v + 2).ToArray(); // soft targets, rows that do not sum to 1
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[Batch];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, targets, p, dz, Batch, classes);
        Launch(Kernel(new OneHotNet(1), "OutputSoftmaxCrossEntropy"), Batch, logits, targets, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSigmoidCrossEntropy()
    {
        const int columns = 3; // BinaryFromLogitsNet's output
        var logits = Data(Batch * columns, 10, scale: 40); // e^|z| beyond float: the stable form matters
        var targets = Data(Batch * columns, 11).Select(v => v > 0 ? 1f : 0f).ToArray();
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[logits.Length];
        float loss = LossKernels.SigmoidCrossEntropy(logits, targets, p, dz, Batch, columns);
        Launch(Kernel(new BinaryFromLogitsNet(1), "OutputSigmoidCrossEntropy"), Batch * columns, logits, targets, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuRegressionLosses(bool squared)
    {
        CompiledModel model = squared ? new Regressor(1) : new MaeRegressor(1);
        const int columns = 2; // both models' outputs
        var output = Data(Batch * columns, 12);
        var targets = Data(Batch * columns, 13);
        targets[3] = output[3]; // y = t: MAE's gradient is 0 there
        float[] dy = new float[output.Length], ilgpuDy = new float[output.Length], rowLoss = new float[output.Length];
        float loss = squared ? LossKernels.MeanSquaredError(output, targets, dy, Batch, columns) : LossKernels.MeanAbsoluteError(output, targets, dy, Batch, columns);
        Launch(Kernel(model, squared ? "LossMeanSquaredError" : "LossMeanAbsoluteError"), Batch * columns, output, targets, ilgpuDy, rowLoss, Batch);
        AssertClose(dy, ilgpuDy);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuColumnSumsAndActivations()
    {
        // Column sums: MnistReference's hidden bias gradient, (B, 512) → (512).
        var source = Data(Batch * 512, 14);
        float[] sums = new float[512], ilgpuSums = new float[512];
        Kernels.ColumnSums(source, sums, Batch, 512);
        Launch(Kernel(new MnistReference(1), "HiddenColumnSums"), 512, source, ilgpuSums, Batch);
        AssertClose(sums, ilgpuSums);

        // gelu as a kernel of its own (BinaryFromLogitsNet keeps its input for the backward pass), (B, 11).
        var x = Data(Batch * 11, 15, scale: 4);
        float[] y = new float[x.Length], ilgpuY = new float[x.Length];
        Kernels.Activate<Gelu>(x, y, x.Length);
        Launch(Kernel(new BinaryFromLogitsNet(1), "HiddenGelu"), x.Length, x, ilgpuY);
        AssertClose(y, ilgpuY);

        // The sigmoid output's backward pass under the mean absolute error (MaeRegressor), (B, 2).
        var dy = Data(Batch * 2, 16);
        var saved = Data(Batch * 2, 17).Select(v => (v + 2) / 4).ToArray(); // sigmoid outputs, in (0, 1)
        float[] dx = new float[dy.Length], ilgpuDx = new float[dy.Length];
        Kernels.ActivationBackward<Sigmoid>(dy, saved, dx, dy.Length);
        Launch(Kernel(new MaeRegressor(1), "OutputSigmoidBackward"), dy.Length, dy, saved, ilgpuDx);
        AssertClose(dx, ilgpuDx);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuElementwiseTensorOps()
    {
        var model = new ElementwiseNet(1);
        const int count = Batch * 8;
        float[] a = Data(count, 18, scale: 3), b = Data(count, 19, scale: 3), positive = a.Select(v => Math.Abs(v) + 0.1f).ToArray();
        for (int i = 0; i < count; i += 5) b[i] = a[i]; // ties, for the masks and for max/min
        a[1] = 0f;
        a[2] = -0f;
        int[] dims = [Batch, 8];
        var cases = new (string Kernel, object[] Inputs, Action<float[]> Cpu)[]
        {
            ("Negate", [a], y => System.Numerics.Tensors.TensorPrimitives.Negate(a, y)),
            ("MultiplyBConstant", [a, 0.5f], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, 0.5f, y)),
            ("AddBConstant", [a, 1f], y => System.Numerics.Tensors.TensorPrimitives.Add(a, 1f, y)),
            ("Add", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Add(a, b, y)),
            ("Subtract", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Subtract(a, b, y)),
            ("Multiply", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, b, y)),
            ("Divide", [a, positive], y => System.Numerics.Tensors.TensorPrimitives.Divide(a, positive, y)),
            ("Maximum", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Max(a, b, y)),
            ("Minimum", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Min(a, b, y)),
            ("Square", [a], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, a, y)),
            ("Exp", [a], y => System.Numerics.Tensors.TensorPrimitives.Exp(a, y)),
            ("Log", [positive], y => System.Numerics.Tensors.TensorPrimitives.Log(positive, y)),
            ("Sqrt", [positive], y => System.Numerics.Tensors.TensorPrimitives.Sqrt(positive, y)),
            ("Abs", [a], y => System.Numerics.Tensors.TensorPrimitives.Abs(a, y)),
            ("Sign", [a], y => TensorKernels.Sign(a, y)),
            ("GreaterEqual", [a, b], y => TensorKernels.GreaterEqual(a, dims, b, dims, y, dims)),
        };
        foreach (var (kernel, inputs, cpu) in cases)
        {
            float[] expected = new float[count], actual = new float[count];
            cpu(expected);
            Launch(Kernel(model, kernel), count, [.. inputs, actual]);
            AssertClose(expected, actual);
        }

        // x + relu(x·W + b): ResidualNet's Add (it reuses the element-wise kernels above).
        float[] sum = new float[count], ilgpuSum = new float[count];
        System.Numerics.Tensors.TensorPrimitives.Add(a, b, sum);
        Launch(Kernel(new ResidualNet(1), "Add"), count, a, b, ilgpuSum);
        AssertClose(sum, ilgpuSum);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSlicesAndConcatenations()
    {
        // TwoInputNet: x (B, 69) is image (B, 64) and side (B, 5) side by side, joined again by a concat.
        var model = new TwoInputNet(1);
        var x = Data(Batch * 69, 20);
        float[] image = new float[Batch * 64], side = new float[Batch * 5], ilgpuImage = new float[Batch * 64], ilgpuSide = new float[Batch * 5];
        TensorKernels.CopyBlock(x, 69, 0, image, 64, 0, Batch, 64);
        TensorKernels.CopyBlock(x, 69, 64, side, 5, 0, Batch, 5);
        Launch(Kernel(model, "InputSlice"), Batch * 64, x, ilgpuImage);
        Launch(Kernel(model, "InputSlice2"), Batch * 5, x, ilgpuSide);
        AssertClose(image, ilgpuImage);
        AssertClose(side, ilgpuSide);

        var joined = new float[Batch * 69];
        Launch(Kernel(model, "JoinedConcat"), Batch * 64, image, joined);
        Launch(Kernel(model, "JoinedConcat2"), Batch * 5, side, joined);
        AssertClose(x, joined);
    }


    /// <summary>The CPU GEMM with each activation's epilogues fused, chosen by name.</summary>
    private abstract class CpuEpilogues
    {
        public abstract void Forward(float[] x, float[] w, float[] bias, float[] c, int m, int n, int k);
        public abstract void Backward(float[] dz, float[] w, float[] saved, float[] c, int m, int n, int k);

        public static CpuEpilogues ForActivation(string name) => name switch
        {
            nameof(Linear) => new Of<Linear>(),
            nameof(Relu) => new Of<Relu>(),
            nameof(Tanh) => new Of<Tanh>(),
            nameof(Sigmoid) => new Of<Sigmoid>(),
            nameof(LeakyRelu) => new Of<LeakyRelu>(),
            nameof(Elu) => new Of<Elu>(),
            nameof(Softplus) => new Of<Softplus>(),
            nameof(Gelu) => new Of<Gelu>(),
            _ => throw new ArgumentException(name),
        };

        private sealed class Of<T> : CpuEpilogues where T : IActivation
        {
            public override void Forward(float[] x, float[] w, float[] bias, float[] c, int m, int n, int k)
                => Gemm.Multiply(GemmLayout.NN, m, n, k, x, w, c, new BiasActivation<T>(bias));

            public override void Backward(float[] dz, float[] w, float[] saved, float[] c, int m, int n, int k)
                => Gemm.Multiply(GemmLayout.NT, m, n, k, dz, w, c, new ActivationGradient<T>(saved, n));
        }
    }
}
