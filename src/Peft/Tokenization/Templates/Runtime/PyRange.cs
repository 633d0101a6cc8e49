namespace Peft.Tokenization.Templates.Runtime;

/// <summary>Python's <c>range</c> object; the sandbox refuses ranges longer than 100000 items.</summary>
internal sealed class PyRange
{
    public const long MaxRange = 100_000;

    public PyRange(long start, long stop, long step)
    {
        if (step == 0)
        {
            throw JinjaException.Value("range() arg 3 must not be zero");
        }

        Start = start;
        Stop = stop;
        Step = step;
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        Length = Math.Max(0, count);
        if (Length > MaxRange)
        {
            throw new JinjaException("OverflowError", $"Range too big. The sandbox blocks ranges larger than MAX_RANGE ({MaxRange}).");
        }
    }

    public long Start { get; }

    public long Stop { get; }

    public long Step { get; }

    public long Length { get; }

    public List<object?> ToList()
    {
        var list = new List<object?>((int)Length);
        for (var i = 0L; i < Length; i++)
        {
            list.Add(Start + (i * Step));
        }

        return list;
    }

    public override string ToString() => Step == 1 ? $"range({Start}, {Stop})" : $"range({Start}, {Stop}, {Step})";
}
