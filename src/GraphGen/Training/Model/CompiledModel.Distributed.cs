using GraphGen.Distributed;

namespace GraphGen.Training;

public abstract partial class CompiledModel
{
    private DataParallel? _distribution;

    /// <summary>
    /// The data-parallel strategy Fit, Evaluate and Predict run under (null: this process alone). Every rank sets the
    /// same strategy on the same model; Fit first copies rank 0's weights to every rank, so all start alike.
    /// Distributed runs are on the CPU: a model placed on a device is refused.
    /// </summary>
    public DataParallel? Distribution
    {
        get => _distribution;
        set
        {
            using var _ = Enter(changesModel: true);
            _distribution = value;
        }
    }

    /// <summary>The strategy when it spans more than one rank; with one rank the plain single-process paths run.</summary>
    private protected DataParallel? ActiveDistribution(string call)
    {
        if (_distribution is not { Size: > 1 } distribution) return null;
        if (Placement is not null)
            throw new NotSupportedException($"{call} under {distribution} runs on the CPU; this model is placed on {Placement}. Distributed runs on devices are not supported yet.");
        return distribution;
    }

    /// <summary>Rank 0's weights to every rank.</summary>
    private protected void BroadcastWeights(DataParallel distribution)
    {
        foreach (var parameter in _weights) distribution.Broadcast(parameter.Data);
    }

    /// <summary>Predict over several ranks: each runs its shard of the rows, and every rank gets every output.</summary>
    private void PredictDistributed(DataParallel distribution, ReadOnlySpan<float> x, Span<float> output, int rows, int size)
    {
        var (start, count) = distribution.Shard(rows);
        var mine = new float[count * OutputWidth];
        if (count > 0) PredictRows(x.Slice(start * InputWidth, count * InputWidth), mine, count, size);
        var counts = Enumerable.Range(0, distribution.Size).Select(r => distribution.ShardOf(rows, r).Count * OutputWidth).ToArray();
        distribution.AllGather(mine, output[..(rows * OutputWidth)], counts);
    }
}
