using System.IO.Compression;
using System.Text;
using GraphGen.Data;
using GraphGen.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace GraphGen.Tests.Data;

/// <summary>
/// Every reader on seeded random mutations of a valid file (flipped, inserted, deleted and overwritten bytes,
/// truncations, random length fields, gzip around it): the only exception is <see cref="DataFormatException"/>
/// (with the file, an offset inside it and the problem), no parse hangs, and what a parse allocates stays within
/// a bound set by the file's size. CI runs <see cref="FastMutations"/> per reader;
/// GRAPHGEN_FUZZ_MUTATIONS=20000 dotnet test --filter ReaderFuzzTests is the long run.
/// </summary>
public class ReaderFuzzTests(ITestOutputHelper output)
{
    private const int FastMutations = 1500;
    private static int Mutations => int.TryParse(Environment.GetEnvironmentVariable("GRAPHGEN_FUZZ_MUTATIONS"), out int n) && n > 0 ? n : FastMutations;

    [Fact]
    public void IdxReaderRejectsMutationsWithDataFormatExceptionsOnly()
    {
        var random = new Random(11);
        byte[] images = IdxFile([7, 5, 4], random), labels = IdxFile([7], random, maxValue: 10);
        Fuzz("IDX", [images, labels], random, bytes => Idx.Parse(bytes, "fuzz.idx"));
    }

    [Fact]
    public void GzipIdxReaderRejectsMutationsWithDataFormatExceptionsOnly()
    {
        var random = new Random(12);
        byte[] gz = Gzip(IdxFile([9, 6, 6], random));
        // Deflate expands at most about 1032:1, so a gzip parse may allocate that much more than its input.
        Fuzz("IDX (gzip)", [gz], random, bytes => Idx.Parse(Idx.Gunzip(bytes, "fuzz.idx.gz"), "fuzz.idx.gz"), allowance: 4200);
    }

    [Fact]
    public void CsvReaderRejectsMutationsWithDataFormatExceptionsOnly()
    {
        var random = new Random(13);
        var text = new StringBuilder();
        for (int r = 0; r < 30; r++) text.AppendLine(string.Join(",", Enumerable.Range(0, 4).Select(_ => (random.NextDouble() * 200 - 100).ToString("G6"))));
        Fuzz("CSV", [Encoding.UTF8.GetBytes(text.ToString()), Encoding.UTF8.GetBytes("1 2 3\r\n4 5 6\r\n")], random, bytes => Csv.ParseNumbers(bytes, "fuzz.csv"));
    }

    [Fact]
    public void SafeTensorsReaderRejectsMutationsWithDataFormatExceptionsOnly()
    {
        var random = new Random(14);
        string path = Path.Combine(Path.GetTempPath(), $"graphgen-fuzz-{Guid.NewGuid():N}.safetensors");
        SafeTensors.Write(path, [("hidden.weight", [3, 4], Values(12, random)), ("hidden.bias", [4], Values(4, random)), ("scalar", [], Values(1, random))],
            new Dictionary<string, string> { ["epoch"] = "3", ["note"] = "ünïcode" });
        byte[] valid = File.ReadAllBytes(path);
        File.Delete(path);
        Fuzz("safetensors", [valid], random, bytes =>
        {
            var file = SafeTensors.Parse("fuzz.safetensors", bytes);
            foreach (var entry in file.Entries) file.ReadF32(entry.Name);
        }, lengthFieldAt: 0);
    }

