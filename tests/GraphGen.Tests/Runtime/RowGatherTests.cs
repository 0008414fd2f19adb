using GraphGen.Cpu;
using Xunit;

namespace GraphGen.Tests.Runtime;

/// <summary>Fit's batch gather: the rows an order names, copied on every core, against a copy one row at a time.</summary>
public class RowGatherTests
{
    [Theory]
    [InlineData(128, 784)] // an MNIST batch: past RowGatherJob.ParallelFrom, so every core copies a share
    [InlineData(7, 784)]   // an epoch's last, short batch
    [InlineData(3, 5)]     // below ParallelFrom: the caller alone
    [InlineData(0, 784)]
    public void EveryRowLandsWhereTheOrderSays(int count, int width)
    {
        const int rows = 1000;
        var random = new Random(count * 31 + width);
        var source = Enumerable.Range(0, rows * width).Select(_ => (float)random.NextDouble()).ToArray();
        // Shuffled rows with repeats, as validation splits and resampled sets give.
        var order = Enumerable.Range(0, count).Select(_ => random.Next(rows)).ToArray();
        var batch = Enumerable.Repeat(-1f, count * width + 3).ToArray();

        RowGatherJob.Run(source, order, width, batch);

        for (int i = 0; i < count; i++)
            Assert.True(source.AsSpan(order[i] * width, width).SequenceEqual(batch.AsSpan(i * width, width)), $"row {i} (source row {order[i]})");
        Assert.All(batch[(count * width)..], v => Assert.Equal(-1f, v)); // nothing written past the batch
    }

    [Fact]
    public void ARowOutsideTheDataSetIsRefusedByItsIndex()
    {
        var source = Enumerable.Range(1, 10 * 4).Select(v => (float)v).ToArray(); // no zeros: a copied row would show
        var batch = new float[3 * 4];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => RowGatherJob.Run(source, [1, 10, 2], 4, batch));
        Assert.Equal("rows", error.ParamName);
        Assert.Equal(10, error.ActualValue);
        Assert.Contains("10 rows", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RowGatherJob.Run(source, [-1], 4, batch));
        Assert.All(batch, v => Assert.Equal(0f, v)); // checked before anything is copied
    }

    [Fact]
    public void ABatchBufferTooShortIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => RowGatherJob.Run(new float[40], [0, 1, 2], 4, new float[11]));
        Assert.Equal("destination", error.ParamName);
        Assert.Contains("need 12", error.Message);
    }
}
