using GraphGen.Tests.Ilgpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>
/// Every test model (each model of this namespace, and the ILGPU tests' element-wise one) on an ILGPU device against
/// the CPU path, same seed, same batches: 20 training steps whose losses agree within 1e-4 relative, then Predict
/// within 1e-5 and the final weights within 1e-4. On ILGPU's CPU accelerator always; on a CUDA GPU where there is one.
/// The CPU accelerator compiles kernels through the same front end as the CUDA backend, so what passes there is what
/// ILGPU takes for a GPU.
/// </summary>
public class IlgpuModelTests
{
    /// <summary>
    /// Each model with an optimizer, so every loss, activation, optimizer variant and [Forward] op is trained: every
    /// model of <c>GraphGen.Tests.Models</c> (<see cref="TheCatalogHoldsEveryTestModel"/> checks none is missing).
    /// </summary>
    internal static readonly (Type Model, string Optimizer)[] s_catalog =
    [
        (typeof(ReluClassifier), "rmsprop"), (typeof(TanhClassifier), "adam"), (typeof(SigmoidClassifier), "sgd"),
        (typeof(LinearClassifier), "adagrad"), (typeof(ThreeLayerClassifier), "momentum"), (typeof(Regressor), "adam-cosine"),
        (typeof(MnistReference), "rmsprop"), (typeof(BinaryFromLogitsNet), "rmsprop-centered"), (typeof(BinarySigmoidNet), "nesterov"),
        (typeof(OneHotNet), "adam"), (typeof(OneHotFromLogitsNet), "rmsprop-momentum"), (typeof(SparseFromLogitsNet), "adagrad"),
        (typeof(MaeRegressor), "rmsprop"), (typeof(Width1Net), "adam"), (typeof(FiftyLayerNet), "sgd-decay"), (typeof(Wide16kNet), "adam"),
        // [Forward] bodies: the seed's tanh MLP, the perceptron, a residual block, two inputs, every general op, the element-wise ops.
        (typeof(DigitsForwardMlp), "adam"), (typeof(ForwardPerceptron), "sgd"), (typeof(ResidualNet), "rmsprop"), (typeof(TwoInputNet), "adam"),
        (typeof(EveryOpNet), "adam"), (typeof(ElementwiseNet), "momentum"), (typeof(ExtremesNet), "rmsprop"),
        // Over the batch: a Gram matrix (k = B), a mean over the rows, a softmax over a (B, B) value, a (B, B) product.
        (typeof(GramNet), "sgd"), (typeof(BatchCenteredNet), "rmsprop"), (typeof(SoftmaxOverBatchNet), "adam"), (typeof(GemmsOverBatchNet), "adagrad"),
        // Convnets: same and valid padding, strides, odd sizes, a 1×1 convolution, overlapping pools.
        (typeof(SmallCnn), "adam"), (typeof(OddCnn), "rmsprop"),
        // Dropout (the CPU's masks) and batch normalisation (batch statistics, the moving averages in Weights), dense and NHWC.
        // DropoutBatchNormNet's B1 feeds the normalisation, so its true gradient is 0 and only rounding is left of it, which
        // Adam's m/√v would turn into whole steps of either sign: plain SGD keeps such a weight comparable.
        (typeof(DropoutBatchNormNet), "sgd"), (typeof(DenseDropoutBatchNormNet), "momentum"), (typeof(ImageBatchNormNet), "rmsprop"),
        (typeof(OnnxExtremesNet), "adam"),
    ];

    public static TheoryData<string> Models() => new(s_catalog.Select(e => $"{e.Model.Name}/{e.Optimizer}"));

    private static Optimizer OptimizerNamed(string name) => name switch
    {
        "rmsprop" => new RmsProp(),
        "rmsprop-centered" => new RmsProp(centered: true),
        "rmsprop-momentum" => new RmsProp(momentum: 0.5f),
        "adam" => new Adam(),
        "adam-cosine" => new Adam(LearningRateSchedule.CosineDecay(0.01f, 20)), // a rate that changes every step
        "sgd" => new Sgd(0.05f),
        "sgd-decay" => new Sgd(LearningRateSchedule.ExponentialDecay(0.1f, 5, 0.5f)),
        "momentum" => new Sgd(0.05f, momentum: 0.9f),
        "nesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
        "adagrad" => new Adagrad(),
        _ => throw new ArgumentException($"No optimizer named {name}.", nameof(name)),
    };

    private static CompiledModel Create(string name)
    {
        var type = s_catalog.Single(e => e.Model.Name == name).Model;
        return (CompiledModel)Activator.CreateInstance(type, [4, null, null])!;
    }

    /// <summary>Test models that do not train on ILGPU yet, and why.</summary>
    private static readonly Dictionary<string, string> s_notYetOnIlgpu = new()
    {
    };

