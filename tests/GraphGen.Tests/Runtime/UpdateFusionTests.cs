using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>
/// The backward pass applies the update of a weight no later kernel reads inside the GEMM computing its gradient.
/// That must change nothing: weights, gradients and optimizer state equal, bit for bit, those of the separate update,
/// for every optimizer, over steps that build up state, on Dense and [Forward] models and odd batch sizes.
/// </summary>
public class UpdateFusionTests
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
    public void UpdatingInsideTheGemmEqualsTheSeparateUpdate(string optimizerName, string modelName)
    {
        var fused = Model(modelName);
        var separate = Model(modelName);
        separate.FuseUpdates = false;
        var (fusedOptimizer, separateOptimizer) = (Create(optimizerName), Create(optimizerName));
        foreach (int batch in new[] { 13, 64, 1, 29, 64 })
        {
            var x = GeneratedModelTests.Data(batch * fused.InputWidth, seed: batch);
            var labels = Enumerable.Range(0, batch).Select(i => (i * 5 + batch) % fused.OutputWidth).ToArray();
            Assert.Equal(separate.TrainStep(x, labels, separateOptimizer), fused.TrainStep(x, labels, fusedOptimizer));
        }
        for (int p = 0; p < fused.Weights.Count; p++)
        {
            Assert.True(fused.Weights[p].Data.AsSpan().SequenceEqual(separate.Weights[p].Data), $"{fused.Weights[p].Name} differs");
            Assert.True(fused.Weights[p].Gradient.AsSpan().SequenceEqual(separate.Weights[p].Gradient), $"{fused.Weights[p].Name}'s gradient differs");
        }
        var fusedState = fusedOptimizer.State(fused.Weights).ToList();
        var separateState = separateOptimizer.State(separate.Weights).ToList();
        for (int s = 0; s < fusedState.Count; s++)
            Assert.True(fusedState[s].Values.AsSpan().SequenceEqual(separateState[s].Values), $"{fusedState[s].Name} differs");
        Assert.Equal(separateOptimizer.Iterations, fusedOptimizer.Iterations);
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
}
