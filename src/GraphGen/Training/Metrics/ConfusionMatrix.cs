using System.Globalization;
using System.Text;

namespace GraphGen.Training;

/// <summary>Counts of (true class, predicted class) pairs: rows are the labels, columns the predictions.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[,] _counts;

    public ConfusionMatrix(ReadOnlySpan<int> labels, ReadOnlySpan<int> predictions, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (labels.Length != predictions.Length)
            throw new ArgumentException($"{labels.Length} labels but {predictions.Length} predictions.", nameof(predictions));
        _counts = new long[classes, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} at index {i} is outside [0, {classes}).");
            if ((uint)predictions[i] >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(predictions), $"Prediction {predictions[i]} at index {i} is outside [0, {classes}).");
            _counts[labels[i], predictions[i]]++;
        }
        Classes = classes;
        Total = labels.Length;
    }

    public int Classes { get; }
    public long Total { get; }

    /// <summary>How many samples of class <paramref name="label"/> were predicted as <paramref name="predicted"/>.</summary>
    public long this[int label, int predicted] => _counts[label, predicted];

    public double Accuracy => Total == 0 ? double.NaN : Enumerable.Range(0, Classes).Sum(c => _counts[c, c]) / (double)Total;

    /// <summary>Of the samples predicted as <paramref name="c"/>, the fraction that are <paramref name="c"/>.</summary>
    public double Precision(int c)
    {
        long predicted = Enumerable.Range(0, Classes).Sum(l => _counts[l, c]);
        return predicted == 0 ? double.NaN : _counts[c, c] / (double)predicted;
    }

    /// <summary>Of the samples of class <paramref name="c"/>, the fraction predicted as <paramref name="c"/>.</summary>
    public double Recall(int c)
    {
        long actual = Enumerable.Range(0, Classes).Sum(p => _counts[c, p]);
        return actual == 0 ? double.NaN : _counts[c, c] / (double)actual;
    }

    /// <summary>A fixed-width table: one row per true class, one column per predicted class.</summary>
    public override string ToString()
    {
        int width = Math.Max(5, _counts.Cast<long>().Max().ToString(CultureInfo.InvariantCulture).Length + 1);
        var text = new StringBuilder();
        text.Append("true\\pred".PadRight(10));
        for (int p = 0; p < Classes; p++) text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        text.AppendLine();
        for (int l = 0; l < Classes; l++)
        {
            text.Append(l.ToString(CultureInfo.InvariantCulture).PadRight(10));
            for (int p = 0; p < Classes; p++) text.Append(_counts[l, p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            text.AppendLine();
        }
        return text.ToString();
    }
}
