using System.Reflection;
using GraphGen.Training;
using Xunit;
using static GraphGen.Tests.Models.GeneratedModelTests;

namespace GraphGen.Tests.Models;

/// <summary>
/// [Forward] models that use B beyond the leading axis (<see cref="SoftmaxOverBatchNet"/>, <see cref="GramNet"/>,
/// <see cref="BatchCenteredNet"/>): Predict, the loss and the gradients against plain-loop double references and central
/// differences of them (gradcheck: eps 1e-6, atol 1e-5, rtol 1e-3), at batches 1 and odd sizes; Predict and Evaluate of a
/// model that mixes rows over the whole input past the 1,024-row chunks; what such a model is refused and why.
/// </summary>
public class BatchModelTests
{
    [Fact]
    public void SoftmaxOverABatchByBatchValueRunsAtEveryBatchSize()
    {
        var model = new SoftmaxOverBatchNet(seed: 1);
        var w = D(model.W.Data);
        foreach (int batch in new[] { 1, 2, 5, 7 })
        {
            var x = Values(batch * 3, batch);
            var targets = Values(batch * 2, batch + 50);
            double[] Reference() => SoftmaxOverBatch(D(x), w, batch);
            AssertTensor(Reference(), model.Predict(x), $"Predict, batch {batch}");
            AssertTensor(Reference(), model.Call(new Tensor([batch, 3], x)).Data, $"eager Call, batch {batch}");
            float loss = model.ComputeGradients(x, targets);
            AssertRelative(Mse(Reference(), targets), loss, $"loss, batch {batch}");
            AssertGradcheck(model.W, w, () => Mse(Reference(), targets), $"dW, batch {batch}");
        }
    }

    [Fact]
    public void GramMatrixOverTheBatchMatchesLoopsAndCentralDifferences()
    {
        var model = new GramNet(seed: 2);
        double[] w = D(model.W.Data), v = D(model.V.Data);
        foreach (int batch in new[] { 1, 5, 7 })
        {
            var x = Values(batch * 4, batch + 10);
            var targets = Values(batch * 2, batch + 20);
            double[] Reference() => Gram(D(x), w, v, batch);
            AssertTensor(Reference(), model.Predict(x), $"Predict, batch {batch}");
            AssertTensor(Reference(), model.Call(new Tensor([batch, 4], x)).Data, $"eager Call, batch {batch}");
            float loss = model.ComputeGradients(x, targets);
            AssertRelative(Mse(Reference(), targets), loss, $"loss, batch {batch}");
            AssertGradcheck(model.W, w, () => Mse(Reference(), targets), $"dW, batch {batch}");
            AssertGradcheck(model.V, v, () => Mse(Reference(), targets), $"dV, batch {batch}");
        }
    }

    [Fact]
    public void AModelThatMixesRowsPredictsAndEvaluatesTheWholeInputAtOnce()
    {
        // 1,500 rows: past the 1,024-row chunks Predict and Evaluate use for models whose rows do not mix.
        const int rows = 1500, chunk = 500;
        var model = new BatchCenteredNet(seed: 3);
        Assert.True(model.MixesBatchRows);
        var x = Values(rows * 3, 1);
        var targets = Values(rows, 2);
        var expected = Centered(D(x), D(model.W.Data), D(model.V.Data), rows);
        AssertTensor(expected, model.Predict(x), "Predict on 1,500 rows");
        AssertTensor(expected, model.Call(new Tensor([rows, 3], x)).Data, "the eager call on 1,500 rows");
        AssertRelative(Mse(expected, targets), model.Evaluate(x, targets).Loss, "Evaluate on 1,500 rows");

        // A batch size given is honoured: each chunk is centred on its own mean.
        var chunked = model.Predict(x, batchSize: chunk);
        for (int start = 0; start < rows; start += chunk)
            AssertTensor(Centered(D(x.AsSpan(start * 3, chunk * 3).ToArray()), D(model.W.Data), D(model.V.Data), chunk), chunked[start..(start + chunk)], $"Predict in chunks, rows {start}…");

        // Fit scores the validation data as Evaluate does: all of it at once.
        var history = model.Fit(Values(40 * 3, 3), Values(40, 4), epochs: 1, batchSize: 8, optimizer: new Sgd(0.05), validationData: (x, targets), verbose: 0);
        AssertRelative(Mse(Centered(D(x), D(model.W.Data), D(model.V.Data), rows), targets), history["val_loss"][0], "val_loss on 1,500 rows");
    }

