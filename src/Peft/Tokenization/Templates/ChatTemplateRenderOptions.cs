namespace Peft.Tokenization.Templates;

/// <summary>Settings for one render of a chat template.</summary>
public sealed record ChatTemplateRenderOptions
{
    /// <summary>The defaults: the system clock.</summary>
    public static ChatTemplateRenderOptions Default { get; } = new();

    /// <summary>
    /// The clock behind <c>strftime_now(format)</c>, which transformers implements as
    /// <c>datetime.now().strftime(format)</c>: the template sees <see cref="TimeProvider.GetLocalNow"/> as a naive
    /// local time. Inject a fixed clock to make renders reproducible.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Options whose clock always reads <paramref name="localNow"/> (as the template's local time).</summary>
    /// <param name="localNow">The local date and time <c>strftime_now</c> should format.</param>
    /// <returns>The options.</returns>
    public static ChatTemplateRenderOptions WithFixedClock(DateTime localNow) => new() { Clock = new FixedClock(localNow) };

    private sealed class FixedClock(DateTime localNow) : TimeProvider
    {
        private readonly DateTimeOffset _now = new(DateTime.SpecifyKind(localNow, DateTimeKind.Unspecified), TimeSpan.Zero);

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
