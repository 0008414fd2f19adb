using System.Buffers.Binary;
using System.IO.Compression;

namespace GraphGen.Data;

/// <summary>An IDX array of unsigned bytes (the MNIST files): its dimensions and its values in C order.</summary>
public sealed record IdxArray(IReadOnlyList<int> Dimensions, byte[] Values);

/// <summary>
/// Reads IDX files (LeCun's format: two zero bytes, a type code, a dimension count, big-endian uint32
/// dimensions, then the data), raw or gzip-compressed. Only unsigned bytes (type 0x08) are accepted, which is
/// what MNIST and Fashion-MNIST store.
/// </summary>
public static class Idx
{
    private const byte UnsignedByte = 0x08;

    public static IdxArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file not found: {path}", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) bytes = Gunzip(bytes, path);
        return Parse(bytes, path);
    }

    /// <summary>Parses IDX bytes already in memory; <paramref name="source"/> names them in errors.</summary>
    public static IdxArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 4) throw new DataFormatException(source, bytes.Length, $"the file ends after {bytes.Length} bytes, inside the 4-byte IDX magic number");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException(source, 0, $"the IDX magic number must start with two zero bytes, found 0x{bytes[0]:X2} 0x{bytes[1]:X2}");
        if (bytes[2] != UnsignedByte)
            throw new DataFormatException(source, 2, $"element type 0x{bytes[2]:X2} is not supported; expected 0x08 (unsigned byte)");
        int rank = bytes[3];
        if (rank == 0) throw new DataFormatException(source, 3, "the array has 0 dimensions");
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new DataFormatException(source, bytes.Length, $"the file ends inside the header: {rank} dimensions need {headerLength} header bytes");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 + 4 * d));
            if (size > int.MaxValue) throw new DataFormatException(source, 4 + 4 * d, $"dimension {d} is {size}, too large");
            dims[d] = (int)size;
            count *= size;
            if (count > Array.MaxLength) throw new DataFormatException(source, 4 + 4 * d, $"the dimensions multiply to more than {Array.MaxLength} values");
        }
        long available = bytes.Length - headerLength;
        if (available != count)
            throw new DataFormatException(source, headerLength,
                $"the header ({string.Join(" × ", dims)}) declares {count} values but {available} bytes follow it");
        return new IdxArray(dims, bytes.AsSpan(headerLength).ToArray());
    }

    internal static byte[] Gunzip(byte[] compressed, string path)
    {
        try
        {
            using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            // A truncated stream can end without an error: the trailer's size (mod 2^32) must match what came out.
            uint expected = compressed.Length < 18 ? uint.MaxValue : BinaryPrimitives.ReadUInt32LittleEndian(compressed.AsSpan(compressed.Length - 4));
            if (expected != (uint)output.Length)
                throw new DataFormatException(path, compressed.Length, $"the gzip stream is truncated or corrupt: its trailer says {expected} bytes, {output.Length} came out");
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, 0, $"the gzip stream is corrupt or truncated ({e.Message})");
        }
    }
}
