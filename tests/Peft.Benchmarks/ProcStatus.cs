using System.Globalization;

namespace Peft.Benchmarks;

/// <summary>Reads Linux's /proc for memory and load figures (null elsewhere).</summary>
internal static class ProcStatus
{
    /// <summary>Peak resident set size of this process (VmHWM) in bytes.</summary>
    public static long? PeakResidentBytes() => StatusKilobytes("VmHWM:") * 1024;

    /// <summary>Current resident set size of this process (VmRSS) in bytes.</summary>
    public static long? ResidentBytes() => StatusKilobytes("VmRSS:") * 1024;

    /// <summary>The 1-, 5- and 15-minute load averages.</summary>
    public static double[]? LoadAverages()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static long? StatusKilobytes(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var number = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(number, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }

        return null;
    }
}
