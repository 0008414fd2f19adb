using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchSharpPeer;

/// <summary>MNIST from the repository's samples/data/mnist (IDX files, gzip), scaled to [0, 1], resident as tensors.</summary>
internal sealed record MnistTensors(Tensor Images, Tensor Labels, int Count)
{
    /// <summary>The images as (N, 1, 28, 28), the NCHW layout of the convnet: the same values the bench reads as NHWC with C = 1.</summary>
    public Tensor ImagesNchw => Images.view(Count, 1, 28, 28);

    public static (MnistTensors Train, MnistTensors Test) Load(string? folder)
    {
        folder ??= Find();
        return (Read(folder, "train"), Read(folder, "t10k"));
    }

    private static MnistTensors Read(string folder, string prefix)
    {
        byte[] images = Idx(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), out int count);
        byte[] labels = Idx(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), out _);
        var pixels = new float[images.Length];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = images[i] / 255f;
        var classes = new long[labels.Length];
        for (int i = 0; i < classes.Length; i++) classes[i] = labels[i];
        return new MnistTensors(tensor(pixels, [count, 784]), tensor(classes, [count]), count);
    }

    /// <summary>An unsigned-byte IDX file's payload; <paramref name="count"/> is its first dimension.</summary>
    private static byte[] Idx(string path, out int count)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        byte[] data = memory.ToArray();
        if (data[0] != 0 || data[1] != 0 || data[2] != 0x08) throw new InvalidDataException($"{path}: not an unsigned-byte IDX file");
        int dims = data[3];
        count = BigEndian(data, 4);
        return data[(4 + 4 * dims)..];
    }

    private static int BigEndian(byte[] data, int at) => data[at] << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3];

    /// <summary>As GraphGen's DataLocator: $GRAPHGEN_DATA/mnist, then samples/data/mnist in a folder above the working directory.</summary>
    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("GRAPHGEN_DATA") is { Length: > 0 } root) return Path.Combine(root, "mnist");
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples", "data", "mnist");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("MNIST not found: pass --data, set GRAPHGEN_DATA, or run inside the repository (samples/data/mnist).");
    }
}
