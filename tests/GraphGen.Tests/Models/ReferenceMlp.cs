namespace GraphGen.Tests.Models;

/// <summary>
/// A Dense stack's forward and backward pass written out with plain loops in double precision, from the
/// model's own parameters: the reference the generated code is compared with. Every loss GraphGen trains is
/// here, on probabilities or (fromLogits) on logits; the backward pass goes loss → probabilities → logits →
/// each layer, with activation derivatives taken at the pre-activations.
/// </summary>
internal static class ReferenceMlp
{
    public sealed record Result(double Loss, double[] Output, double[][] Gradients);

    /// <summary>Sparse cross-entropy when labels are given, else mean squared error.</summary>
    public static Result Run(IReadOnlyList<Layer> allLayers, Activation[] activations, float[] x, int batch, int[]? labels, float[]? targets)
        => Run(allLayers, activations, x, batch, labels is not null ? Loss.SparseCategoricalCrossentropy : Loss.MeanSquaredError, false, labels, targets);

    public static Result Run(IReadOnlyList<Layer> allLayers, Activation[] activations, float[] x, int batch, Loss loss, bool fromLogits, int[]? labels, float[]? targets)
    {
        var layers = allLayers.Cast<DenseLayer>().ToList();
        var inputs = new List<double[]> { x.Select(v => (double)v).ToArray() };
        var preActivations = new List<double[]>();
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var a = inputs[l];
            var z = new double[batch * layer.Units];
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < layer.Units; j++)
                {
                    double s = layer.Bias.Data[j];
                    for (int p = 0; p < layer.Inputs; p++) s += a[i * layer.Inputs + p] * layer.Weight.Data[p * layer.Units + j];
                    z[i * layer.Units + j] = s;
                }
            preActivations.Add(z);
            inputs.Add(Activate(z, batch, layer.Units, activations[l]));
        }

        int units = layers[^1].Units, n = batch * units;
        var output = inputs[^1];
        // The probabilities the loss reads: the output itself, or softmax/sigmoid of the logits with fromLogits.
        var probabilityActivation = loss == Loss.BinaryCrossentropy ? Activation.Sigmoid : Activation.Softmax;
        var scored = fromLogits ? Activate(output, batch, units, probabilityActivation) : output;
        var dScored = new double[n];
        double value = 0;
        for (int i = 0; i < batch; i++)
            for (int j = 0; j < units; j++)
            {
                int k = i * units + j;
                double p = scored[k], t = labels is not null ? (j == labels[i] ? 1 : 0) : targets![k];
                switch (loss)
                {
                    case Loss.SparseCategoricalCrossentropy or Loss.CategoricalCrossentropy:
                        value -= t * Math.Log(p) / batch;
                        dScored[k] = -t / (batch * p);
                        break;
                    case Loss.BinaryCrossentropy:
                        value -= (t * Math.Log(p) + (1 - t) * Math.Log(1 - p)) / n;
                        dScored[k] = (p - t) / (p * (1 - p) * n);
                        break;
                    case Loss.MeanAbsoluteError:
                        value += Math.Abs(p - t) / n;
                        dScored[k] = Math.Sign(p - t) / (double)n;
                        break;
                    default:
                        value += (p - t) * (p - t) / n;
                        dScored[k] = 2 * (p - t) / n;
                        break;
                }
            }
        var dOutput = fromLogits ? Backward(dScored, scored, output, batch, units, probabilityActivation) : dScored;
        var delta = Backward(dOutput, output, preActivations[^1], batch, units, activations[^1]);

        var gradients = new double[layers.Count * 2][];
        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var layer = layers[l];
            var a = inputs[l];
            var dw = new double[layer.Inputs * layer.Units];
            var db = new double[layer.Units];
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < layer.Units; j++)
                {
                    double d = delta[i * layer.Units + j];
                    db[j] += d;
                    for (int p = 0; p < layer.Inputs; p++) dw[p * layer.Units + j] += a[i * layer.Inputs + p] * d;
                }
            gradients[2 * l] = dw;
            gradients[2 * l + 1] = db;
            if (l == 0) break;
            var dBelow = new double[batch * layer.Inputs];
            for (int i = 0; i < batch; i++)
                for (int p = 0; p < layer.Inputs; p++)
                {
                    double s = 0;
                    for (int j = 0; j < layer.Units; j++) s += delta[i * layer.Units + j] * layer.Weight.Data[p * layer.Units + j];
                    dBelow[i * layer.Inputs + p] = s;
                }
            delta = Backward(dBelow, a, preActivations[l - 1], batch, layer.Inputs, activations[l - 1]);
        }
        return new Result(value, output, gradients);
    }

    private static double[] Activate(double[] z, int rows, int cols, Activation activation)
    {
        if (activation != Activation.Softmax) return z.Select(v => ReferenceMath.Activate(activation, v)).ToArray();
        var y = new double[z.Length];
        for (int i = 0; i < rows; i++) ReferenceMath.Softmax(z.AsSpan(i * cols, cols)).CopyTo(y, i * cols);
        return y;
    }

    /// <summary>d loss / d z from d loss / d y, for y = activation(z).</summary>
    private static double[] Backward(double[] dy, double[] y, double[] z, int rows, int cols, Activation activation)
    {
        var dz = new double[dy.Length];
        if (activation != Activation.Softmax)
        {
            for (int k = 0; k < dz.Length; k++) dz[k] = dy[k] * ReferenceMath.Derivative(activation, z[k]);
            return dz;
        }
        for (int i = 0; i < rows; i++)
        {
            double dot = 0;
            for (int j = 0; j < cols; j++) dot += dy[i * cols + j] * y[i * cols + j];
            for (int j = 0; j < cols; j++) dz[i * cols + j] = y[i * cols + j] * (dy[i * cols + j] - dot);
        }
        return dz;
    }
}