    [Fact]
    public void MnistPairRejectsMismatchedOrOutOfRangeFilesWithDataFormatExceptionsOnly()
    {
        // The pair checks that one file alone cannot: counts that differ, labels past 9, files of the wrong rank.
        var random = new Random(15);
        string folder = Directory.CreateTempSubdirectory("graphgen-fuzz-mnist").FullName;
        try
        {
            int rejected = 0, cases = Math.Max(100, Mutations / 10);
            for (int i = 0; i < cases; i++)
            {
                int count = random.Next(1, 6);
                var imageDims = random.Next(6) == 0 ? new[] { count, 3 } : new[] { count, random.Next(1, 4), random.Next(1, 4) };
                var labelDims = random.Next(5) == 0 ? new[] { count + random.Next(-1, 2) } : new[] { count };
                File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), IdxFile(imageDims, random));
                File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), IdxFile(labelDims, random, maxValue: random.Next(3) == 0 ? 256 : 10));
                try
                {
                    var set = Mnist.LoadPair(folder, "train");
                    Assert.All(set.Labels, l => Assert.InRange(l, 0, 9));
                    Assert.Equal(set.Count * set.Features, set.Images.Length);
                }
                catch (DataFormatException e)
                {
                    rejected++;
                    Assert.Contains(folder, e.File);
                }
            }
            output.WriteLine($"MNIST pairs: {cases} cases, {rejected} rejected with a DataFormatException");
            Assert.InRange(rejected, 1, cases - 1); // both outcomes occur, or the cases test nothing
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    /// <summary>
    /// Parses <see cref="Mutations"/> mutations of the seeds. Each must parse or throw a DataFormatException whose
    /// offset lies within the input; no other exception, no parse longer than a generous hang limit, and at most
    /// <paramref name="allowance"/> bytes allocated per input byte (plus 1 MB).
    /// </summary>
    private void Fuzz(string reader, byte[][] seeds, Random random, Action<byte[]> parse, long allowance = 24, int? lengthFieldAt = null)
    {
        foreach (var seed in seeds) parse(seed); // the mutations start from files the reader accepts
        int accepted = 0, rejected = 0;
        var hangLimit = TimeSpan.FromSeconds(20);
        for (int i = 0; i < Mutations; i++)
        {
            byte[] bytes = Mutate(seeds[random.Next(seeds.Length)], random, lengthFieldAt);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                parse(bytes);
                accepted++;
            }
            catch (DataFormatException e)
            {
                rejected++;
                Assert.InRange(e.Offset, 0, Math.Max(bytes.Length, 1L << 40)); // an offset, never negative
                Assert.False(string.IsNullOrWhiteSpace(e.Problem), $"{reader}: mutation {i} was rejected without a problem named");
                Assert.StartsWith(e.File + ": at byte ", e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"{reader}: mutation {i} ({bytes.Length} bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(64, bytes.Length)))}…) threw {e.GetType().Name}: {e}");
            }
            Assert.True(clock.Elapsed < hangLimit, $"{reader}: mutation {i} took {clock.Elapsed}");
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated <= allowance * bytes.Length + (1 << 20), $"{reader}: mutation {i} of {bytes.Length} bytes allocated {allocated} bytes");
        }
        output.WriteLine($"{reader}: {Mutations} mutations, {accepted} parsed, {rejected} rejected with a DataFormatException, 0 other exceptions");
        Assert.True(rejected > Mutations / 10, $"{reader}: only {rejected} of {Mutations} mutations were rejected; the mutations test little");
    }

    private static byte[] Mutate(byte[] seed, Random random, int? lengthFieldAt)
    {
        var bytes = new List<byte>(seed);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits; e++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.Insert(at, (byte)random.Next(256)); break;
                case 3 when bytes.Count > 0: bytes.RemoveAt(at); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break; // truncate
                case 5: bytes.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256))); break;
                case 6 when bytes.Count > 0: bytes[at] = Pick(random, [0x00, 0xFF, 0x7F, 0x80, (byte)'"', (byte)',', (byte)'\n', 0xC3, 0xE2]); break;
                case 7 when lengthFieldAt is int field && bytes.Count >= field + 8:
                    // A length field set to something plausible, huge, or just past the end.
                    ulong length = random.Next(3) switch { 0 => (ulong)random.Next(bytes.Count * 2), 1 => ulong.MaxValue - (ulong)random.Next(100), _ => (ulong)(bytes.Count - 8 + random.Next(-2, 3)) };
                    BitConverter.GetBytes(length).CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)[field..]);
                    break;
                case 7 when bytes.Count >= 8:
                    // IDX: a dimension replaced, big-endian, by something odd.
                    int dim = 4 + 4 * random.Next(Math.Max(1, Math.Min(3, (bytes.Count - 4) / 4)));
                    if (dim + 4 <= bytes.Count)
                    {
                        uint value = random.Next(3) switch { 0 => (uint)random.Next(20), 1 => uint.MaxValue - (uint)random.Next(100), _ => 0x10000u };
                        for (int b = 0; b < 4; b++) bytes[dim + b] = (byte)(value >> (24 - 8 * b));
                    }
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static byte[] IdxFile(int[] dims, Random random, int maxValue = 256)
    {
        long count = dims.Aggregate(1L, (a, d) => a * Math.Max(d, 0));
        var bytes = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        for (long i = 0; i < count; i++) bytes.Add((byte)random.Next(maxValue));
        return bytes.ToArray();
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal)) gzip.Write(raw);
        return buffer.ToArray();
    }

    private static float[] Values(int count, Random random) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble()).ToArray();

    private static byte Pick(Random random, byte[] values) => values[random.Next(values.Length)];
}
