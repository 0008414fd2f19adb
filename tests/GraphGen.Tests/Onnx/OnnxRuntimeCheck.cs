using Xunit;
using GraphGen.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GraphGen.Tests.Onnx;

/// <summary>Runs an exported model in ONNX Runtime's CPU provider and compares its output with the model's Predict.</summary>
internal static class OnnxRuntimeCheck
{
    /// <summary>The relative tolerance the exports are held to: |onnx − predict| ≤ 1e-5 · max(|predict|, 1).</summary>
    public const double Tolerance = 1e-5;

    public static float[] Run(string path, float[] x, int batch, int inputWidth, int threads = 1)
    {
        using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        return Run(session, x, batch, inputWidth);
    }

    public static float[] Run(InferenceSession session, float[] x, int batch, int inputWidth)
    {
        var input = new DenseTensor<float>(x, new[] { batch, inputWidth });
        using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("input", input) });
        return results.Single(r => r.Name == "output").AsEnumerable<float>().ToArray();
    }

    /// <summary>The largest |onnx − predict| / max(|predict|, 1) over all values.</summary>
    public static double WorstError(float[] onnx, float[] predict)
    {
        Assert.Equal(predict.Length, onnx.Length);
        double worst = 0;
        for (int i = 0; i < onnx.Length; i++)
        {
            Assert.False(float.IsNaN(onnx[i]) || float.IsNaN(predict[i]), $"NaN at {i}: ONNX {onnx[i]}, Predict {predict[i]}");
            worst = Math.Max(worst, Math.Abs(onnx[i] - predict[i]) / Math.Max(Math.Abs(predict[i]), 1.0));
        }
        return worst;
    }

    /// <summary>Where a CI run wants the exports kept (for Debian's onnx.checker, .ci/check_onnx.py): GRAPHGEN_ONNX_EXPORTS.</summary>
    public static void Keep(string path, string name)
    {
        if (Environment.GetEnvironmentVariable("GRAPHGEN_ONNX_EXPORTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            File.Copy(path, Path.Combine(folder, name + ".onnx"), overwrite: true);
        }
    }

    public static float[] RandomInputs(int rows, int width, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * width];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        return x;
    }
}
