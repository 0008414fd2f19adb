using GraphGen.Ilgpu;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// Each optimizer's update kernel on ILGPU's CPU accelerator against the optimizer's own C# step: the same weights and
/// slots after several steps with a decaying learning rate (to 1e-6), the slots read back through Optimizer.State.
/// </summary>
public class IlgpuOptimizerTests(IlgpuCpuAccelerator device) : IClassFixture<IlgpuCpuAccelerator>
{
    public static TheoryData<string> Optimizers => new(s_optimizers.Keys);

    private static readonly LearningRateSchedule s_schedule = LearningRateSchedule.ExponentialDecay(0.05f, 2, 0.7f);

    private static readonly Dictionary<string, Func<Optimizer>> s_optimizers = new()
    {
        ["sgd"] = () => new Sgd(s_schedule),
        ["sgd-momentum"] = () => new Sgd(s_schedule, momentum: 0.9f),
        ["sgd-nesterov"] = () => new Sgd(s_schedule, momentum: 0.8f, nesterov: true),
        ["rmsprop"] = () => new RmsProp(s_schedule),
        ["rmsprop-centered"] = () => new RmsProp(s_schedule, rho: 0.8f, centered: true),
        ["rmsprop-momentum"] = () => new RmsProp(s_schedule, momentum: 0.7f),
        ["rmsprop-centered-momentum"] = () => new RmsProp(s_schedule, momentum: 0.5f, epsilon: 1e-4f, centered: true),
        ["adam"] = () => new Adam(s_schedule),
        ["adam-betas"] = () => new Adam(s_schedule, beta1: 0.5f, beta2: 0.9f, epsilon: 1e-3f),
        ["adagrad"] = () => new Adagrad(s_schedule),
        ["adagrad-accumulator"] = () => new Adagrad(s_schedule, initialAccumulatorValue: 0.5f, epsilon: 1e-3f),
    };

    private static Parameter[] NewParameters()
    {
        // Sizes past a SIMD vector and one short of it: the CPU's vector body and its scalar tail both run.
        var parameters = new[] { new Parameter("dense.weight", 7, 5), new Parameter("dense.bias", 5), new Parameter("scale", 1) };
        int seed = 1;
        foreach (var p in parameters) Models.GeneratedModelTests.Data(p.Length, seed++).CopyTo(p.Data, 0);
        return parameters;
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void IlgpuUpdateKernelMatchesTheCpuOptimizer(string name)
    {
        var (cpu, onDevice) = (s_optimizers[name](), s_optimizers[name]());
        var (hostParameters, deviceParameters) = (NewParameters(), NewParameters());
        using var step = new IlgpuStep(device.Accelerator, new EmptyProgram(), 1, 1, false, deviceParameters.Select(p => p.Length).ToArray());
        IlgpuCopy.Upload<float>(step.AllValues, deviceParameters.SelectMany(p => p.Data).ToArray());
        using var slots = new IlgpuOptimizerState(step, onDevice, deviceParameters);

        for (int s = 0; s < 5; s++)
        {
            var gradients = hostParameters.Select((p, i) => Models.GeneratedModelTests.Data(p.Length, 100 * s + i).Select(g => g * (i + 1)).ToArray()).ToArray();
            for (int i = 0; i < hostParameters.Length; i++) gradients[i].CopyTo(hostParameters[i].Gradient, 0);
            cpu.Step(hostParameters);

            IlgpuCopy.Upload<float>(step.AllGradients, gradients.SelectMany(g => g).ToArray());
            float rate = onDevice.BeginDeviceStep(deviceParameters);
            slots.Step(step, rate, onDevice.Iterations + 1);
            onDevice.EndDeviceStep();
        }

        Assert.Equal(cpu.Iterations, onDevice.Iterations);
        var weights = IlgpuCpuAccelerator.Download<float>(step.AllValues, step.AllValues.Length);
        AssertClose(hostParameters.SelectMany(p => p.Data).ToArray(), weights, $"{name} weights");
        Assert.True(slots.DeviceNewer);
        slots.Download();
        var expected = cpu.State(hostParameters).ToList();
        var actual = onDevice.State(deviceParameters).ToList();
        Assert.Equal(expected.Select(e => e.Name), actual.Select(a => a.Name));
        for (int i = 0; i < expected.Count; i++) AssertClose(expected[i].Values, actual[i].Values, expected[i].Name);
    }

    [Fact]
    public void IlgpuOptimizerStateNoticesAResetAndUploadsWhatTheHostHolds()
    {
        var adam = new Adam(0.01f);
        var parameters = NewParameters();
        using var step = new IlgpuStep(device.Accelerator, new EmptyProgram(), 1, 1, false, parameters.Select(p => p.Length).ToArray());
        using var slots = new IlgpuOptimizerState(step, adam, parameters);
        Assert.True(slots.Mirrors(adam, parameters));
        Assert.False(slots.Mirrors(new Adam(0.01f), parameters));

        var momentum = adam.State(parameters).First().Values;
        momentum[3] = 42;
        slots.Upload();
        IlgpuCopy.Upload<float>(step.AllGradients, new float[step.AllGradients.Length]);
        slots.Step(step, adam.BeginDeviceStep(parameters), 1);
        adam.EndDeviceStep();
        slots.Download();
        Assert.Equal(42 * 0.9f, momentum[3], 1e-6); // m ← m + (0 − m)(1 − β₁), on the value uploaded

        adam.Reset();
        Assert.False(slots.Mirrors(adam, parameters));
    }

    [Fact]
    public void IlgpuUpdateKernelsReadTheirHyperparametersFromDeviceMemory()
    {
        // Adam's step 3 under a decaying rate: the bias-corrected step and the betas lie in the device buffer the step wrote.
        var adam = new Adam(s_schedule, beta1: 0.5f, beta2: 0.9f, epsilon: 1e-3f);
        var parameters = NewParameters();
        using var step = new IlgpuStep(device.Accelerator, new EmptyProgram(), 1, 1, false, parameters.Select(p => p.Length).ToArray());
        using var slots = new IlgpuOptimizerState(step, adam, parameters);
        IlgpuCopy.Upload<float>(step.AllGradients, new float[step.AllGradients.Length]);
        float rate = 0;
        for (int s = 0; s < 3; s++)
        {
            rate = adam.BeginDeviceStep(parameters);
            slots.Step(step, rate, adam.Iterations + 1);
            adam.EndDeviceStep();
        }
        Assert.Equal([adam.StepSize(rate, 3), 0.5f, 0.9f, 1e-3f], IlgpuCpuAccelerator.Download<float>(slots.Hyperparameters, 4));

        // The kernel takes what the buffer holds, not a launch argument: w ← w − h[0]·g with h[0] written by hand.
        var sgd = new Sgd(0.1f);
        using var h = device.Upload(new[] { 0.25f, 0f, 0f, 0f });
        var w = parameters.SelectMany(p => p.Data).ToArray();
        IlgpuCopy.Upload<float>(step.AllValues, w);
        IlgpuCopy.Upload<float>(step.AllGradients, Enumerable.Repeat(2f, w.Length).ToArray());
        step.Kernels.Updates.Apply(sgd, step.AllValues, step.AllGradients, [], h.View);
        AssertClose(w.Select(v => v - 0.25f * 2f).ToArray(), IlgpuCpuAccelerator.Download<float>(step.AllValues, w.Length), "w");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
