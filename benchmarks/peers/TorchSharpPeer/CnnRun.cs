using System.Diagnostics;
using GraphGen.Bench;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>
/// samples/Mnist/MnistConvnet.cs in LibTorch: Conv 32 3×3 relu → MaxPool 2 → Conv 64 3×3 relu → MaxPool 2 → Flatten →
/// Dense 10 softmax, valid padding, stride 1. GraphGen runs it NHWC; here it is NCHW, LibTorch's own layout: the same
/// FLOPs. The epoch is TrainStep over the 60,000 images in order, batch 128 (the last batch 96), RMSprop, as the bench's.
/// </summary>
internal static class CnnRun
{
    public const int Batch = 128;

    /// <summary>One conv layer of the model: its input (channels, height, width) and filters (3×3, valid, stride 1).</summary>
    public sealed record ConvLayer(string Name, int Channels, int Height, int Width, int Filters, bool NeedsInputGradient)
    {
        public int OutHeight => Height - 2;
        public int OutWidth => Width - 2;
        /// <summary>2·B·outH·outW·F·(3·3·C): the forward GEMM; each gradient (input, filter) costs the same.</summary>
        public double ForwardFlops(int batch) => 2.0 * batch * OutHeight * OutWidth * Filters * 9 * Channels;
        /// <summary>The filter gradient, and the input gradient where a layer below needs it (not for conv1: its input is the data).</summary>
        public double BackwardFlops(int batch) => ForwardFlops(batch) * (NeedsInputGradient ? 2 : 1);
    }

    public static readonly ConvLayer[] Layers = [new("conv1", 1, 28, 28, 32, false), new("conv2", 32, 13, 13, 64, true)];

    /// <summary>Forward of every layer, the conv gradients above, and the dense layer's three GEMMs, per step.</summary>
    public static double StepFlops(int batch) =>
        Layers.Sum(l => l.ForwardFlops(batch) + l.BackwardFlops(batch)) + 3 * 2.0 * batch * 1600 * 10;

    public static nn.Module<Tensor, Tensor> Create() => nn.Sequential(
        ("conv1", nn.Conv2d(1, 32, 3)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("conv2", nn.Conv2d(32, 64, 3)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()), ("output", nn.Linear(1600, 10)));

    public static Dictionary<string, object> Run(MnistTensors train, MnistTensors test, int epochs, int steps)
    {
        manual_seed(42);
        var model = Create();
        var optimizer = optim.RMSProp(model.parameters(), lr: 1e-3, alpha: 0.9, eps: 1e-7);
        var images = train.ImagesNchw;
        var seconds = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < train.Count; b += Batch)
            {
                using var scope = NewDisposeScope();
                int rows = Math.Min(Batch, train.Count - b);
                MlpRun.Step(model, optimizer, images.narrow(0, b, rows), train.Labels.narrow(0, b, rows));
            }
            seconds[e] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        // Bare steps over consecutive full batches after a warm-up: the best of five windows, as GraphGen.Bench's CnnRun.
        int batches = train.Count / Batch, done = 0;
        Action bareStep = () =>
        {
            using var scope = NewDisposeScope();
            int b = done++ % batches;
            MlpRun.Step(model, optimizer, images.narrow(0, b * Batch, Batch), train.Labels.narrow(0, b * Batch, Batch));
        };
        for (int s = 0; s < 10; s++) bareStep();
        double step = Timing.BestOfWindows(bareStep, Math.Max(1, steps / 5));

        model.eval();
        var testImages = test.ImagesNchw;
        double predict;
        using (no_grad())
        {
            // In chunks of 128 images: LibTorch's best here (chunks of 1,024, GraphGen's default, took ~6× longer: its
            // blocked-layout activations of a 1,024 batch leave the caches). One warm-up, the best of three, as the bench.
            Action predictAll = () =>
            {
                for (int b = 0; b < test.Count; b += Batch)
                {
                    using var scope = NewDisposeScope();
                    model.forward(testImages.narrow(0, b, Math.Min(Batch, test.Count - b)));
                }
            };
            predictAll();
            predict = Timing.BestOfWindows(predictAll, 1, windows: 3);
        }
        var figures = new Dictionary<string, object>
        {
            ["cnn_epochs_s"] = seconds,
            ["cnn_epoch_s"] = Timing.WarmMedian(seconds),
            ["cnn_first_epoch_s"] = seconds[0],
            ["cnn_epoch_gflops"] = StepFlops(1) * train.Count / Timing.WarmMedian(seconds) / 1e9,
            ["cnn_step_ms"] = step * 1e3,
            ["cnn_step_gflops"] = StepFlops(Batch) / step / 1e9,
            ["cnn_epoch_s_from_steps"] = step * train.Count / Batch,
            ["cnn_predict_10k_s"] = predict,
        };
        foreach (var layer in Layers) TimeLayer(layer, figures);
        return figures;
    }

    /// <summary>
    /// One conv layer alone at batch 128 on random data: forward with bias and relu (as GraphGen's epilogue fuses them),
    /// and backward as autograd runs it (the filter gradient, and the input gradient where needed; no bias gradient),
    /// each the best of five windows.
    /// </summary>
    private static void TimeLayer(ConvLayer layer, Dictionary<string, object> figures)
    {
        using var scope = NewDisposeScope();
        var x = randn(Batch, layer.Channels, layer.Height, layer.Width);
        var weight = randn(layer.Filters, layer.Channels, 3, 3).mul_(0.1);
        var bias = randn(layer.Filters).mul_(0.1);
        double forward;
        using (no_grad())
            forward = Timing.BestSeconds(() => { using var s = NewDisposeScope(); nn.functional.conv2d(x, weight, bias).relu_(); });

        weight.requires_grad_(true);
        if (layer.NeedsInputGradient) x.requires_grad_(true);
        var y = nn.functional.conv2d(x, weight, bias);
        var dy = randn_like(y);
        Tensor[] wanted = layer.NeedsInputGradient ? [x, weight] : [weight];
        double backward = Timing.BestSeconds(() =>
        {
            using var s = NewDisposeScope();
            torch.autograd.grad([y], wanted, [dy], retain_graph: true);
        });
        figures[$"{layer.Name}_forward_ms"] = forward * 1e3;
        figures[$"{layer.Name}_forward_gflops"] = layer.ForwardFlops(Batch) / forward / 1e9;
        figures[$"{layer.Name}_backward_ms"] = backward * 1e3;
        figures[$"{layer.Name}_backward_gflops"] = layer.BackwardFlops(Batch) / backward / 1e9;
    }
}
