using System.Globalization;
using GraphGen.Data;
using GraphGen.Serialization;

namespace GraphGen.Training;

public abstract partial class CompiledModel
{
    private const string WeightsFormat = "graphgen.weights/1";
    private const string CheckpointFormat = "graphgen.checkpoint/1";

    /// <summary>
    /// Writes the weights as safetensors: one F32 tensor per parameter, named <c>layer.weight</c> / <c>layer.bias</c>,
    /// shaped as declared. Any safetensors reader reads it. The write is atomic.
    /// </summary>
    public void SaveWeights(string path)
    {
        using var _ = Enter();
        SyncToHost();
        SafeTensors.Write(path, Tensors(), Metadata(WeightsFormat));
    }

    /// <summary>
    /// Loads weights written by <see cref="SaveWeights"/> (or any safetensors file with the same names, F32 dtype and
    /// shapes). Every mismatch is listed in one error, and nothing is changed unless all of them match.
    /// </summary>
    public void LoadWeights(string path)
    {
        using var _ = Enter(changesModel: true);
        var file = SafeTensors.Open(path);
        CheckWeights(file, allowExtra: false);
        foreach (var p in _weights) file.ReadF32(p.Name, p.HostData);
        HostWeightsChanged();
    }

    /// <summary>
    /// Writes a checkpoint: the weights (the non-trainable state too), the optimizer's step count and state
    /// (<c>optimizer.SLOT.PARAMETER</c>, trainable weights only), the finished epoch, the batch-order random state and
    /// the dropout masks' seed and step, so <c>Fit(…, initialEpoch: epoch)</c> after
    /// <see cref="LoadCheckpoint"/> continues exactly as the uninterrupted run. Still a plain safetensors file.
    /// </summary>
    public void SaveCheckpoint(string path, Optimizer optimizer, int epoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        using var _ = Enter();
        SyncToHost();
        var metadata = Metadata(CheckpointFormat);
        metadata["epoch"] = epoch.ToString(CultureInfo.InvariantCulture);
        metadata["optimizer"] = optimizer.Name;
        metadata["optimizer.iterations"] = optimizer.Iterations.ToString(CultureInfo.InvariantCulture);
        metadata["optimizer.learning_rate"] = optimizer.CurrentLearningRate.ToString("R", CultureInfo.InvariantCulture);
        metadata["shuffle_state"] = Shuffle.SaveState();
        metadata["dropout_seed"] = DropoutSeed.ToString(CultureInfo.InvariantCulture);
        metadata["dropout_step"] = DropoutStep.ToString(CultureInfo.InvariantCulture);
        var state = optimizer.State(_trainable).Select(s => (s.Name, s.Parameter.Shape, s.Values));
        SafeTensors.Write(path, Tensors().Concat(state), metadata);
    }

    /// <summary>
    /// Restores a checkpoint into this model and <paramref name="optimizer"/> (which must be of the kind that wrote
    /// it) and returns the epoch it was written after. Nothing changes unless the whole checkpoint matches.
    /// </summary>
    public int LoadCheckpoint(string path, Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var _ = Enter(changesModel: true);
        var file = SafeTensors.Open(path);
        string Meta(string key) => file.Metadata.TryGetValue(key, out var v) ? v
            : throw new DataFormatException(path, 8, $"the checkpoint metadata has no '{key}' (is this a weights file? use LoadWeights)");
        if (Meta("format") != CheckpointFormat) throw new DataFormatException(path, 8, $"format '{Meta("format")}' is not {CheckpointFormat}");
        if (Meta("optimizer") != optimizer.Name)
            throw new ArgumentException($"{path} holds {Meta("optimizer")} state; the optimizer given is {optimizer.Name}.", nameof(optimizer));
        if (!int.TryParse(Meta("epoch"), NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new DataFormatException(path, 8, $"epoch '{Meta("epoch")}' is not a whole number");
        if (!long.TryParse(Meta("optimizer.iterations"), NumberStyles.None, CultureInfo.InvariantCulture, out long iterations))
            throw new DataFormatException(path, 8, $"optimizer.iterations '{Meta("optimizer.iterations")}' is not a whole number");
        var shuffle = SeededRandom.RestoreState(Meta("shuffle_state"))
            ?? throw new DataFormatException(path, 8, $"shuffle_state '{Meta("shuffle_state")}' is not four hex words");
        // The dropout stream: absent from checkpoints written before dropout existed, whose models had none.
        ulong dropoutSeed = DropoutSeed;
        long dropoutStep = 0;
        if (file.Metadata.ContainsKey("dropout_seed")
            && (!ulong.TryParse(Meta("dropout_seed"), NumberStyles.None, CultureInfo.InvariantCulture, out dropoutSeed)
                || !long.TryParse(Meta("dropout_step"), NumberStyles.None, CultureInfo.InvariantCulture, out dropoutStep)))
            throw new DataFormatException(path, 8, $"dropout_seed '{Meta("dropout_seed")}' or dropout_step is not a whole number");
        CheckWeights(file, allowExtra: true);
        optimizer.Reset();
        var state = optimizer.State(_trainable).ToList();
        var missing = state.Where(s => !file.TryGetEntry(s.Name, out var unused)).Select(s => s.Name).ToList();
        if (missing.Count > 0) throw new DataFormatException(path, 8, $"the checkpoint lacks optimizer state {string.Join(", ", missing)}");
        foreach (var p in _weights) file.ReadF32(p.Name, p.HostData);
        foreach (var (name, _, values) in state) file.ReadF32(name, values);
        HostWeightsChanged();
        optimizer.Iterations = iterations;
        Shuffle = shuffle;
        DropoutSeed = dropoutSeed;
        DropoutStep = dropoutStep;
        return epoch;
    }

    private IEnumerable<(string Name, IReadOnlyList<int> Shape, float[] Values)> Tensors()
        => _weights.Select(p => (p.Name, p.Shape, p.HostData));

    private Dictionary<string, string> Metadata(string format) => new(StringComparer.Ordinal)
    {
        ["format"] = format,
        ["model"] = GetType().FullName ?? GetType().Name,
    };

    private void CheckWeights(SafeTensorsFile file, bool allowExtra)
    {
        var problems = new List<string>();
        foreach (var p in _weights)
        {
            string shape = "(" + string.Join(", ", p.Shape) + ")";
            if (!file.TryGetEntry(p.Name, out var entry)) problems.Add($"'{p.Name}' {shape} is missing");
            else if (entry.DType != "F32") problems.Add($"'{p.Name}' is {entry.DType}, not F32");
            else if (!entry.Shape.SequenceEqual(p.Shape.Select(d => (long)d))) problems.Add($"'{p.Name}' has shape {entry.ShapeText}, the model needs {shape}");
        }
        if (!allowExtra)
        {
            var known = _weights.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(file.Entries.Where(e => !known.Contains(e.Name)).Select(e => $"'{e.Name}' {e.ShapeText} is not a parameter of this model"));
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{file.FileName} does not fit {GetType().Name} ({string.Join(", ", _weights.Select(w => w.Name))}): {string.Join("; ", problems)}.");
    }
}
