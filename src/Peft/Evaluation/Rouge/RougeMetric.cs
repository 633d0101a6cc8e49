using System.Globalization;

namespace Peft.Evaluation.Rouge;

/// <summary>The kind of a ROUGE metric.</summary>
internal enum RougeMetricKind
{
    NGram,
    Lcs,
    SummaryLcs,
}

/// <summary>One parsed metric name: <c>rougeN</c>, <c>rougeL</c> or <c>rougeLsum</c>.</summary>
internal readonly record struct RougeMetric(string Name, RougeMetricKind Kind, int N)
{
    /// <summary>Parses a metric name the way rouge_score does (case-sensitive), accepting any positive N.</summary>
    /// <exception cref="ArgumentException">The name is not a ROUGE metric.</exception>
    public static RougeMetric Parse(string name, string paramName)
    {
        if (name == "rougeL")
        {
            return new RougeMetric(name, RougeMetricKind.Lcs, 0);
        }

        if (name == "rougeLsum")
        {
            return new RougeMetric(name, RougeMetricKind.SummaryLcs, 0);
        }

        var digits = name.StartsWith("rouge", StringComparison.Ordinal) ? name.AsSpan(5) : [];
        if (digits.Length > 0 && digits.Length <= 4 && IsAsciiDigits(digits)
            && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            if (n <= 0)
            {
                throw new ArgumentException($"ROUGE-N needs a positive N, found '{name}'.", paramName);
            }

            return new RougeMetric(name, RougeMetricKind.NGram, n);
        }

        throw new ArgumentException(
            $"Unknown ROUGE metric '{name}': expected 'rougeN' with N a positive integer (e.g. 'rouge1', 'rouge2'), " +
            "'rougeL' or 'rougeLsum' (names are case-sensitive).",
            paramName);
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
