using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Models;

/// <summary>
/// Every test model on ILGPU's CPU accelerator against the CPU path, same seed, same batches: 20 training steps whose
/// losses agree within 1e-4 relative, then Predict within 1e-5 and the final weights within 1e-4. The CPU accelerator
/// compiles kernels through the same front end as the CUDA backend, so what passes here is what ILGPU takes for a GPU.
/// </summary>
public class IlgpuModelTests
{
    public static IEnumerable<object[]> Models() => new[]
    {
        "ReluClassifier/rmsprop", "TanhClassifier/adam", "SigmoidClassifier/sgd", "LinearClassifier/adagrad", "ThreeLayerClassifier/momentum",
        "Regressor/adam", "BinaryFromLogitsNet/rmsprop", "BinarySigmoidNet/sgd", "OneHotNet/adam", "OneHotFromLogitsNet/rmsprop",
        "SparseFromLogitsNet/adagrad", "MaeRegressor/rmsprop", "Width1Net/adam",
        // [Forward] bodies: the seed's tanh MLP, the perceptron, a residual block, two inputs, a Gram matrix over the batch.
        "DigitsForwardMlp/adam", "ForwardPerceptron/sgd", "ResidualNet/rmsprop", "TwoInputNet/adam", "GramNet/sgd",
        // Broadcasts, reductions, SumTo and transposes; a mean over the batch, which mixes its rows.
        "EveryOpNet/adam", "BatchCenteredNet/rmsprop",
    }.Select(n => new object[] { n });

    private static Optimizer OptimizerNamed(string name) => name switch
    {
        "rmsprop" => new RmsProp(),
        "adam" => new Adam(),
        "sgd" => new Sgd(0.05f),
        "momentum" => new Sgd(0.05f, momentum: 0.9f),
        _ => new Adagrad(),
    };

    private static CompiledModel Create(string name) => name switch
    {
        nameof(ReluClassifier) => new ReluClassifier(4), nameof(TanhClassifier) => new TanhClassifier(4),
        nameof(SigmoidClassifier) => new SigmoidClassifier(4), nameof(LinearClassifier) => new LinearClassifier(4),
        nameof(ThreeLayerClassifier) => new ThreeLayerClassifier(4), nameof(Regressor) => new Regressor(4),
        nameof(BinaryFromLogitsNet) => new BinaryFromLogitsNet(4), nameof(BinarySigmoidNet) => new BinarySigmoidNet(4),
        nameof(OneHotNet) => new OneHotNet(4), nameof(OneHotFromLogitsNet) => new OneHotFromLogitsNet(4),
        nameof(SparseFromLogitsNet) => new SparseFromLogitsNet(4), nameof(MaeRegressor) => new MaeRegressor(4),
        nameof(Width1Net) => new Width1Net(4), nameof(DigitsForwardMlp) => new DigitsForwardMlp(4),
        nameof(ForwardPerceptron) => new ForwardPerceptron(4), nameof(ResidualNet) => new ResidualNet(4),
        nameof(TwoInputNet) => new TwoInputNet(4), nameof(GramNet) => new GramNet(4),
        nameof(EveryOpNet) => new EveryOpNet(4), nameof(BatchCenteredNet) => new BatchCenteredNet(4),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void TrainsOnTheIlgpuCpuAcceleratorAsOnTheCpu(string model)
    {
        var (name, optimizer) = (model.Split('/')[0], model.Split('/')[1]);
        var cpu = Create(name);
        var device = Create(name);
        device.To(Device.IlgpuCpu);
        switch (cpu)
        {
            case CompiledModel<int> c: Train(c, (CompiledModel<int>)device, optimizer, (b, s) => Labels(b, c.OutputWidth, s)); break;
            case CompiledModel<float> c: Train(c, (CompiledModel<float>)device, optimizer, (b, s) => Targets(b, c.TargetsPerSample, s)); break;
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
