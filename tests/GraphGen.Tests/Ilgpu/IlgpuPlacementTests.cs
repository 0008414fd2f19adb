using System.Numerics;
using System.Runtime.Intrinsics;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// model.To(Device.IlgpuCpu) with the hand-written models of IlgpuTestModels: training, gradients, Fit, Evaluate and
/// Predict on ILGPU's CPU accelerator against the same model on the CPU, and the sync points that bring the weights
/// and the optimizer's state home.
/// </summary>
public class IlgpuPlacementTests
{
    private const int Inputs = 6, Outputs = 3, Rows = 53;
    private static readonly float[] s_x = Models.GeneratedModelTests.Data(Rows * Inputs, 1);
    private static readonly float[] s_y = Models.GeneratedModelTests.Data(Rows * Outputs, 2);
    private static readonly int[] s_labels = Enumerable.Range(0, Rows).Select(i => (int)((s_x[i * Inputs] + 1) * 1.4999f)).ToArray();

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    private static void AssertSameWeights(CompiledModel expected, CompiledModel actual, double tolerance)
    {
        for (int i = 0; i < expected.Weights.Count; i++) AssertClose(expected.Weights[i].Data, actual.Weights[i].Data, tolerance, expected.Weights[i].Name);
    }

    [Fact]
    public void IlgpuPlacedTrainStepAndComputeGradientsMatchTheCpu()
    {
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 3);
        var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 3);
        Assert.Same(device, device.To(Device.IlgpuCpu));
        Assert.Equal(Device.IlgpuCpu, device.Device);
        Assert.Equal(Device.Cpu, cpu.Device);
        var (adamCpu, adamDevice) = (new Adam(0.01f), new Adam(0.01f));
        for (int s = 0; s < 4; s++)
        {
            int batch = 5 + 9 * s; // growing batches: the device buffers grow with them
            var x = s_x.AsSpan(0, batch * Inputs);
            var y = s_y.AsSpan(0, batch * Outputs);
            Assert.Equal(cpu.TrainStep(x, y, adamCpu), device.TrainStep(x, y, adamDevice), 1e-5);
        }
        Assert.Equal(4, adamDevice.Iterations);
        AssertSameWeights(cpu, device, 1e-5);

        float loss = cpu.ComputeGradients(s_x.AsSpan(0, 20 * Inputs), s_y.AsSpan(0, 20 * Outputs));
        Assert.Equal(loss, device.ComputeGradients(s_x.AsSpan(0, 20 * Inputs), s_y.AsSpan(0, 20 * Outputs)), 1e-5);
        for (int i = 0; i < cpu.Weights.Count; i++) AssertClose(cpu.Weights[i].Gradient, device.Weights[i].Gradient, 1e-5, cpu.Weights[i].Name + " gradient");
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuFitEvaluateAndPredictOfARegressionMatchTheCpu()
    {
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 5);
        var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 5).To(Device.IlgpuCpu);
        // 53 rows, 10 held out, batches of 8: the last batch of each epoch is partial; the order is shuffled each epoch.
        var expected = cpu.Fit(s_x, s_y, epochs: 3, batchSize: 8, optimizer: new RmsProp(0.01f), validationSplit: 0.2, verbose: 0);
        var actual = device.Fit(s_x, s_y, epochs: 3, batchSize: 8, optimizer: new RmsProp(0.01f), validationSplit: 0.2, verbose: 0);
        Assert.Equal(2, device.Placement!.InputUploads); // the training set and the validation inputs, once each for 3 epochs
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        for (int e = 0; e < expected.Epochs.Count; e++)
        {
            Assert.Equal(expected.Epochs[e].Values.Keys, actual.Epochs[e].Values.Keys);
            foreach (var (key, value) in expected.Epochs[e].Values) Assert.Equal(value, actual.Epochs[e].Values[key], 1e-5);
        }
        AssertSameWeights(cpu, device, 1e-5);

        var evaluation = cpu.Evaluate(s_x, s_y, batchSize: 16);
        var onDevice = device.Evaluate(s_x, s_y, batchSize: 16);
        Assert.Equal(evaluation.Loss, onDevice.Loss, 1e-5);
        foreach (var (key, value) in evaluation.Metrics) Assert.Equal(value, onDevice.Metrics[key], 1e-5);
        AssertClose(cpu.Predict(s_x, batchSize: 7), device.Predict(s_x, batchSize: 7), 1e-5, "predictions");
        Assert.Equal(2 + 1 + 1, device.Placement!.InputUploads); // Evaluate's 4 batches and Predict's 8 ran from one upload each
        // It all ran on the device: 3 epochs of 6 steps, and forward passes for validation, Evaluate and Predict.
        var program = device.Program!;
        Assert.Equal((1, 18), (program.Loads, program.ForwardBackwards));
        Assert.Equal(3 * 1 + 4 + 8, program.Forwards);
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuFitOfAClassifierWithIntLabelsMatchesTheCpu()
    {
        var cpu = new IlgpuSoftmaxClassifier(Inputs, Outputs, seed: 2);
        var device = new IlgpuSoftmaxClassifier(Inputs, Outputs, seed: 2).To(Device.IlgpuCpu);
        var validation = (s_x[..(10 * Inputs)], s_labels[..10]);
        var expected = cpu.Fit(s_x, s_labels, epochs: 2, batchSize: 16, optimizer: new Sgd(0.5f, momentum: 0.9f), validationData: validation, verbose: 0);
        var actual = device.Fit(s_x, s_labels, epochs: 2, batchSize: 16, optimizer: new Sgd(0.5f, momentum: 0.9f), validationData: validation, verbose: 0);
        for (int e = 0; e < expected.Epochs.Count; e++)
            foreach (var (key, value) in expected.Epochs[e].Values) Assert.Equal(value, actual.Epochs[e].Values[key], 1e-5);
        AssertSameWeights(cpu, device, 1e-5);
        Assert.Equal(cpu.PredictClasses(s_x), device.PredictClasses(s_x));
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuToCpuBringsTheWeightsAndTheOptimizerStateHome()
    {
        // Two steps on the device, two on the CPU after coming home: the same as four on the CPU.
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 7);
        var moved = new IlgpuLinearRegression(Inputs, Outputs, seed: 7).To(Device.IlgpuCpu);
        var (adamCpu, adamMoved) = (new Adam(0.02f), new Adam(0.02f));
        var x = s_x[..(16 * Inputs)];
        var y = s_y[..(16 * Outputs)];
        for (int s = 0; s < 4; s++)
        {
            if (s == 2) Assert.Same(moved, moved.To(Device.Cpu));
            cpu.TrainStep(x, y, adamCpu);
            moved.TrainStep(x, y, adamMoved);
        }
        Assert.Equal(Device.Cpu, moved.Device);
        AssertSameWeights(cpu, moved, 1e-5);
        var expected = adamCpu.State(cpu.Weights).ToList();
        var actual = adamMoved.State(moved.Weights).ToList();
        for (int i = 0; i < expected.Count; i++) AssertClose(expected[i].Values, actual[i].Values, 1e-5, expected[i].Name);
    }

    [Fact]
    public void IlgpuSavingAndLoadingOnTheDeviceSeeTheDeviceWeights()
    {
        string folder = Directory.CreateTempSubdirectory("graphgen-ilgpu").FullName;
        try
        {
            var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 9);
            var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 9).To(Device.IlgpuCpu);
            var (sgdCpu, sgdDevice) = (new Sgd(0.1f, momentum: 0.9f), new Sgd(0.1f, momentum: 0.9f));
            var x = s_x[..(20 * Inputs)];
            var y = s_y[..(20 * Outputs)];
            for (int s = 0; s < 3; s++)
            {
                cpu.TrainStep(x, y, sgdCpu);
                device.TrainStep(x, y, sgdDevice);
            }
            string weights = Path.Combine(folder, "w.safetensors"), checkpoint = Path.Combine(folder, "c.safetensors");
            device.SaveWeights(weights);
            device.SaveCheckpoint(checkpoint, sgdDevice, epoch: 3);

            var loaded = new IlgpuLinearRegression(Inputs, Outputs, seed: 1);
            loaded.LoadWeights(weights);
            AssertSameWeights(cpu, loaded, 1e-5);

            // A checkpoint loaded into a placed model: the device takes the weights and the momentum, and training on
            // continues as it does on the CPU.
            var resumed = new IlgpuLinearRegression(Inputs, Outputs, seed: 1).To(Device.IlgpuCpu);
            var sgdResumed = new Sgd(0.1f, momentum: 0.9f);
            Assert.Equal(3, resumed.LoadCheckpoint(checkpoint, sgdResumed));
            Assert.Equal(cpu.TrainStep(x, y, sgdCpu), resumed.TrainStep(x, y, sgdResumed), 1e-5);
            AssertSameWeights(cpu, resumed, 1e-5);

            // LoadWeights into a placed model: Predict sees them.
            device.LoadWeights(weights);
            var reference = new IlgpuLinearRegression(Inputs, Outputs, seed: 1);
            reference.LoadWeights(weights);
            AssertClose(reference.Predict(s_x), device.Predict(s_x), 1e-5, "predictions after LoadWeights");
            device.To(Device.Cpu);
            resumed.To(Device.Cpu);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void IlgpuReadingWeightsIsASyncPointAndEditsReachTheDevice()
    {
        var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 4).To(Device.IlgpuCpu);
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 4);
        device.TrainStep(s_x, s_y, new Sgd(0.1f));
        cpu.TrainStep(s_x, s_y, new Sgd(0.1f));
        // A parameter held from before (as a generated layer property hands it out): its Data and Gradient come home when read.
        AssertClose(cpu.Weight.Data, device.Weight.Data, 1e-5, "weight");
        AssertClose(cpu.Weight.Gradient, device.Weight.Gradient, 1e-5, "weight gradient");
        AssertSameWeights(cpu, device, 1e-5); // and through Weights
        device.TrainStep(s_x, s_y, new Sgd(0.1f));
        cpu.TrainStep(s_x, s_y, new Sgd(0.1f));
        AssertClose(cpu.Weight.Data, device.Weight.Data, 1e-5, "weight after another step");

        // Edited through Weights (as EarlyStopping's restore does), the host's values go up before the next call.
        device.Weights[1].Data[0] = 5;
        cpu.Weights[1].Data[0] = 5;
        AssertClose(cpu.Predict(s_x), device.Predict(s_x), 1e-5, "predictions after an edit");
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuEarlyStoppingRestoresTheBestWeightsOnTheDevice()
    {
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 6);
        var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 6).To(Device.IlgpuCpu);
        // A learning rate that diverges: the loss rises from the first epoch, and the first epoch's weights come back.
        Callback[] Stop() => [new EarlyStopping(monitor: "loss", patience: 1, restoreBestWeights: true)];
        var expected = cpu.Fit(s_x, s_y, epochs: 6, batchSize: 53, optimizer: new Sgd(3f), callbacks: Stop(), verbose: 0);
        var actual = device.Fit(s_x, s_y, epochs: 6, batchSize: 53, optimizer: new Sgd(3f), callbacks: Stop(), verbose: 0);
        Assert.Equal(expected.Epochs.Count, actual.Epochs.Count);
        Assert.True(expected.Epochs.Count < 6);
        AssertSameWeights(cpu, device, 1e-4);
        AssertClose(cpu.Predict(s_x), device.Predict(s_x), 1e-4, "predictions");
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuAnOptimizerWithoutAKernelStepsOnTheHost()
    {
        var cpu = new IlgpuLinearRegression(Inputs, Outputs, seed: 8);
        var device = new IlgpuLinearRegression(Inputs, Outputs, seed: 8).To(Device.IlgpuCpu);
        var x = s_x[..(30 * Inputs)];
        var y = s_y[..(30 * Outputs)];
        for (int s = 0; s < 3; s++) Assert.Equal(cpu.TrainStep(x, y, new HalfStep()), device.TrainStep(x, y, new HalfStep()), 1e-5);
        AssertSameWeights(cpu, device, 1e-5);
        device.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuAModelWithoutAProgramIsRefusedClearly()
    {
        var model = new IlgpuLinearRegression(Inputs, Outputs) { HasProgram = false };
        var e = Assert.Throws<NotSupportedException>(() => model.To(Device.IlgpuCpu));
        Assert.Contains("IlgpuLinearRegression cannot run on ILGPU-CPU: it has no ILGPU program", e.Message);
        Assert.Equal(Device.Cpu, model.Device);
        Assert.Same(model, model.To(Device.Cpu)); // already there
    }

    [Fact]
    public void IlgpuAModelCannotMoveWhileItTrainsThere()
    {
        var model = new IlgpuLinearRegression(Inputs, Outputs).To(Device.IlgpuCpu);
        var move = new LambdaCallback(onEpochEnd: _ => model.To(Device.Cpu));
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(s_x, s_y, epochs: 1, callbacks: [move], verbose: 0));
        Assert.Contains("is training on ILGPU-CPU", e.Message);
        Assert.Equal(Device.IlgpuCpu, model.Device);
        model.To(Device.Cpu);
    }

    [Fact]
    public void IlgpuDevicesParseListAndPrint()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(Device.IlgpuCpu, Device.Parse("ilgpu-cpu"));
        Assert.Equal(Device.IlgpuCpu, Device.Parse(" ILGPU-CPU "));
        Assert.Equal(Device.Cuda(0), Device.Parse("cuda"));
        Assert.Equal(Device.Cuda(2), Device.Parse("CUDA:2"));
        foreach (var d in new[] { Device.Cpu, Device.IlgpuCpu, Device.Cuda(3) }) Assert.Equal(d, Device.Parse(d.ToString()));
        foreach (var bad in new[] { "", "gpu", "cuda:", "cuda:-1", "cuda:x", "tpu" })
            Assert.Contains("is not a device", Assert.Throws<FormatException>(() => Device.Parse(bad)).Message);
        Assert.Equal("ILGPU-CPU", Device.IlgpuCpu.ToString());
        var list = Devices.List();
        Assert.Equal([DeviceKind.Cpu, DeviceKind.IlgpuCpu], list.Take(2).Select(d => d.Kind));
        Assert.StartsWith("ILGPU-CPU: ", list[1].ToString());
        Assert.Equal(list[1], Device.IlgpuCpu.Describe());
    }

    /// <summary>An optimizer of a user's own (no ILGPU kernel): w ← w − ½g.</summary>
    private sealed class HalfStep() : Optimizer(1f)
    {
        public override string Name => "half";
        public override IReadOnlyList<string> SlotNames => [];

        protected override void Update<TPass>(ref TPass pass, Parameter parameter, float[][] slots, float learningRate, long step)
            => pass.Apply(new Rule(), parameter, null, null, null);

        private readonly struct Rule : IUpdateRule
        {
            public void Apply(ref float w, float g, ref float s0, ref float s1, ref float s2) => w -= 0.5f * g;
            public void Apply(ref Vector<float> w, Vector<float> g, ref Vector<float> s0, ref Vector<float> s1, ref Vector<float> s2) => w -= 0.5f * g;
            public void Apply(ref Vector512<float> w, Vector512<float> g, ref Vector512<float> s0, ref Vector512<float> s1, ref Vector512<float> s2) => w -= 0.5f * g;
        }
    }
}
