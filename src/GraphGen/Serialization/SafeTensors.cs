using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using GraphGen.Data;

namespace GraphGen.Serialization;

/// <summary>One tensor of a safetensors file: its dtype, shape and byte range within the data section.</summary>
public sealed record TensorEntry(string Name, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public string ShapeText => "(" + string.Join(", ", Shape) + ")";
}

/// <summary>
/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a UTF-8 JSON header
/// mapping each tensor name to its dtype, shape and data offsets (plus an optional string-to-string
/// <c>__metadata__</c>), then the tensors' bytes, little-endian, back to back. GraphGen writes F32 tensors in
/// row-major order, names sorted, the header padded with spaces to a multiple of 8 bytes.
/// </summary>
public static class SafeTensors
{
    private const int MaxHeaderBytes = 100_000_000;
    private static readonly Dictionary<string, int> s_dtypeSizes = new()
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1, ["BOOL"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
    };

    /// <summary>
    /// Writes F32 tensors to <paramref name="path"/> atomically: a temporary file beside it is written, flushed to
    /// disk and renamed over the target, so a crash leaves the old file or the new one, never half of one.
    /// </summary>
    public static void Write(string path, IEnumerable<(string Name, IReadOnlyList<int> Shape, float[] Values)> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var list = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var duplicate = list.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Tensor name '{duplicate.Key}' appears twice.", nameof(tensors));
        byte[] header = Header(list, metadata);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        RemoveAbandonedTemporaries(folder, Path.GetFileName(full));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                stream.Flush();
                MidWriteHook?.Invoke(full);
                foreach (var (_, _, values) in list) WriteLittleEndian(stream, values);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Called with the target path once the header of a write is on disk and its data is not: the crash-safety test's
    /// child process stops there to be killed in the middle of a write. Never set outside that test.
    /// </summary>
    internal static Action<string>? MidWriteHook;

    /// <summary>
    /// Deletes the temporary files of earlier writes to <paramref name="file"/> whose process has ended (killed mid-write),
    /// so they do not pile up. Best effort: a file still being written by a live process is left alone.
    /// </summary>
    private static void RemoveAbandonedTemporaries(string folder, string file)
    {
        if (!Directory.Exists(folder)) return;
        string prefix = $".{file}.";
        foreach (string candidate in Directory.EnumerateFiles(folder, prefix + "*.tmp"))
        {
            string pid = Path.GetFileName(candidate)[prefix.Length..^".tmp".Length];
            if (!int.TryParse(pid, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) || id == Environment.ProcessId) continue;
            try
            {
                using var process = System.Diagnostics.Process.GetProcessById(id);
                if (!process.HasExited) continue;
            }
            catch (ArgumentException)
            {
                // No such process: the writer is gone.
            }
            try { File.Delete(candidate); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static byte[] Header(List<(string Name, IReadOnlyList<int> Shape, float[] Values)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape, values) in tensors)
            {
                long count = shape.Aggregate(1L, (a, d) => a * d);
                if (count != values.Length) throw new ArgumentException($"Tensor '{name}' has shape ({string.Join(", ", shape)}) = {count} values but holds {values.Length}.");
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset += count * 4);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        var header = new byte[padded];
        buffer.ToArray().CopyTo(header, 0);
        header.AsSpan((int)buffer.Length).Fill((byte)' ');
        return header;
    }

    private static void WriteLittleEndian(Stream stream, float[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        stream.Write(bytes);
    }

    /// <summary>Reads and checks the header of <paramref name="path"/>; the tensors are read on demand.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Parse(path, bytes);
    }

    /// <summary>
    /// Checks a whole safetensors file held in memory: the header length against the file, the header as UTF-8
    /// JSON, every entry's dtype, shape and offsets, and that the tensors cover the data section exactly once.
    /// Every problem is a <see cref="DataFormatException"/> naming the file and the byte offset.
    /// </summary>
    public static SafeTensorsFile Parse(string fileName, byte[] bytes)
    {
        if (bytes.Length < 8) throw new DataFormatException(fileName, 0, $"the file has {bytes.Length} bytes, fewer than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8) || headerLength > MaxHeaderBytes)
            throw new DataFormatException(fileName, 0, $"the header length {headerLength} runs past the end of the {bytes.Length}-byte file");
        int dataStart = 8 + (int)headerLength;
        var headerBytes = bytes.AsMemory(8, (int)headerLength);
        JsonDocument document;
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes.Span);
            document = JsonDocument.Parse(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFormatException(fileName, 8 + Math.Max(0, e.Index), "the header is not valid UTF-8");
        }
        catch (JsonException e)
        {
            throw new DataFormatException(fileName, 8 + (e.BytePositionInLine ?? 0), $"the header is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(fileName, 8, "the header is not a JSON object");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<TensorEntry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__") ReadMetadata(fileName, property.Value, metadata);
                else entries.Add(ReadEntry(fileName, property));
            }
            CheckCoverage(fileName, entries, bytes.Length - dataStart, dataStart);
            return new SafeTensorsFile(fileName, bytes, dataStart, entries, metadata);
        }
    }

    private static void ReadMetadata(string fileName, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new DataFormatException(fileName, 8, "__metadata__ is not an object of strings");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw new DataFormatException(fileName, 8, $"__metadata__ value '{item.Name}' is not a string");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static TensorEntry ReadEntry(string fileName, JsonProperty property)
    {
        string name = property.Name;
        var value = property.Value;
        DataFormatException Bad(string problem) => new(fileName, 8, $"tensor '{name}': {problem}");
        if (value.ValueKind != JsonValueKind.Object) throw Bad("its entry is not an object");
        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String) throw Bad("no dtype string");
        string type = dtype.GetString()!;
        if (!s_dtypeSizes.TryGetValue(type, out int size)) throw Bad($"unknown dtype '{type}'");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) throw Bad("no shape array");
        var shape = new List<long>();
        long count = 1;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0) throw Bad("a shape entry is not a whole number ≥ 0");
            shape.Add(dim);
            try { count = checked(count * dim); }
            catch (OverflowException) { throw Bad($"the shape ({string.Join(", ", shape)}…) has more elements than fit in 64 bits"); }
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad("data_offsets is not a pair [begin, end]");
        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Bad("data_offsets is not a pair 0 ≤ begin ≤ end");
        long bytes;
        try { bytes = checked(count * size); }
        catch (OverflowException) { throw Bad("its byte size overflows"); }
        if (end - begin != bytes) throw Bad($"shape ({string.Join(", ", shape)}) of {type} needs {bytes} bytes but data_offsets [{begin}, {end}] span {end - begin}");
        return new TensorEntry(name, type, shape, begin, end);
    }

    private static void CheckCoverage(string fileName, List<TensorEntry> entries, long dataLength, int dataStart)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < expected) throw new DataFormatException(fileName, dataStart + entry.Begin, $"tensor '{entry.Name}' overlaps the tensor before it");
            if (entry.Begin > expected) throw new DataFormatException(fileName, dataStart + expected, $"{entry.Begin - expected} bytes before tensor '{entry.Name}' belong to no tensor");
            if (entry.End > dataLength) throw new DataFormatException(fileName, dataStart + entry.Begin, $"tensor '{entry.Name}' ends at data byte {entry.End}, past the {dataLength}-byte data section");
            expected = entry.End;
        }
        if (expected != dataLength) throw new DataFormatException(fileName, dataStart + expected, $"{dataLength - expected} bytes after the last tensor belong to no tensor");
    }
}

