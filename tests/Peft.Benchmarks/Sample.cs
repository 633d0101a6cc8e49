namespace Peft.Benchmarks;

/// <summary>Timed repetitions of one measurement: the median, the extremes and every value.</summary>
/// <param name="Unit">Unit of the values (e.g. <c>tokens/s</c>, <c>ms</c>, <c>GB/s</c>).</param>
/// <param name="Median">Median of the repetitions.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Values">Every repetition, in order.</param>
internal sealed record Sample(string Unit, double Median, double Min, double Max, IReadOnlyList<double> Values)
{
    /// <summary>Summarises repetitions.</summary>
    /// <exception cref="ArgumentException">No values.</exception>
    public static Sample Of(string unit, IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException($"No repetitions to summarise ({unit}).", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new Sample(unit, median, sorted[0], sorted[^1], values.ToArray());
    }

    /// <summary>The same repetitions transformed value by value (e.g. seconds to tokens/s); min and max follow the transform.</summary>
    public Sample Map(string unit, Func<double, double> f) => Of(unit, Values.Select(f).ToArray());
}
