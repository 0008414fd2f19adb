using System.ComponentModel;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace GraphGen.Cpu;

/// <summary>
/// Batch normalisation over every axis but the last (Keras's <c>BatchNormalization(axis=-1)</c>): a (B, F) value or an
/// NHWC (B, H, W, C) one alike is read as (rows, channels). The statistics of a batch are held as one (2, channels)
/// buffer, the means then the inverse standard deviations 1/√(var + ε), which the training forward pass writes, the
/// inference pass fills from the moving averages, and <see cref="Normalize"/> and <see cref="Backward"/> read.
/// Sums are taken per block of <see cref="BlockRows"/> rows and the blocks added in order in double precision, so the
/// result does not depend on how many cores ran it; the blocks run on every core. Nothing is allocated once a
/// thread's scratch has grown to the largest shape it has seen.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class BatchNormKernels
{
    /// <summary>Rows per block of partial sums: fixed, so the order of every addition is too.</summary>
    internal const int BlockRows = 64;

    /// <summary>
    /// Training: the batch's mean and biased variance per channel into <paramref name="statistics"/> (mean, 1/√(var + ε)),
    /// and Keras's moving-average update <c>moving = moving·momentum + batch·(1 − momentum)</c> of both, the variance
    /// being the biased one Keras normalises with (as <c>keras.layers.BatchNormalization</c> does; PyTorch uses the unbiased one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void TrainingStatistics(ReadOnlySpan<float> x, Span<float> statistics, Span<float> movingMean, Span<float> movingVariance,
        int rows, int channels, float momentum, float epsilon)
    {
        Kernels.CheckRows(x, rows, channels, nameof(x));
        Check(statistics, 2 * channels, nameof(statistics));
        Check(movingMean, channels, nameof(movingMean));
        Check(movingVariance, channels, nameof(movingVariance));
        if (rows == 0) throw new ArgumentOutOfRangeException(nameof(rows), "Batch statistics need at least one row.");
        var job = BatchNormJob.ForThisThread();
        var mean = statistics[..channels];
        var inverse = statistics.Slice(channels, channels);
        job.Sum(BatchNormJob.Pass.Sum, x, default, default, rows, channels);
        job.Reduce(0, mean, 1.0 / rows);
        job.Sum(BatchNormJob.Pass.SquaredDeviation, x, default, mean, rows, channels);
        job.Reduce(0, inverse, 1.0 / rows); // the biased variance, for now
        for (int c = 0; c < channels; c++)
        {
            float variance = inverse[c];
            movingMean[c] = movingMean[c] * momentum + mean[c] * (1f - momentum);
            movingVariance[c] = movingVariance[c] * momentum + variance * (1f - momentum);
            inverse[c] = (float)(1.0 / Math.Sqrt(variance + (double)epsilon));
        }
    }

    /// <summary>Inference: the statistics are the moving averages, (moving_mean, 1/√(moving_variance + ε)); nothing is updated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InferenceStatistics(ReadOnlySpan<float> movingMean, ReadOnlySpan<float> movingVariance, Span<float> statistics, int channels, float epsilon)
    {
        Check(movingMean, channels, nameof(movingMean));
        Check(movingVariance, channels, nameof(movingVariance));
        Check(statistics, 2 * channels, nameof(statistics));
        movingMean[..channels].CopyTo(statistics);
        for (int c = 0; c < channels; c++) statistics[channels + c] = (float)(1.0 / Math.Sqrt(movingVariance[c] + (double)epsilon));
    }

    /// <summary>y = γ ⊙ (x − mean) ⊙ inverse + β, row by row, as y = x·scale + shift with scale = γ·inverse, shift = β − mean·scale.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y,
        int rows, int channels)
    {
        Kernels.CheckRows(x, rows, channels, nameof(x));
        Kernels.CheckRows(y, rows, channels, nameof(y));
        Check(statistics, 2 * channels, nameof(statistics));
        Check(gamma, channels, nameof(gamma));
        Check(beta, channels, nameof(beta));
        var job = BatchNormJob.ForThisThread();
        var coefficients = job.Coefficients(channels);
        var scale = coefficients.AsSpan(0, channels);
        var shift = coefficients.AsSpan(channels, channels);
        for (int c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] * statistics[channels + c];
            shift[c] = beta[c] - statistics[c] * scale[c];
        }
        job.Rows(BatchNormJob.Pass.Normalize, x, default, y, rows, channels);
    }

    /// <summary>
    /// The fused backward pass of a training-mode batch normalisation, with x̂ = (x − mean)·inverse and N = rows:
    /// dβ = Σ dy, dγ = Σ dy ⊙ x̂ (over rows), and, unless <paramref name="inputGradient"/> is empty (an input that needs
    /// none), dx = γ·inverse/N ⊙ (N·dy − dβ − x̂ ⊙ dγ) — the gradient through the batch's mean and variance included.
    /// An empty <paramref name="gammaGradient"/> or <paramref name="betaGradient"/> is not written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> x, ReadOnlySpan<float> statistics, ReadOnlySpan<float> gamma,
        Span<float> inputGradient, Span<float> gammaGradient, Span<float> betaGradient, int rows, int channels)
    {
        Kernels.CheckRows(outputGradient, rows, channels, nameof(outputGradient));
        Kernels.CheckRows(x, rows, channels, nameof(x));
        Check(statistics, 2 * channels, nameof(statistics));
        Check(gamma, channels, nameof(gamma));
        if (!gammaGradient.IsEmpty) Check(gammaGradient, channels, nameof(gammaGradient));
        if (!betaGradient.IsEmpty) Check(betaGradient, channels, nameof(betaGradient));
        if (!inputGradient.IsEmpty) Kernels.CheckRows(inputGradient, rows, channels, nameof(inputGradient));
        var job = BatchNormJob.ForThisThread();
        job.Sum(BatchNormJob.Pass.GradientSums, outputGradient, x, statistics, rows, channels);
        // A γ or β that needs no gradient (not trainable) still gives its sums to dx: they go to the job's scratch.
        var sums = job.Sums(channels);
        var dbeta = betaGradient.IsEmpty ? sums.AsSpan(0, channels) : betaGradient[..channels];
        var dgamma = gammaGradient.IsEmpty ? sums.AsSpan(channels, channels) : gammaGradient[..channels];
        job.Reduce(0, dbeta, 1.0);
        job.Reduce(1, dgamma, 1.0);
        if (inputGradient.IsEmpty) return;
        var coefficients = job.Coefficients(channels);
        var a = coefficients.AsSpan(0, channels);
        var b = coefficients.AsSpan(channels, channels);
        var c = coefficients.AsSpan(2 * channels, channels);
        for (int i = 0; i < channels; i++)
        {
            double mean = statistics[i], inverse = statistics[channels + i], g = gamma[i] * inverse;
            a[i] = (float)g;
            b[i] = (float)(-g * inverse * dgamma[i] / rows);
            c[i] = (float)(-g * dbeta[i] / rows + g * inverse * dgamma[i] * mean / rows);
        }
        job.Rows(BatchNormJob.Pass.InputGradient, outputGradient, x, inputGradient, rows, channels);
    }

    private static void Check(ReadOnlySpan<float> buffer, int length, string name)
    {
        if (buffer.Length < length) throw new ArgumentException($"'{name}' holds {buffer.Length} values; it needs {length}.", name);
    }
}
