using System.Globalization;
using System.Text;

namespace Peft.Tokenization.Templates.Runtime;

/// <summary>
/// Python's <c>datetime.strftime</c> for a naive local time as it behaves on Linux (glibc, C locale): English
/// names, <c>%z</c>/<c>%Z</c> empty, glibc's <c>-</c>, <c>_</c>, <c>0</c> and <c>^</c> flags, unknown directives kept.
/// </summary>
internal static class Strftime
{
    private static readonly string[] Days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] Months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    public static string Format(DateTime t, string format)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                sb.Append(c);
                continue;
            }

            var start = i;
            var flag = '\0';
            if (format[i + 1] is '-' or '_' or '0' or '^' or '#' && i + 2 < format.Length)
            {
                flag = format[++i];
            }

            var d = format[++i];
            var text = Directive(t, d, flag);
            if (text is null)
            {
                sb.Append(format, start, i - start + 1);
            }
            else
            {
                sb.Append(flag == '^' ? text.ToUpperInvariant() : flag == '#' ? SwapCase(text) : text);
            }
        }

        return sb.ToString();
    }

    private static string? Directive(DateTime t, char d, char flag)
    {
        string Num(long value, int width, char pad = '0')
        {
            var s = value.ToString(CultureInfo.InvariantCulture);
            var padding = flag switch { '-' => '\0', '_' => ' ', '0' => '0', _ => pad };
            return padding == '\0' || s.Length >= width ? s : new string(padding, width - s.Length) + s;
        }

        var wday = (int)t.DayOfWeek;
        var yday = t.DayOfYear - 1;
        var hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
        return d switch
        {
            'a' => Days[wday][..3],
            'A' => Days[wday],
            'b' or 'h' => Months[t.Month - 1][..3],
            'B' => Months[t.Month - 1],
            'c' => $"{Days[wday][..3]} {Months[t.Month - 1][..3]} {t.Day,2} {t:HH:mm:ss} {t.Year}",
            'C' => Num(t.Year / 100, 2),
            'd' => Num(t.Day, 2),
            'D' => t.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
            'e' => Num(t.Day, 2, ' '),
            'f' => Num((t.Ticks % TimeSpan.TicksPerSecond) / 10, 6),
            'F' => $"{t.Year:D4}-{t.Month:D2}-{t.Day:D2}",
            'g' => Num(ISOWeek.GetYear(t) % 100, 2),
            'G' => Num(ISOWeek.GetYear(t), 4),
            'H' => Num(t.Hour, 2),
            'I' => Num(hour12, 2),
            'j' => Num(t.DayOfYear, 3),
            'k' => Num(t.Hour, 2, ' '),
            'l' => Num(hour12, 2, ' '),
            'm' => Num(t.Month, 2),
            'M' => Num(t.Minute, 2),
            'n' => "\n",
            'p' => t.Hour < 12 ? "AM" : "PM",
            'P' => t.Hour < 12 ? "am" : "pm",
            'r' => $"{hour12:D2}:{t.Minute:D2}:{t.Second:D2} {(t.Hour < 12 ? "AM" : "PM")}",
            'R' => $"{t.Hour:D2}:{t.Minute:D2}",
            's' => ((long)(t - DateTime.UnixEpoch).TotalSeconds).ToString(CultureInfo.InvariantCulture),
            'S' => Num(t.Second, 2),
            't' => "\t",
            'T' or 'X' => $"{t.Hour:D2}:{t.Minute:D2}:{t.Second:D2}",
            'u' => (wday == 0 ? 7 : wday).ToString(CultureInfo.InvariantCulture),
            'U' => Num((yday + 7 - wday) / 7, 2),
            'V' => Num(ISOWeek.GetWeekOfYear(t), 2),
            'w' => wday.ToString(CultureInfo.InvariantCulture),
            'W' => Num((yday + 7 - ((wday + 6) % 7)) / 7, 2),
            'x' => t.ToString("MM/dd/yy", CultureInfo.InvariantCulture),
            'y' => Num(t.Year % 100, 2),
            'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
            'z' or 'Z' => "",
            '%' => "%",
            _ => null,
        };
    }

    private static string SwapCase(string s) =>
        string.Concat(s.Select(ch => char.IsUpper(ch) ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch)));
}
