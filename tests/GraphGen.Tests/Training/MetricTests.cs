using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Training;

public class MetricTests
{
    [Fact]
    public void AccuracyTopKAndBinary()
    {
        float[] output = [0.1f, 0.6f, 0.3f, /**/ 0.5f, 0.2f, 0.3f, /**/ 0.2f, 0.3f, 0.5f];
        int[] labels = [1, 2, 0];
        var accuracy = new SparseCategoricalAccuracy();
        accuracy.Update(output, labels, 3, 3);
        Assert.Equal(1 / 3.0, accuracy.Result, 1e-12);
        var top2 = new SparseTopKCategoricalAccuracy(2);
        top2.Update(output, labels, 3, 3);
        Assert.Equal(2 / 3.0, top2.Result, 1e-12); // row 3's label 0 is third
        var binary = new BinaryAccuracy();
        binary.Update([0.9f, 0.4f, 0.2f, 0.7f], [1f, 1f, 0f, 0f], 2, 2);
        Assert.Equal(0.5, binary.Result, 1e-12);
        var categorical = new CategoricalAccuracy();
        categorical.Update(output, [0f, 1f, 0f, 0f, 0f, 1f, 0f, 0f, 1f], 3, 3);
        Assert.Equal(2 / 3.0, categorical.Result, 1e-12);
        accuracy.Reset();
        Assert.True(double.IsNaN(accuracy.Result));
    }

    [Fact]
    public void ConfusionMatrixCountsPairs()
    {
        var matrix = new ConfusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3);
        Assert.Equal(1, matrix[0, 1]);
        Assert.Equal(2, matrix[2, 2]);
        Assert.Equal(4 / 6.0, matrix.Accuracy, 1e-12);
        Assert.Equal(0.5, matrix.Precision(1), 1e-12);
        Assert.Equal(2 / 3.0, matrix.Recall(2), 1e-12);
        Assert.Contains("true\\pred", matrix.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix([3], [0], 3));
    }
}
