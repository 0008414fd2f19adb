using System.Globalization;
using System.Text;

namespace GraphGen.Data;

/// <summary>A table of numbers: row-major values, rows × columns.</summary>
public sealed record NumberTable(float[] Values, int Rows, int Columns)
{
    /// <summary>One column as its own array.</summary>
    public float[] Column(int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)Columns, nameof(column));
        var values = new float[Rows];
        for (int r = 0; r < Rows; r++) values[r] = Values[r * Columns + column];
        return values;
    }
}

/// <summary>
/// Reads numeric text tables (raw or .gz): one row per line, values separated by commas or by runs of spaces/tabs.
/// Every row must have the same number of values, every value a finite number; a problem names the file, the byte
/// offset of the value at fault, its line and column.
/// </summary>
public static class Csv
{
    public static NumberTable ReadNumbers(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) bytes = Idx.Gunzip(bytes, path);
        return ParseNumbers(bytes, path);
    }

    /// <summary>Parses a table already in memory; <paramref name="source"/> names it in errors.</summary>
    public static NumberTable ParseNumbers(byte[] bytes, string source)
    {
        string text;
        try { text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes); }
        catch (DecoderFallbackException e) { throw new DataFormatException(source, Math.Max(0, e.Index), "the file is not UTF-8 text"); }
        var values = new List<float>();
        int columns = -1, rows = 0, line = 0, lineStart = 0;
        while (lineStart < text.Length)
        {
            int lineEnd = text.IndexOf('\n', lineStart);
            if (lineEnd < 0) lineEnd = text.Length;
            line++;
            var content = text.AsSpan(lineStart, lineEnd - lineStart).TrimEnd('\r');
            if (!content.IsWhiteSpace())
            {
                int count = 0, position = 0;
                bool commas = content.Contains(',');
                while (position <= content.Length)
                {
                    if (!commas) while (position < content.Length && char.IsWhiteSpace(content[position])) position++;
                    if (!commas && position == content.Length) break;
                    int end = commas ? content[position..].IndexOf(',') : content[position..].IndexOfAny(' ', '\t');
                    end = end < 0 ? content.Length : position + end;
                    var field = content[position..end].Trim();
                    long offset = Encoding.UTF8.GetByteCount(text.AsSpan(0, lineStart + position));
                    if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                        throw new DataFormatException(source, offset, $"line {line}, column {count + 1}: '{field.ToString()}' is not a finite number");
                    values.Add(value);
                    count++;
                    position = end + 1;
                }
                if (columns < 0) columns = count;
                else if (count != columns)
                    throw new DataFormatException(source, Encoding.UTF8.GetByteCount(text.AsSpan(0, lineStart)), $"line {line} has {count} values; the lines before have {columns}");
                rows++;
            }
            lineStart = lineEnd + 1;
        }
        if (rows == 0) throw new DataFormatException(source, 0, "the file holds no rows");
        return new NumberTable(values.ToArray(), rows, columns);
    }
}
