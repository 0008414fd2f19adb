using System.Numerics.Tensors;
using GraphGen.Distributed;

namespace GraphGen.Training;

public abstract partial class CompiledModel<TTarget>
{
    // One flat buffer: every gradient, then the step's loss sum, summed over the ranks by one allreduce.
    private float[] _flatGradients = [];
    private long _distributedSteps;

    /// <summary>
    /// One data-parallel step on the global batch <paramref name="rows"/>: this rank's shard runs forward and backward
    /// alone, each gradient is scaled by shard / batch so that the sum over the ranks is the gradient of the whole
    /// batch's mean loss, one allreduce sums them, and every rank applies the same optimizer step. The state that is
    /// not trained (a batch normalisation's moving statistics, moved by each rank from its own shard's statistics)
    /// rides in the same allreduce and leaves as the mean over the ranks, as Keras's MultiWorkerMirroredStrategy
    /// aggregates it, so every rank keeps the same weights. Leaves this rank's shard in <paramref name="batchY"/>'s
    /// first <paramref name="shardRows"/> rows, for the metrics. Returns the global batch's mean loss.
    /// </summary>
    private float DistributedStep(DataParallel distribution, float[] x, TTarget[] y, ReadOnlySpan<int> rows, float[] batchX, TTarget[] batchY,
        Optimizer optimizer, int epoch, int batchIndex, out int shardRows)
    {
        var (start, count) = distribution.Shard(rows.Length);
        shardRows = count;
        var weights = Weights;
        int total = 0;
        foreach (var p in weights) total += p.Length;
        if (_flatGradients.Length != total + 1) _flatGradients = new float[total + 1];
        float localLoss = 0;
        if (count > 0)
        {
            Gather(x, y, rows.Slice(start, count), batchX, batchY);
            localLoss = ForwardBackwardOnRank(distribution.Rank, batchX.AsSpan(0, count * InputWidth), batchY.AsSpan(0, count * TargetsPerSample), count);
        }
        DropoutStep++; // as TrainStep counts it, on every rank (a rank with no rows too), so the masks change each step
        float share = (float)count / rows.Length, perRank = 1f / distribution.Size;
        int offset = 0;
        foreach (var p in weights)
        {
            var slot = _flatGradients.AsSpan(offset, p.Length);
            if (!p.Trainable) TensorPrimitives.Multiply(p.Data, perRank, slot);
            else if (count > 0) TensorPrimitives.Multiply(p.Gradient, share, slot);
            else slot.Clear();
            offset += p.Length;
        }
        _flatGradients[total] = localLoss * share;
        distribution.SumGradients(_flatGradients, ++_distributedSteps, epoch, batchIndex);
        offset = 0;
        foreach (var p in weights)
        {
            _flatGradients.AsSpan(offset, p.Length).CopyTo(p.Trainable ? p.Gradient : p.Data);
            offset += p.Length;
        }
        optimizer.Step(TrainableWeights);
        return _flatGradients[total];
    }

    /// <summary>
    /// ForwardBackward with this rank's own dropout masks: the seed mixed with the rank (rank 0 keeps the model's), so
    /// the ranks' shards are not dropped alike, as each replica draws its own under Keras's and PyTorch's data
    /// parallelism. The model's seed is restored after, so a checkpoint holds the one seed every rank starts from.
    /// </summary>
    private float ForwardBackwardOnRank(int rank, ReadOnlySpan<float> x, ReadOnlySpan<TTarget> y, int count)
    {
        var (seed, _) = DropoutState;
        DropoutState = (seed ^ (ulong)rank * 0x9E3779B97F4A7C15UL, DropoutStep);
        try { return ForwardBackward(x, y, count); }
        finally { DropoutState = (seed, DropoutStep); }
    }

    /// <summary>Fit's checks and set-up for a distributed run: same weights everywhere, one step counter.</summary>
    private DataParallel? BeginDistributedFit()
    {
        if (ActiveDistribution(nameof(Fit)) is not { } distribution) return null;
        if (MixesBatchRows)
            throw new NotSupportedException($"{GetType().Name} mixes the rows of a batch (GG0118), so a batch split over ranks would not give the gradient of the whole batch; train it in one process.");
        BroadcastWeights(distribution);
        _distributedSteps = 0;
        return distribution;
    }

    /// <summary>Sums each metric's totals, and the given sums, over the ranks, so every rank holds the results of all rows.</summary>
    private void ReduceMetrics(DataParallel distribution, Span<double> sums)
    {
        var buffer = new double[sums.Length + 2 * _metrics.Length];
        sums.CopyTo(buffer);
        for (int i = 0; i < _metrics.Length; i++) (buffer[sums.Length + 2 * i], buffer[sums.Length + 2 * i + 1]) = _metrics[i].State;
        distribution.AllreduceSum(buffer);
        buffer.AsSpan(0, sums.Length).CopyTo(sums);
        for (int i = 0; i < _metrics.Length; i++) _metrics[i].State = (buffer[sums.Length + 2 * i], buffer[sums.Length + 2 * i + 1]);
    }

    /// <summary>Evaluate over several ranks: each scores its shard of the rows; the loss and metric sums are added up.</summary>
    private double EvaluateDistributed(DataParallel distribution, ReadOnlySpan<float> x, ReadOnlySpan<TTarget> targets, int rows, int batchSize)
    {
        var (start, count) = distribution.Shard(rows);
        double lossSum = 0;
        foreach (var metric in _metrics) metric.Reset();
        if (count > 0)
            lossSum = count * EvaluateCore(x.Slice(start * InputWidth, count * InputWidth), targets.Slice(start * TargetsPerSample, count * TargetsPerSample), count, batchSize);
        Span<double> sums = [lossSum];
        ReduceMetrics(distribution, sums);
        return sums[0] / rows;
    }
}
