using GraphGen.Cpu;
using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// TrainStep is ComputeGradients followed by the optimizer's Step: weights, gradients and optimizer state equal, bit
/// for bit, those of the two calls, for every optimizer, over steps that build up state, on Dense and [Forward] models
/// and odd batch sizes. A step that throws inside its kernels changes no weight and counts nothing.
/// </summary>
public class StepUpdateTests
{
    public static IEnumerable<object[]> Cases() =>
        from optimizer in new[] { "sgd", "sgd-momentum", "sgd-nesterov", "rmsprop", "rmsprop-momentum", "rmsprop-centered", "adam", "adagrad" }
        from model in new[] { nameof(MnistReference), nameof(ThreeLayerClassifier), nameof(ResidualNet) }
        select new object[] { optimizer, model };

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.05f),
        "sgd-momentum" => new Sgd(0.05f, momentum: 0.9f),
        "sgd-nesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
        "rmsprop" => new RmsProp(),
        "rmsprop-momentum" => new RmsProp(0.01f, momentum: 0.5f),
        "rmsprop-centered" => new RmsProp(0.01f, rho: 0.8f, centered: true),
        "adam" => new Adam(LearningRateSchedule.ExponentialDecay(0.01f, 2, 0.5f)),
        _ => new Adagrad(0.05f),
    };

    private static CompiledModel<int> Model(string name) => name switch
    {
        nameof(MnistReference) => new MnistReference(seed: 3),
        nameof(ThreeLayerClassifier) => new ThreeLayerClassifier(seed: 3),
        _ => new ResidualNet(seed: 3),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainStepEqualsComputeGradientsThenStep(string optimizerName, string modelName)
    {
        var stepped = Model(modelName);
        var separate = Model(modelName);
        var (steppedOptimizer, separateOptimizer) = (Create(optimizerName), Create(optimizerName));
        foreach (int batch in new[] { 13, 64, 1, 29, 64 })
        {
            var x = GeneratedModelTests.Data(batch * stepped.InputWidth, seed: batch);
            var labels = Enumerable.Range(0, batch).Select(i => (i * 5 + batch) % stepped.OutputWidth).ToArray();
            float separateLoss = separate.ComputeGradients(x, labels);
            separateOptimizer.Step(separate.TrainableWeights);
            Assert.Equal(separateLoss, stepped.TrainStep(x, labels, steppedOptimizer));
        }
        for (int p = 0; p < stepped.Weights.Count; p++)
        {
            Assert.True(stepped.Weights[p].Data.AsSpan().SequenceEqual(separate.Weights[p].Data), $"{stepped.Weights[p].Name} differs");
            Assert.True(stepped.Weights[p].Gradient.AsSpan().SequenceEqual(separate.Weights[p].Gradient), $"{stepped.Weights[p].Name}'s gradient differs");
        }
        var steppedState = steppedOptimizer.State(stepped.Weights).ToList();
        var separateState = separateOptimizer.State(separate.Weights).ToList();
        if (optimizerName != "sgd") Assert.Contains(steppedState, s => s.Values.Any(v => v != 0)); // the state has built up
        for (int s = 0; s < steppedState.Count; s++)
            Assert.True(steppedState[s].Values.AsSpan().SequenceEqual(separateState[s].Values), $"{steppedState[s].Name} differs");
        Assert.Equal(5, steppedOptimizer.Iterations);
        Assert.Equal(separateOptimizer.Iterations, steppedOptimizer.Iterations);
    }

    [Fact]
    public void ComputeGradientsUpdatesNothing()
    {
        var model = new MnistReference(seed: 3);
        var before = model.Weights.Select(w => w.Data.ToArray()).ToArray();
        model.ComputeGradients(GeneratedModelTests.Data(8 * 784, 1), Enumerable.Range(0, 8).ToArray());
        for (int p = 0; p < before.Length; p++) Assert.True(before[p].AsSpan().SequenceEqual(model.Weights[p].Data), $"{model.Weights[p].Name} changed");
        Assert.Contains(model.Weights[0].Gradient, g => g != 0);
    }

    [Fact]
    public void AStepThatThrowsInsideItsKernelsChangesNoWeightAndCountsNothing()
    {
        var model = new FailingRegression();
        var optimizer = new RmsProp(0.1f);
        float[] x = [1, 2, 3, 4], y = [1, 0];
        model.TrainStep(x, y, optimizer);
        var before = model.Weights.Select(w => w.Data.ToArray()).ToArray();
        var state = optimizer.State(model.Weights).Select(s => s.Values.ToArray()).ToArray();

        model.FailAfterBackward = true;
        var error = Assert.Throws<InvalidOperationException>(() => model.TrainStep(x, y, optimizer));
        Assert.Contains("after the backward pass", error.Message);
        for (int p = 0; p < before.Length; p++) Assert.True(before[p].AsSpan().SequenceEqual(model.Weights[p].Data), $"{model.Weights[p].Name} changed");
        var stateAfter = optimizer.State(model.Weights).Select(s => s.Values).ToArray();
        for (int s = 0; s < state.Length; s++) Assert.True(state[s].AsSpan().SequenceEqual(stateAfter[s]), $"slot {s} changed");
        Assert.Equal(1, optimizer.Iterations);

        model.FailAfterBackward = false;
        model.TrainStep(x, y, optimizer);
        Assert.Equal(2, optimizer.Iterations);
        Assert.False(before[0].AsSpan().SequenceEqual(model.Weights[0].Data), "the next step trains again");
    }

    /// <summary>y = x·W + b, mean squared error, written by hand; it throws once its gradients are computed when told to.</summary>
    private sealed class FailingRegression : CompiledModel<float>
    {
        private readonly Parameter _weight = new("linear.weight", 2, 1), _bias = new("linear.bias", 1);
        private float[] _z = [], _dz = [];

        public FailingRegression() : base(2, 1, Losses.MeanSquaredError())
            => InitializeParameters([_weight, _bias], seed: 1, null, Initializer.Uniform(-0.5f, 0.5f));

        public bool FailAfterBackward { get; set; }

        protected override void AllocateBuffers(int rows) => (_z, _dz) = (new float[rows], new float[rows]);

        protected override ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch)
        {
            Gemm.Multiply(GemmLayout.NN, batch, 1, 2, x, _weight.Data, _z, new BiasActivation<Linear>(_bias.Data));
            return _z.AsSpan(0, batch);
        }

        protected override ReadOnlySpan<float> TrainingOutput(int batch) => _z.AsSpan(0, batch);

        protected override float ForwardBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, int batch)
        {
            Forward(x, batch);
            float loss = LossKernels.MeanSquaredError(_z, targets, _dz, batch, 1);
            Kernels.ColumnSums(_dz, _bias.Gradient, batch, 1);
            Gemm.Multiply(GemmLayout.TN, 2, 1, batch, x, _dz, _weight.Gradient);
            if (FailAfterBackward) throw new InvalidOperationException("a kernel failed after the backward pass");
            return loss;
        }
    }
}
