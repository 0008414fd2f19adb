using System.Diagnostics;
using GraphGen.Bench;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>
/// The bench's reference model, 784 → Dense 512 relu → Dense 10 softmax, sparse categorical cross-entropy (softmax
/// cross-entropy from the logits), RMSprop with Keras's constants, batch 128, reshuffled every epoch as Fit does, the
/// batches gathered from the resident tensors.
/// </summary>
internal static class MlpRun
{
    public const int Batch = 128, Hidden = 512;

    /// <summary>As GraphGen.Bench's ReferenceRun: 2·B·(2·784·h + 3·h·10), forward, δ·Wᵀ and both weight gradients.</summary>
    public static double StepFlops(int batch) => 2.0 * batch * (2.0 * 784 * Hidden + 3.0 * Hidden * 10);

    public static Dictionary<string, object> Run(MnistTensors train, MnistTensors test, int epochs, int steps)
    {
        manual_seed(42);
        var model = nn.Sequential(("hidden", nn.Linear(784, Hidden)), ("relu", nn.ReLU()), ("output", nn.Linear(Hidden, 10)));
        var optimizer = optim.RMSProp(model.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-7);
        var seconds = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            long start = Stopwatch.GetTimestamp();
            using (var epochScope = NewDisposeScope())
            {
                var order = randperm(train.Count);
                for (int b = 0; b < train.Count; b += Batch)
                {
                    using var stepScope = NewDisposeScope();
                    var index = order.narrow(0, b, Math.Min(Batch, train.Count - b));
                    Step(model, optimizer, train.Images.index_select(0, index), train.Labels.index_select(0, index));
                }
            }
            seconds[e] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        // Bare steps over consecutive batches, best of five windows, as ReferenceRun.TimeSteps.
        int batches = train.Count / Batch, done = 0;
        Action bareStep = () =>
        {
            using var scope = NewDisposeScope();
            int b = done++ % batches;
            Step(model, optimizer, train.Images.narrow(0, b * Batch, Batch), train.Labels.narrow(0, b * Batch, Batch));
        };
        for (int s = 0; s < 20; s++) bareStep();
        double step = Timing.BestOfWindows(bareStep, Math.Max(1, steps / 5));

        model.eval();
        double predict, accuracy;
        using (no_grad())
        {
            predict = Timing.BestSeconds(() => { using var scope = NewDisposeScope(); model.forward(test.Images); }, budget: 1.0);
            using var scope = NewDisposeScope();
            accuracy = model.forward(test.Images).argmax(1).eq(test.Labels).to_type(ScalarType.Float32).mean().item<float>();
        }
        return new Dictionary<string, object>
        {
            ["epochs_s"] = seconds,
            ["epoch_s"] = Timing.WarmMedian(seconds),
            ["first_epoch_s"] = seconds[0],
            ["step_ms"] = step * 1e3,
            ["step_gflops"] = StepFlops(Batch) / step / 1e9,
            ["predict_10k_s"] = predict,
            ["test_accuracy"] = accuracy,
        };
    }

    /// <summary>One optimizer step: forward, loss, backward, update.</summary>
    public static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
    }
}
