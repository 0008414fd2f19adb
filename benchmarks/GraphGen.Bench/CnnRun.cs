using System.Diagnostics;
using GraphGen.Cpu;
using GraphGen.Data;
using GraphGen.Training;

namespace GraphGen.Bench;

/// <summary>One conv layer's kernels alone: forward (bias and relu fused) and backward, ms and GFLOP/s.</summary>
public sealed record ConvLayerFigures(string Name, double ForwardMs, double ForwardGflops, double BackwardMs, double BackwardGflops);

/// <summary>What the convnet's training measured: full epochs where asked, the bare step, and each conv layer.</summary>
public sealed record CnnFigures(double[] EpochSeconds, double StepSeconds, double StepGflops, IReadOnlyList<ConvLayerFigures> Layers)
{
    /// <summary>The median of the epochs after the first (or the only one); NaN where no full epoch was run.</summary>
    public double EpochSecondsMedian => EpochSeconds.Length == 0 ? double.NaN : Timing.WarmMedian(EpochSeconds);
    /// <summary>An epoch's time scaled from the bare step: 60,000 images at its images per second.</summary>
    public double EpochSecondsFromSteps(int images) => StepSeconds * images / CnnRun.Batch;
}

/// <summary>
/// The MNIST sample's convnet (samples/Mnist/MnistConvnet.cs: Conv 32 3×3 relu → MaxPool 2 → Conv 64 3×3 relu → MaxPool 2
/// → Flatten → Dense 10 softmax) on the shapes the TorchSharp peer times (benchmarks/peers/TorchSharpPeer/CnnRun.cs):
/// the epoch as TrainStep over the 60,000 images in order, batch 128 (the last 96), RMSprop; and each conv layer's
/// kernels called directly (GraphGen.Cpu.Convolution) on random data at batch 128.
/// </summary>
public static class CnnRun
{
    public const int Batch = 128;

    /// <summary>A conv layer of the model: 3×3, valid, stride 1, on an NHWC input.</summary>
    public sealed record ConvLayer(string Name, int Height, int Width, int Channels, int Filters, bool NeedsInputGradient)
    {
        public ConvShape Shape(int batch) => new(batch, Height, Width, Channels, 3, 3, 1, 0, 0, Height - 2, Width - 2);
        /// <summary>2·B·outH·outW·F·(3·3·C): the forward GEMM; each gradient (filter, input) costs the same.</summary>
        public double ForwardFlops(int batch) => 2.0 * Shape(batch).Pixels * Filters * Shape(batch).Patch;
        /// <summary>The filter gradient, and the input gradient where a layer below needs it (not conv1: its input is the data).</summary>
        public double BackwardFlops(int batch) => ForwardFlops(batch) * (NeedsInputGradient ? 2 : 1);
    }

    public static readonly ConvLayer[] Layers = [new("conv1", 28, 28, 1, 32, false), new("conv2", 13, 13, 32, 64, true)];

    /// <summary>Per step: each conv layer forward and backward as above, and the dense layer's three GEMMs (1600 → 10).</summary>
    public static double StepFlops(int batch) => Layers.Sum(l => l.ForwardFlops(batch) + l.BackwardFlops(batch)) + 3 * 2.0 * batch * 1600 * 10;

    public static CnnFigures Train(LabeledImages train, int epochs, int steps)
    {
        var model = new Mnist.MnistConvnet(seed: 42);
        var optimizer = new RmsProp();
        var seconds = new double[epochs];
        for (int e = 0; e < epochs; e++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < train.Count; b += Batch)
            {
                int rows = Math.Min(Batch, train.Count - b);
                model.TrainStep(train.Images.AsSpan(b * 784, rows * 784), train.Labels.AsSpan(b, rows), optimizer);
            }
            seconds[e] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        // Bare steps over consecutive full batches after a warm-up: the best of five windows.
        int batches = train.Count / Batch, done = 0;
        for (int s = 0; s < 10; s++) Step();
        double step = Timing.BestOfWindows(Step, Math.Max(1, steps / 5));
        return new CnnFigures(seconds, step, StepFlops(Batch) / step / 1e9, Layers.Select(TimeLayer).ToList());

        void Step()
        {
            int b = done++ % batches;
            model.TrainStep(train.Images.AsSpan(b * Batch * 784, Batch * 784), train.Labels.AsSpan(b * Batch, Batch), optimizer);
        }
    }

    /// <summary>The layer's kernels as the generated step calls them, each the best of five windows of ~60 ms.</summary>
    private static ConvLayerFigures TimeLayer(ConvLayer layer)
    {
        var shape = layer.Shape(Batch);
        var random = new Random(7);
        float[] x = Fill(shape.InputCount), w = Fill(shape.Patch * layer.Filters), bias = Fill(layer.Filters);
        float[] y = new float[shape.Pixels * layer.Filters], dy = Fill(y.Length), dw = new float[w.Length], dx = new float[x.Length];
        double forward = Timing.BestSeconds(() => Convolution.Forward(x, w, y, shape, layer.Filters, new BiasActivation<Relu>(bias)));
        double backward = Timing.BestSeconds(() =>
        {
            Convolution.BackwardFilter(x, dy, dw, shape, layer.Filters);
            if (layer.NeedsInputGradient) Convolution.BackwardInput(dy, w, dx, shape, layer.Filters);
        });
        return new ConvLayerFigures(layer.Name, forward * 1e3, layer.ForwardFlops(Batch) / forward / 1e9,
            backward * 1e3, layer.BackwardFlops(Batch) / backward / 1e9);

        float[] Fill(int count)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() - 0.5);
            return values;
        }
    }
}
