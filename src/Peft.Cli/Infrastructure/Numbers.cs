using System.Globalization;

namespace Peft.Cli.Infrastructure;

/// <summary>Number formatting for tables and progress lines (invariant culture).</summary>
internal static class Numbers
{
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Fixed(double x, int decimals = 4) =>
        double.IsFinite(x) ? x.ToString("F" + decimals, CultureInfo.InvariantCulture) : x.ToString(CultureInfo.InvariantCulture);

    public static string Rate(double x) => x.ToString("0.0e+00", CultureInfo.InvariantCulture);

    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.00", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"mm\:ss", CultureInfo.InvariantCulture);
}