    [Fact]
    public void TheCatalogHoldsEveryTestModel()
    {
        var models = typeof(IlgpuModelTests).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(IlgpuModelTests).Namespace && typeof(CompiledModel).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.Name).Order().ToList();
        Assert.True(models.Count >= 25, $"{models.Count} test models");
        Assert.Empty(models.Except(s_catalog.Select(e => e.Model.Name)).Except(s_notYetOnIlgpu.Keys));
        // Every built-in optimizer, and a schedule, run on the device.
        Assert.Equal(["adagrad", "adam", "adam-cosine", "momentum", "nesterov", "rmsprop", "rmsprop-centered", "rmsprop-momentum", "sgd", "sgd-decay"],
            s_catalog.Select(e => e.Optimizer).Distinct().Order());
    }

    [Fact]
    public void EveryTestModelHasAnIlgpuProgram()
    {
        foreach (var (type, _) in s_catalog)
            Assert.True(Create(type.Name).CreateIlgpuProgram() is not null, $"{type.Name} has no ILGPU program");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TrainsOnTheIlgpuCpuAcceleratorAsOnTheCpu(string model) => TrainsOnAsOnTheCpu(model, Device.IlgpuCpu);

    [IlgpuCudaTheory]
    [MemberData(nameof(Models))]
    public void TrainsOnCudaThroughIlgpuAsOnTheCpu(string model) => TrainsOnAsOnTheCpu(model, Device.Cuda(0));

    private static void TrainsOnAsOnTheCpu(string model, Device device)
    {
        var (name, optimizer) = (model.Split('/')[0], model.Split('/')[1]);
        var cpu = Create(name);
        var placed = Create(name);
        placed.To(device);
        switch (cpu)
        {
            case CompiledModel<int> c: Train(c, (CompiledModel<int>)placed, optimizer, (b, s) => Labels(b, c.OutputWidth, s)); break;
            case CompiledModel<float> c: Train(c, (CompiledModel<float>)placed, optimizer, (b, s) => Targets(b, c.TargetsPerSample, s)); break;
        }
    }

    private static void Train<T>(CompiledModel<T> cpu, CompiledModel<T> device, string optimizer, Func<int, int, T[]> targets) where T : unmanaged
    {
        Optimizer onCpu = OptimizerNamed(optimizer), onDevice = OptimizerNamed(optimizer);
        for (int step = 0; step < 20; step++)
        {
            int batch = step % 3 == 0 ? 7 : 16; // ragged and full batches on one placement
            var x = GeneratedModelTests.Data(batch * cpu.InputWidth, seed: 1000 + step);
            var y = targets(batch, 2000 + step);
            float expected = cpu.TrainStep(x, y, onCpu), actual = device.TrainStep(x, y, onDevice);
            Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Max(1, Math.Abs(expected)), $"step {step}: CPU loss {expected}, ILGPU loss {actual}");
        }
        var probe = GeneratedModelTests.Data(11 * cpu.InputWidth, seed: 77);
        float[] cpuOut = cpu.Predict(probe), deviceOut = device.Predict(probe);
        for (int i = 0; i < cpuOut.Length; i++)
            Assert.True(Math.Abs(cpuOut[i] - deviceOut[i]) <= 1e-5 * Math.Max(1, Math.Abs(cpuOut[i])) + 1e-4, $"Predict[{i}]: CPU {cpuOut[i]}, ILGPU {deviceOut[i]}");
        for (int p = 0; p < cpu.Weights.Count; p++)
            for (int i = 0; i < cpu.Weights[p].Length; i++)
                Assert.True(Math.Abs(cpu.Weights[p].Data[i] - device.Weights[p].Data[i]) <= 1e-4 * Math.Max(1, Math.Abs(cpu.Weights[p].Data[i])),
                    $"{cpu.Weights[p].Name}[{i}]: CPU {cpu.Weights[p].Data[i]}, ILGPU {device.Weights[p].Data[i]}");
    }

    [Fact]
    public void ALabelOutOfRangeIsRefusedOnTheIlgpuDeviceAsOnTheCpu()
    {
        // The device's loss kernel would read past the row: the host checks the labels before they are uploaded.
        var model = new ReluClassifier(4).To(Device.IlgpuCpu);
        var x = GeneratedModelTests.Data(2 * model.InputWidth, seed: 3);
        var error = Assert.ThrowsAny<ArgumentException>(() => model.TrainStep(x, new[] { 0, 9 }, new Sgd(0.1f)));
        Assert.Contains("9", error.Message);
    }

    private static int[] Labels(int batch, int classes, int seed) => Enumerable.Range(0, batch).Select(i => (i * 7 + seed) % classes).ToArray();

    private static float[] Targets(int batch, int width, int seed) => GeneratedModelTests.Data(batch * width, seed).Select(v => (v + 1) / 2).ToArray();
}
