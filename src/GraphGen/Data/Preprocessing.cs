using GraphGen.Training;

namespace GraphGen.Data;

/// <summary>
/// Per-feature standardisation, as sklearn's StandardScaler: fitted on training data (mean and population
/// standard deviation per column), then applied to any data with the same columns.
/// </summary>
public sealed record Standardizer(float[] Mean, float[] Std)
{
    public int Features => Mean.Length;

    public static Standardizer Fit(ReadOnlySpan<float> x, int features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if (x.Length == 0 || x.Length % features != 0) throw new ArgumentException($"{x.Length} values are not whole rows of {features} features.", nameof(x));
        int rows = x.Length / features;
        var mean = new double[features];
        var squares = new double[features];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < features; c++) mean[c] += x[r * features + c];
        for (int c = 0; c < features; c++) mean[c] /= rows;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < features; c++) squares[c] += Math.Pow(x[r * features + c] - mean[c], 2);
        // A constant column keeps std 1: it becomes all zeros rather than NaN.
        var std = squares.Select(s => Math.Sqrt(s / rows) is var d && d > 0 ? (float)d : 1f).ToArray();
        return new Standardizer(mean.Select(m => (float)m).ToArray(), std);
    }

    /// <summary>(x − mean) / std per column, into a new array.</summary>
    public float[] Transform(ReadOnlySpan<float> x)
    {
        if (x.Length % Features != 0) throw new ArgumentException($"{x.Length} values are not whole rows of {Features} features.", nameof(x));
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = (x[i] - Mean[i % Features]) / Std[i % Features];
        return y;
    }
}

/// <summary>One-hot encoding and train/validation splits.</summary>
public static class Preprocessing
{
    /// <summary>Labels → rows of <paramref name="classes"/> floats with a 1 at the label (categorical cross-entropy targets).</summary>
    public static float[] OneHot(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var y = new float[labels.Length * classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} at index {i} is outside [0, {classes}).");
            y[i * classes + labels[i]] = 1f;
        }
        return y;
    }

    /// <summary>
    /// Splits rows into a training and a held-out part: shuffled with <paramref name="seed"/> (or kept in order
    /// when null), the last <paramref name="validationFraction"/> held out.
    /// </summary>
    public static ((float[] X, T[] Y) Train, (float[] X, T[] Y) Validation) TrainValidationSplit<T>(float[] x, T[] y, int features,
        double validationFraction, int? seed = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length % features != 0) throw new ArgumentException($"{x.Length} values are not whole rows of {features} features.", nameof(x));
        int rows = x.Length / features;
        if (y.Length % rows != 0) throw new ArgumentException($"{y.Length} targets for {rows} rows.", nameof(y));
        int perRow = y.Length / rows;
        int held = (int)Math.Round(rows * validationFraction);
        if (!(validationFraction > 0 && validationFraction < 1) || held == 0 || held == rows)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"A fraction of {rows} rows must leave rows on both sides.");
        var order = Enumerable.Range(0, rows).ToArray();
        if (seed is int s) new SeededRandom((ulong)(uint)s).Shuffle(order);
        (float[] X, T[] Y) Take(ReadOnlySpan<int> rowsTaken)
        {
            var px = new float[rowsTaken.Length * features];
            var py = new T[rowsTaken.Length * perRow];
            for (int i = 0; i < rowsTaken.Length; i++)
            {
                Array.Copy(x, rowsTaken[i] * features, px, i * features, features);
                Array.Copy(y, rowsTaken[i] * perRow, py, i * perRow, perRow);
            }
            return (px, py);
        }
        return (Take(order.AsSpan(0, rows - held)), Take(order.AsSpan(rows - held)));
    }
}
