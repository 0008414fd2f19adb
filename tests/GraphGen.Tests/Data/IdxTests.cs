using System.IO.Compression;
using GraphGen.Data;
using Xunit;

namespace GraphGen.Tests.Data;

/// <summary>The IDX reader and the MNIST loader: the committed data loads, and every malformed file is a located error.</summary>
public class IdxTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphgen-idx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Idx(byte type, int[] dims, byte[] values)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        bytes.AddRange(values);
        return bytes.ToArray();
    }

    private string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = Path.Combine(_folder, name + (gzip ? ".gz" : ""));
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsRawAndGzip(bool gzip)
    {
        var array = GraphGen.Data.Idx.Read(Write("a", Idx(8, new[] { 2, 3 }, new byte[] { 1, 2, 3, 4, 5, 6 }), gzip));
        Assert.Equal(new[] { 2, 3 }, array.Dimensions);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, array.Values);
    }

    [Theory]
    [InlineData(new byte[] { 0, 0 }, 2, "inside the 4-byte IDX magic")]
    [InlineData(new byte[] { 1, 0, 8, 1, 0, 0, 0, 1, 5 }, 0, "two zero bytes")]
    [InlineData(new byte[] { 0, 0, 0x0D, 1, 0, 0, 0, 1, 5, 5, 5, 5 }, 2, "element type 0x0D")]
    [InlineData(new byte[] { 0, 0, 8, 0 }, 3, "0 dimensions")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 0, 0, 1 }, 8, "ends inside the header")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 3, 1, 2 }, 8, "declares 3 values but 2 bytes follow")]
    [InlineData(new byte[] { 0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0 }, 8, "multiply to more than")]
    public void MalformedFilesNameFileOffsetAndProblem(byte[] bytes, long offset, string problem)
    {
        string path = Write("bad", bytes);
        var e = Assert.Throws<DataFormatException>(() => GraphGen.Data.Idx.Read(path));
        Assert.Equal(path, e.File);
        Assert.Equal(offset, e.Offset);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void TruncatedGzipIsADataFormatError()
    {
        string path = Write("t", Idx(8, new[] { 100 }, new byte[100]), gzip: true);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);
        var e = Assert.Throws<DataFormatException>(() => GraphGen.Data.Idx.Read(path));
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void GzipHeaderAloneIsADataFormatError()
    {
        string path = Write("h", new byte[] { 0x1F, 0x8B });
        Assert.Throws<DataFormatException>(() => GraphGen.Data.Idx.Read(path));
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var e = Assert.Throws<FileNotFoundException>(() => GraphGen.Data.Idx.Read(Path.Combine(_folder, "nope")));
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void MnistPairIsCheckedAcrossFiles()
    {
        Write("train-images-idx3-ubyte", Idx(8, new[] { 2, 2, 2 }, new byte[] { 0, 255, 0, 0, 51, 0, 0, 0 }));
        Write("train-labels-idx1-ubyte", Idx(8, new[] { 2 }, new byte[] { 3, 9 }));
        var pair = Mnist.LoadPair(_folder, "train");
        Assert.Equal(new[] { 3, 9 }, pair.Labels);
        Assert.Equal(1f, pair.Images[1]);
        Assert.Equal(0.2f, pair.Images[4], tolerance: 1e-6f);

        Write("train-labels-idx1-ubyte", Idx(8, new[] { 3 }, new byte[] { 3, 9, 1 }));
        Assert.Contains("3 labels for the 2 images", Assert.Throws<DataFormatException>(() => Mnist.LoadPair(_folder, "train")).Message);
        Write("train-labels-idx1-ubyte", Idx(8, new[] { 2 }, new byte[] { 3, 12 }));
        var e = Assert.Throws<DataFormatException>(() => Mnist.LoadPair(_folder, "train"));
        Assert.Equal(9, e.Offset);
        Assert.Contains("label 12 of image 1", e.Message);
        Write("train-images-idx3-ubyte", Idx(8, new[] { 2, 4 }, new byte[8]));
        Assert.Contains("3 dimensions", Assert.Throws<DataFormatException>(() => Mnist.LoadPair(_folder, "train")).Message);
    }

    [Fact]
    public void MissingDataSetListsWhereItLooked()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => DataLocator.Find("no-such-set", null, "x"));
        Assert.Contains("/usr/share/datasets/no-such-set", e.Message);
        Assert.Contains("GRAPHGEN_DATA", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Mnist.Load(_folder));
    }

    [Fact]
    public void CommittedMnistLoads()
    {
        var (train, test) = Mnist.Load();
        Assert.Equal(60_000, train.Count);
        Assert.Equal(10_000, test.Count);
        Assert.Equal(784, train.Features);
        Assert.Equal(5, train.Labels[0]); // the well-known first labels of both sets
        Assert.Equal(7, test.Labels[0]);
        Assert.All(test.Images, p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(10, train.Labels.Distinct().Count());
    }
}
