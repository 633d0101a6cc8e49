namespace Peft.Runtime;

/// <summary>
/// Which device to compute on: <see cref="Auto"/>, <see cref="Cpu"/> or <see cref="Cuda(int)"/>. The
/// <c>PEFT_DEVICE</c> environment variable (<c>auto</c>, <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) overrides the
/// option given in code; see <see cref="DeviceSelector"/>.
/// </summary>
/// <param name="Kind">The kind of device.</param>
/// <param name="Index">The CUDA device index (0 for the first GPU); ignored for other kinds.</param>
public sealed record DeviceOption(DeviceKind Kind, int Index = 0)
{
    /// <summary>CUDA when available, else CPU.</summary>
    public static DeviceOption Auto { get; } = new(DeviceKind.Auto);

    /// <summary>The CPU.</summary>
    public static DeviceOption Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>The CUDA device with the given index.</summary>
    /// <param name="index">Zero-based GPU index.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static DeviceOption Cuda(int index = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new DeviceOption(DeviceKind.Cuda, index);
    }

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case-insensitive, surrounding spaces ignored).</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The option.</returns>
    /// <exception cref="FormatException">The text is none of the accepted forms; the message quotes it.</exception>
    public static DeviceOption Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        switch (t)
        {
            case "auto":
                return Auto;
            case "cpu":
                return Cpu;
            case "cuda":
            case "gpu":
                return Cuda(0);
        }

        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return Cuda(index);
        }

        throw new FormatException($"Expected a device of the form 'auto', 'cpu', 'cuda' or 'cuda:N'; found '{text}'.");
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        DeviceKind.Auto => "auto",
        DeviceKind.Cpu => "cpu",
        _ => $"cuda:{Index}",
    };
}
