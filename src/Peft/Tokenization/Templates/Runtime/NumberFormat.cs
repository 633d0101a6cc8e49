using System.Globalization;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python's float presentation types e, f, g (and upper-case forms) for a non-negative value.</summary>
internal static class NumberFormat
{
    public static string Float(double value, char type, int precision, bool alternate)
    {
        if (double.IsNaN(value))
        {
            return char.IsUpper(type) ? "NAN" : "nan";
        }

        if (double.IsInfinity(value))
        {
            return char.IsUpper(type) ? "INF" : "inf";
        }

        switch (char.ToLowerInvariant(type))
        {
            case 'f':
                var fixedText = value.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                return alternate && precision == 0 ? fixedText + "." : fixedText;
            case 'e':
                return Scientific(value, precision, type == 'E', alternate);
            default:
                var p = precision == 0 ? 1 : precision;
                var exponent = value == 0 ? 0 : ExponentAfterRounding(value, p);
                string text;
                if (exponent >= -4 && exponent < p)
                {
                    text = value.ToString("F" + (p - 1 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    if (!alternate && text.Contains('.', StringComparison.Ordinal))
                    {
                        text = text.TrimEnd('0').TrimEnd('.');
                    }
                }
                else
                {
                    text = Scientific(value, p - 1, type == 'G', alternate);
                    if (!alternate)
                    {
                        var e = text.IndexOfAny(['e', 'E']);
                        var mantissa = text[..e];
                        if (mantissa.Contains('.', StringComparison.Ordinal))
                        {
                            mantissa = mantissa.TrimEnd('0').TrimEnd('.');
                        }

                        text = mantissa + text[e..];
                    }
                }

                return type == 'G' ? text.ToUpperInvariant() : text;
        }
    }

    /// <summary>Python's <c>'%.{precision}e'</c>: mantissa digits and a signed exponent of at least two digits.</summary>
    public static string Scientific(double value, int precision, bool upper, bool alternate)
    {
        var s = value.ToString((upper ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var e = s.IndexOfAny(['e', 'E']);
        var mantissa = s[..e];
        if (alternate && precision == 0)
        {
            mantissa += ".";
        }

        var exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return mantissa + s[e] + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    private static int ExponentAfterRounding(double value, int significant)
    {
        var s = value.ToString("E" + (significant - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return int.Parse(s[(s.IndexOf('E', StringComparison.Ordinal) + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
