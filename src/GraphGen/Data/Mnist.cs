namespace GraphGen.Data;

/// <summary>Images as rows of features in [0, 1] and their integer labels.</summary>
public sealed record LabeledImages(float[] Images, int[] Labels, int Width, int Height)
{
    public int Count => Labels.Length;
    public int Features => Width * Height;

    /// <summary>The first <paramref name="count"/> samples (all of them when count is larger).</summary>
    public LabeledImages Take(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        count = Math.Min(count, Count);
        return new LabeledImages(Images[..(count * Features)], Labels[..count], Width, Height);
    }
}

/// <summary>
/// Loads MNIST (or any IDX image/label pair laid out as MNIST: train-images-idx3-ubyte, train-labels-idx1-ubyte,
/// t10k-…, raw or .gz). Pixels are scaled to [0, 1]; every file is checked against the others.
/// </summary>
public static class Mnist
{
    /// <summary>
    /// Loads the training and test sets from <paramref name="directory"/>, or where <see cref="DataLocator"/>
    /// finds the "mnist" folder.
    /// </summary>
    public static (LabeledImages Train, LabeledImages Test) Load(string? directory = null) => LoadNamed("mnist", directory);

    /// <summary>Loads an MNIST-layout data set found under <paramref name="name"/> by <see cref="DataLocator"/>.</summary>
    internal static (LabeledImages Train, LabeledImages Test) LoadNamed(string name, string? directory)
    {
        string folder = DataLocator.Find(name, directory, "train-images-idx3-ubyte");
        return (LoadPair(folder, "train"), LoadPair(folder, "t10k"));
    }

    /// <summary>Loads one image file and its label file (prefix "train" or "t10k").</summary>
    public static LabeledImages LoadPair(string directory, string prefix)
    {
        string imagesPath = Resolve(directory, $"{prefix}-images-idx3-ubyte");
        string labelsPath = Resolve(directory, $"{prefix}-labels-idx1-ubyte");
        var images = Idx.Read(imagesPath);
        var labels = Idx.Read(labelsPath);
        if (images.Dimensions.Count != 3)
            throw new DataFormatException(imagesPath, 3, $"an image file needs 3 dimensions (count, rows, columns), found {images.Dimensions.Count}");
        if (labels.Dimensions.Count != 1)
            throw new DataFormatException(labelsPath, 3, $"a label file needs 1 dimension (count), found {labels.Dimensions.Count}");
        int count = images.Dimensions[0], height = images.Dimensions[1], width = images.Dimensions[2];
        if (labels.Dimensions[0] != count)
            throw new DataFormatException(labelsPath, 4, $"{labels.Dimensions[0]} labels for the {count} images of {Path.GetFileName(imagesPath)}");
        int headerLength = 8;
        var result = new int[count];
        for (int i = 0; i < count; i++)
        {
            byte label = labels.Values[i];
            if (label > 9) throw new DataFormatException(labelsPath, headerLength + i, $"label {label} of image {i} is outside 0–9");
            result[i] = label;
        }
        var pixels = new float[images.Values.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images.Values[i] * (1f / 255f);
        return new LabeledImages(pixels, result, width, height);
    }

    private static string Resolve(string directory, string name)
    {
        string raw = Path.Combine(directory, name), gz = raw + ".gz";
        if (File.Exists(raw)) return raw;
        if (File.Exists(gz)) return gz;
        throw new FileNotFoundException($"Neither {raw} nor {gz} exists.", gz);
    }
}