    [Fact]
    public void BuffersHoldTheWholeInputOnlyForAModelThatMixesRows()
    {
        var capacity = typeof(CompiledModel).GetField("_capacity", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var rowWise = new ForwardPerceptron(seed: 1);
        var mixing = new BatchCenteredNet(seed: 1);
        Assert.False(rowWise.MixesBatchRows);
        rowWise.Predict(Values(1500 * 10, 1));
        mixing.Predict(Values(1500 * 3, 1));
        Assert.Equal(1024, capacity.GetValue(rowWise)); // the default chunks, as before
        Assert.Equal(1500, capacity.GetValue(mixing));
    }

    [Fact]
    public void ABatchByBatchValueTooLargeForOneArrayIsRefusedClearly()
    {
        // 46,341² values are more than one array holds: a clear refusal, not a wrapped-around buffer size.
        var model = new SoftmaxOverBatchNet(seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new float[46_341 * 3]));
        Assert.Contains("a batch of 46341 rows needs more than one array holds: pass a smaller batchSize", e.Message);
        Assert.IsType<OverflowException>(e.InnerException);
    }

    [Fact]
    public void ModelsWhoseValuesAreNotOneRowPerSampleGetAnIlgpuProgramAndRunOnTheCpuAsTheLoopsDo()
    {
        // GEMMs only (no general tensor op), through a (B, B) value: the ILGPU buffers hold B² values for it.
        var model = new GemmsOverBatchNet(seed: 4);
        Assert.NotNull(model.CreateIlgpuProgram());
        const int batch = 5;
        var x = Values(batch * 3, 7);
        double[] xd = D(x), xt = Transpose(xd, batch, 3);
        var scaled = MatMul(xd, MatMul(xt, xd, 3, batch, 3), batch, 3, 3);
        var expected = MatMul(MatMul(MatMul(xd, xt, batch, 3, batch), scaled, batch, batch, 3), D(model.W.Data), batch, 3, 2);
        AssertTensor(expected, model.Predict(x), "Predict");
    }

    // ---- Double-precision references, in plain loops ----

    private static double[] SoftmaxOverBatch(double[] x, double[] w, int n)
    {
        var pairs = MatMul(x, Transpose(x, n, 3), n, 3, n);
        var scaled = new double[n * 3];
        for (int i = 0; i < n; i++)
        {
            var p = ReferenceMath.Softmax(pairs.AsSpan(i * n, n));
            double mean = p.Sum(v => 4 * v) / n;
            for (int c = 0; c < 3; c++) scaled[i * 3 + c] = mean * x[i * 3 + c];
        }
        return MatMul(scaled, w, n, 3, 2);
    }

    private static double[] Gram(double[] x, double[] w, double[] v, int n)
    {
        var h = MatMul(x, w, n, 4, 6).Select(Math.Tanh).ToArray();
        var gram = MatMul(Transpose(h, n, 6), h, 6, n, 6);
        return MatMul(MatMul(h, gram, n, 6, 6), v, n, 6, 2);
    }

    private static double[] Centered(double[] x, double[] w, double[] v, int n)
    {
        var h = MatMul(x, w, n, 3, 4);
        var centred = new double[n * 4];
        for (int j = 0; j < 4; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += h[i * 4 + j] / n;
            for (int i = 0; i < n; i++) centred[i * 4 + j] = Math.Tanh(h[i * 4 + j] - mean);
        }
        return MatMul(centred, v, n, 4, 1);
    }

    private static double[] MatMul(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int p = 0; p < k; p++) c[i * n + j] += a[i * k + p] * b[p * n + j];
        return c;
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    private static double Mse(double[] y, float[] targets) => y.Select((v, i) => (v - targets[i]) * (v - targets[i])).Sum() / y.Length;

    private static float[] Values(int count, int seed) => GeneratedModelTests.Data(count, seed);

    private static double[] D(float[] values) => values.Select(v => (double)v).ToArray();

    /// <summary>The compiled gradient of <paramref name="parameter"/> against central differences of the double loss over <paramref name="theta"/>, its values.</summary>
    private static void AssertGradcheck(Parameter parameter, double[] theta, Func<double> loss, string what)
    {
        for (int i = 0; i < theta.Length; i++)
        {
            double saved = theta[i];
            theta[i] = saved + 1e-6;
            double plus = loss();
            theta[i] = saved - 1e-6;
            double minus = loss();
            theta[i] = saved;
            double numeric = (plus - minus) / 2e-6;
            Assert.True(Math.Abs(parameter.Gradient[i] - numeric) <= 1e-5 + 1e-3 * Math.Abs(numeric),
                $"{what}[{i}]: compiled {parameter.Gradient[i]}, central differences {numeric}");
        }
    }
}
