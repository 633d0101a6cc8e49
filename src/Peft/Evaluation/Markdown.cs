using System.Globalization;
using System.Text;

namespace Peft.Evaluation;

/// <summary>GitHub-flavoured Markdown pieces for the reports: escaped cells, tables, invariant-culture numbers.</summary>
internal static class Markdown
{
    /// <summary>Text for a table cell: HTML-escaped, pipes escaped, line breaks as &lt;br&gt;, cut to <paramref name="maxLength"/> characters.</summary>
    public static string Cell(string? text, int maxLength = 0)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var cut = maxLength > 0 && text.Length > maxLength ? text[..maxLength].TrimEnd() + "…" : text;
        var sb = new StringBuilder(cut.Length + 16);
        foreach (var c in cut.Replace("\r\n", "\n"))
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '|' => "\\|",
                '\n' => "<br>",
                '\r' => "",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }

    /// <summary>A table; <paramref name="rightAligned"/> marks numeric columns.</summary>
    public static void Table(StringBuilder sb, IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned, IEnumerable<IReadOnlyList<string>> rows)
    {
        sb.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        sb.Append('|').Append(string.Join("|", rightAligned.Select(r => r ? " ---: " : " --- "))).Append("|\n");
        foreach (var row in rows)
        {
            sb.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
        }
    }

    /// <summary>A number with fixed decimals, or "—" for NaN / missing.</summary>
    public static string Number(double? value, int decimals = 2)
    {
        if (value is not { } v || double.IsNaN(v))
        {
            return "—";
        }

        return double.IsInfinity(v) ? (v > 0 ? "∞" : "−∞") : v.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>A signed number (<c>+1.25</c>, <c>-0.50</c>), or "—".</summary>
    public static string Signed(double? value, int decimals = 2, string suffix = "")
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return "—";
        }

        var rounded = Math.Round(v, decimals);
        var sign = rounded > 0 ? "+" : rounded < 0 ? "" : "±";
        return sign + (rounded == 0 ? 0.0 : rounded).ToString("F" + decimals, CultureInfo.InvariantCulture) + suffix;
    }

    /// <summary>An integer with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
