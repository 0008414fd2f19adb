using System.Text;
using GraphGen.Data;
using Xunit;

namespace GraphGen.Tests.Data;

/// <summary>The committed sklearn sets, the CSV reader's errors, and the preprocessing helpers.</summary>
public class DatasetTests
{
    [Fact]
    public void DigitsLoadAsScaledEightByEightImages()
    {
        var digits = Digits.Load();
        Assert.Equal(1797, digits.Count);
        Assert.Equal((8, 8), (digits.Width, digits.Height));
        Assert.Equal(new[] { 0, 1, 2, 3 }, digits.Labels[..4]);
        Assert.All(digits.Images, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(5 / 16f, digits.Images[2]); // the first image's third pixel is 5 of 16
        Assert.Equal(Enumerable.Range(0, 10), digits.Labels.Distinct().Order());
    }

    [Fact]
    public void DiabetesRawAndScaledAsSklearn()
    {
        var raw = Diabetes.Load(scaled: false);
        Assert.Equal((442, 10), (raw.Count, raw.FeatureCount));
        Assert.Equal(new[] { 59f, 2f, 32.1f, 101f, 157f, 93.2f, 38f, 4f, 4.8598f, 87f }, raw.Features[..10]);
        Assert.Equal(151f, raw.Targets[0]);
        var scaled = Diabetes.Load();
        Assert.Equal(0.03807591, scaled.Features[0], 1e-6); // sklearn's load_diabetes().data[0, 0]
        Assert.Equal(0.05068012, scaled.Features[1], 1e-6); // … [0, 1]
        for (int c = 0; c < 10; c++)
        {
            var column = Enumerable.Range(0, 442).Select(r => (double)scaled.Features[r * 10 + c]).ToArray();
            Assert.Equal(0, column.Sum(), 1e-5);
            Assert.Equal(1, column.Sum(v => v * v), 1e-5);
        }
        Assert.Equal(raw.Targets, scaled.Targets);
    }

    [Fact]
    public void CsvProblemsNameTheFileOffsetAndLine()
    {
        var e = Assert.Throws<DataFormatException>(() => Csv.ParseNumbers(Encoding.UTF8.GetBytes("1,2,3\n4,x,6\n"), "t.csv"));
        Assert.Equal(8, e.Offset);
        Assert.Contains("line 2, column 2: 'x' is not a finite number", e.Problem);
        e = Assert.Throws<DataFormatException>(() => Csv.ParseNumbers(Encoding.UTF8.GetBytes("1 2 3\n4 5\n"), "t.csv"));
        Assert.Contains("line 2 has 2 values; the lines before have 3", e.Problem);
        Assert.Equal(6, e.Offset);
        e = Assert.Throws<DataFormatException>(() => Csv.ParseNumbers([0xFF, 0x31], "t.csv"));
        Assert.Contains("not UTF-8", e.Problem);
        Assert.Throws<DataFormatException>(() => Csv.ParseNumbers(Encoding.UTF8.GetBytes("\n\n"), "t.csv"));
        var table = Csv.ParseNumbers(Encoding.UTF8.GetBytes("1\t2  3\r\n\n4 5 6"), "t.csv");
        Assert.Equal((2, 3), (table.Rows, table.Columns));
        Assert.Equal(new[] { 3f, 6f }, table.Column(2));
    }

    [Fact]
    public void AMissingDataSetListsWhereItLooked()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataLocator.Find("no-such-set", null, "train-images-idx3-ubyte"));
        Assert.Contains("/usr/share/datasets/no-such-set", e.Message);
        Assert.Contains("GRAPHGEN_DATA", e.Message);
    }

    [Fact]
    public void OneHotStandardizeAndSplit()
    {
        Assert.Equal(new[] { 0f, 1f, 0f, 1f, 0f, 0f }, Preprocessing.OneHot([1, 0], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Preprocessing.OneHot([3], 3));

        float[] x = [1, 10, 3, 10, 5, 10];
        var scaler = Standardizer.Fit(x, 2);
        Assert.Equal(new[] { 3f, 10f }, scaler.Mean);
        var z = scaler.Transform(x);
        Assert.Equal(-1.2247449f, z[0], 1e-6f);
        Assert.Equal(0f, z[1]); // a constant column becomes zeros, not NaN

        var xs = Enumerable.Range(0, 20).Select(i => (float)i).ToArray(); // 10 rows of 2
        var ys = Enumerable.Range(0, 10).ToArray();
        var (train, validation) = Preprocessing.TrainValidationSplit(xs, ys, 2, 0.3, seed: 1);
        Assert.Equal(7, train.Y.Length);
        Assert.Equal(3, validation.Y.Length);
        Assert.Equal(Enumerable.Range(0, 10), train.Y.Concat(validation.Y).Order());
        for (int i = 0; i < 7; i++) Assert.Equal(train.Y[i] * 2, train.X[i * 2]); // rows stay with their targets
        var (ordered, _) = Preprocessing.TrainValidationSplit(xs, ys, 2, 0.3, seed: null);
        Assert.Equal(Enumerable.Range(0, 7), ordered.Y);
    }
}
