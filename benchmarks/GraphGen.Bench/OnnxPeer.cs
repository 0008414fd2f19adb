using System.Diagnostics;
using GraphGen.Data;
using GraphGen.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GraphGen.Bench;

/// <summary>The figures of ONNX Runtime on a model's own ONNX export: the best time over repeats and how far it is from Predict.</summary>
internal sealed record OnnxFigures(double Seconds, int Threads, double MaxRelativeDifference);

/// <summary>
/// The serving peer: the same model exported with ExportOnnx and run by ONNX Runtime's CPU provider with as many intra-op
/// threads as GraphGen's worker pool has (one per core), all 10,000 images in one Run, as a user serving it would.
/// </summary>
internal static class OnnxPeer
{
    public static OnnxFigures TimePredict(CompiledModel model, LabeledImages test, int repeats)
    {
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-bench-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            int threads = Environment.ProcessorCount;
            using var options = new SessionOptions
            {
                IntraOpNumThreads = threads, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            using var session = new InferenceSession(path, options);
            var input = new[] { NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(test.Images, [test.Count, model.InputWidth])) };
            float[] Run()
            {
                using var results = session.Run(input);
                return results[0].AsEnumerable<float>().ToArray();
            }

            var onnx = Run(); // warm-up
            var predict = model.Predict(test.Images);
            double worst = 0;
            for (int i = 0; i < predict.Length; i++) worst = Math.Max(worst, Math.Abs(onnx[i] - predict[i]) / Math.Max(Math.Abs(predict[i]), 1.0));
            double best = double.MaxValue;
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                Run();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            return new OnnxFigures(best, threads, worst);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
