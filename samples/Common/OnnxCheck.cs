using GraphGen.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace GraphGen.Samples;

/// <summary>
/// --onnx: writes the trained model as ONNX, then serves it as a user elsewhere would — ONNX Runtime's CPU provider
/// on the test inputs — and compares with the model's own Predict: the largest difference relative to
/// max(|predict|, 1) and, for a classifier, how many predicted classes agree. A difference past 1e-5 is an error.
/// </summary>
public static class OnnxCheck
{
    public const double Tolerance = 1e-5;

    public static void Export(CompiledModel model, string? path, float[] testInputs, bool classifier)
    {
        if (path is null) return;
        // Predict first: in a distributed run every rank takes part in it (each runs its shard); rank 0 alone writes.
        var predict = model.Predict(testInputs);
        if (!SampleRun.IsRoot) return;
        model.ExportOnnx(path);
        int rows = testInputs.Length / model.InputWidth, width = model.OutputWidth;
        using var session = new InferenceSession(path);
        var input = new DenseTensor<float>(testInputs, [rows, model.InputWidth]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        var onnx = results.Single(r => r.Name == "output").AsEnumerable<float>().ToArray();

        double worst = 0;
        for (int i = 0; i < predict.Length; i++) worst = Math.Max(worst, Math.Abs(onnx[i] - predict[i]) / Math.Max(Math.Abs(predict[i]), 1.0));
        string classes = "";
        if (classifier && width > 1)
        {
            int same = 0;
            for (int r = 0; r < rows; r++)
                if (ArgMax(onnx.AsSpan(r * width, width)) == ArgMax(predict.AsSpan(r * width, width))) same++;
            classes = $", the same class for {same}/{rows}";
        }
        Console.WriteLine($"wrote {path}; ONNX Runtime on the {rows} test rows: largest relative difference from Predict {worst:E1}{classes}");
        if (!(worst <= Tolerance))
            throw new InvalidOperationException($"ONNX Runtime's output for {path} differs from Predict by {worst:E2} (relative), past {Tolerance:E0}.");
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }
}
