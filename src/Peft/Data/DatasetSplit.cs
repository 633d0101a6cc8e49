namespace Peft.Data;

/// <summary>Deterministic train/evaluation splits.</summary>
public static class DatasetSplit
{
    /// <summary>
    /// Shuffles with <paramref name="seed"/> and puts <c>round(count·evalRatio)</c> items (at least one when the
    /// ratio is positive and there are at least two items) into the evaluation part.
    /// </summary>
    /// <param name="items">The items.</param>
    /// <param name="evalRatio">Fraction for evaluation, in [0, 1).</param>
    /// <param name="seed">Shuffle seed.</param>
    /// <exception cref="ArgumentOutOfRangeException">The ratio is outside [0, 1).</exception>
    public static (IReadOnlyList<T> Train, IReadOnlyList<T> Eval) Split<T>(IReadOnlyList<T> items, double evalRatio, int seed)
    {
        if (evalRatio is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(evalRatio), evalRatio, "The evaluation ratio must be in [0, 1).");
        }

        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        var evalCount = evalRatio == 0 ? 0 : Math.Clamp((int)Math.Round(items.Count * evalRatio), items.Count >= 2 ? 1 : 0, items.Count - 1);
        var eval = order.Take(evalCount).Order().Select(i => items[i]).ToList();
        var train = order.Skip(evalCount).Order().Select(i => items[i]).ToList();
        return (train, eval);
    }
}
