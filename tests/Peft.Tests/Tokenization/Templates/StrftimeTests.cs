using FluentAssertions;
using Peft.Tokenization.Templates;
using Xunit;

namespace Peft.Tests.Tokenization.Templates;

/// <summary>strftime_now formats the injected clock like Python's datetime.strftime on Linux (C locale).</summary>
public sealed class StrftimeTests
{
    private static readonly ChatTemplateRenderOptions Clock = ChatTemplateRenderOptions.WithFixedClock(new DateTime(2025, 3, 7, 9, 5, 3));

    [Theory]
    [InlineData("%d %b %Y", "07 Mar 2025")]
    [InlineData("%B %d, %Y", "March 07, 2025")]
    [InlineData("%Y-%m-%d", "2025-03-07")]
    [InlineData("%A %a %j %H:%M:%S %I %p %y", "Friday Fri 066 09:05:03 09 AM 25")]
    [InlineData("%e|%-d|%-m/%-d|%k|%l", " 7|7|3/7| 9| 9")]
    [InlineData("%U %W %w %u %G-W%V", "09 09 5 5 2025-W10")]
    [InlineData("%c", "Fri Mar  7 09:05:03 2025")]
    [InlineData("%x %X %D %F %T %R", "03/07/25 09:05:03 03/07/25 2025-03-07 09:05:03 09:05")]
    [InlineData("%% %z|%Z|%f %h %C", "% ||000000 Mar 20")]
    [InlineData("%^a %Q", "FRI %Q")]
    public void FormatsLikePython(string format, string expected)
    {
        var template = ChatTemplate.Parse("{{ strftime_now(fmt) }}");

        template.Render(new Dictionary<string, object?> { ["fmt"] = format }, Clock).Should().Be(expected);
    }

    [Fact]
    public void IsoWeekAtTheYearBoundary()
    {
        var options = ChatTemplateRenderOptions.WithFixedClock(new DateTime(2024, 12, 30, 15, 0, 0));

        ChatTemplate.Parse("{{ strftime_now('%G %V %g %I %p %U %W') }}").Render(new Dictionary<string, object?>(), options)
            .Should().Be("2025 01 25 03 PM 52 53");
    }

    [Fact]
    public void DefaultClockIsTheSystemClock()
    {
        var before = DateTime.Now;
        var year = ChatTemplate.Parse("{{ strftime_now('%Y') }}").Render(new Dictionary<string, object?>());

        int.Parse(year, System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(before.Year, before.Year + 1);
    }
}