/// <summary>A checked safetensors file: its entries by name, its metadata, and F32 reads.</summary>
public sealed class SafeTensorsFile
{
    private readonly byte[] _bytes;
    private readonly int _dataStart;
    private readonly Dictionary<string, TensorEntry> _entries;

    internal SafeTensorsFile(string fileName, byte[] bytes, int dataStart, List<TensorEntry> entries, Dictionary<string, string> metadata)
    {
        FileName = fileName;
        _bytes = bytes;
        _dataStart = dataStart;
        _entries = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        Metadata = metadata;
    }

    public string FileName { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public IReadOnlyCollection<TensorEntry> Entries => _entries.Values;
    public bool TryGetEntry(string name, out TensorEntry entry) => _entries.TryGetValue(name, out entry!);

    /// <summary>Copies the F32 tensor <paramref name="name"/> into <paramref name="destination"/> (its exact size).</summary>
    public void ReadF32(string name, Span<float> destination)
    {
        if (!_entries.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"{FileName} has no tensor '{name}'.");
        if (entry.DType != "F32") throw new DataFormatException(FileName, _dataStart + entry.Begin, $"tensor '{name}' is {entry.DType}, not F32");
        if (entry.ElementCount != destination.Length)
            throw new ArgumentException($"Tensor '{name}' in {FileName} has {entry.ElementCount} values; the destination holds {destination.Length}.", nameof(destination));
        var source = _bytes.AsSpan(_dataStart + (int)entry.Begin, (int)(entry.End - entry.Begin));
        if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
        else for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
    }

    public float[] ReadF32(string name)
    {
        if (!_entries.TryGetValue(name, out var entry)) throw new KeyNotFoundException($"{FileName} has no tensor '{name}'.");
        var values = new float[entry.ElementCount];
        ReadF32(name, values);
        return values;
    }
}
