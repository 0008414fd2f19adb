namespace GraphGen.Data;

/// <summary>A data file that is not what its reader expects. The message names the file, the byte offset and the problem.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string file, long offset, string problem)
        : base($"{file}: at byte {offset}: {problem}")
    {
        File = file;
        Offset = offset;
        Problem = problem;
    }

    public string File { get; }
    public long Offset { get; }
    public string Problem { get; }
}
