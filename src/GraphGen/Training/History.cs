namespace GraphGen.Training;

/// <summary>Reported after each training batch: the batch's own mean loss.</summary>
public readonly record struct BatchEnd(int Epoch, int Batch, int BatchesPerEpoch, int Rows, float Loss);

/// <summary>
/// Reported after each epoch: the mean loss over the epoch's samples, the training accuracy (classifiers) and
/// the wall-clock seconds the epoch took.
/// </summary>
public sealed record EpochEnd(int Epoch, double Loss, double? Accuracy, double Seconds, int Batches);

/// <summary>What <c>Fit</c> returns: one entry per epoch, as Keras's History.history.</summary>
public sealed record History(IReadOnlyList<EpochEnd> Epochs)
{
    public IEnumerable<double> Loss => Epochs.Select(e => e.Loss);
}

/// <summary>What <c>Evaluate</c> returns: the mean loss and, for classifiers, the accuracy.</summary>
public sealed record Evaluation(double Loss, double? Accuracy, int Samples);
