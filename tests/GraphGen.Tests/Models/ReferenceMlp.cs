namespace GraphGen.Tests.Models;

/// <summary>
/// A Dense stack's forward and backward pass written out with plain loops in double precision, from the
/// model's own parameters: the reference the generated code is compared with.
/// </summary>
internal static class ReferenceMlp
{
    public sealed record Result(double Loss, double[] Output, double[][] Gradients);

    public static Result Run(IReadOnlyList<DenseLayer> layers, Activation[] activations, float[] x, int batch, int[]? labels, float[]? targets)
    {
        var inputs = new List<double[]> { x.Select(v => (double)v).ToArray() };
        var outputs = new List<double[]>();
        for (int l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            var a = inputs[l];
            var y = new double[batch * layer.Units];
            for (int i = 0; i < batch; i++)
                for (int j = 0; j < layer.Units; j++)
                {
                    double s = layer.Bias.Data[j];
                    for (int p = 0; p < layer.Inputs; p++) s += a[i * layer.Inputs + p] * layer.Weight.Data[p * layer.Units + j];
                    y[i * layer.Units + j] = s;
                }
            Activate(y, batch, layer.Units, activations[l]);
            outputs.Add(y);
            inputs.Add(y);
        }

        var last = layers[^1];
        var output = outputs[^1];
        var delta = new double[batch * last.Units]; // d loss / d pre-activation of the last layer
        double loss = 0;
        if (labels is not null)
        {
            for (int i = 0; i < batch; i++)
            {
                loss -= Math.Log(output[i * last.Units + labels[i]]);
                for (int j = 0; j < last.Units; j++)
                    delta[i * last.Units + j] = (output[i * last.Units + j] - (j == labels[i] ? 1 : 0)) / batch;
            }
            loss /= batch;
        }
        else
        {
            int n = batch * last.Units;
            for (int i = 0; i < n; i++)
            {
                double d = output[i] - targets![i];
                loss += d * d / n;
                delta[i] = 2 * d / n;
            }
        }

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
            var below = new double[batch * layer.Inputs];
            for (int i = 0; i < batch; i++)
                for (int p = 0; p < layer.Inputs; p++)
                {
                    double s = 0;
                    for (int j = 0; j < layer.Units; j++) s += delta[i * layer.Units + j] * layer.Weight.Data[p * layer.Units + j];
                    double y = a[i * layer.Inputs + p];
                    below[i * layer.Inputs + p] = s * activations[l - 1] switch
                    {
                        Activation.Relu => y > 0 ? 1 : 0,
                        Activation.Tanh => 1 - y * y,
                        Activation.Sigmoid => y * (1 - y),
                        _ => 1,
                    };
                }
            delta = below;
        }
        return new Result(loss, output, gradients);
    }

    private static void Activate(double[] y, int rows, int cols, Activation activation)
    {
        for (int i = 0; i < rows; i++)
        {
            var row = y.AsSpan(i * cols, cols);
            switch (activation)
            {
                case Activation.Relu: for (int j = 0; j < cols; j++) row[j] = Math.Max(row[j], 0); break;
                case Activation.Tanh: for (int j = 0; j < cols; j++) row[j] = Math.Tanh(row[j]); break;
                case Activation.Sigmoid: for (int j = 0; j < cols; j++) row[j] = 1 / (1 + Math.Exp(-row[j])); break;
                case Activation.Softmax:
                    double max = double.NegativeInfinity, sum = 0;
                    for (int j = 0; j < cols; j++) max = Math.Max(max, row[j]);
                    for (int j = 0; j < cols; j++) sum += row[j] = Math.Exp(row[j] - max);
                    for (int j = 0; j < cols; j++) row[j] /= sum;
                    break;
            }
        }
    }
}
