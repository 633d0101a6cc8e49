namespace Peft.Data;

/// <summary>A malformed record in a dataset file: the message names the file, the line and what is wrong.</summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The dataset file.</param>
    /// <param name="line">1-based line where the record starts.</param>
    /// <param name="problem">What is wrong: expected versus found.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public DataFormatException(string file, int line, string problem, Exception? inner = null)
        : base($"{file}:{line}: {problem}", inner)
    {
        FilePath = file;
        Line = line;
        Problem = problem;
    }

    /// <summary>The dataset file.</summary>
    public string FilePath { get; }

    /// <summary>1-based line where the record starts.</summary>
    public int Line { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
