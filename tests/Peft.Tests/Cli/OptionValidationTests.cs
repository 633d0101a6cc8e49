using FluentAssertions;
using Peft.Adapters;
using Peft.Evaluation;
using Peft.Generation;
using Xunit;

namespace Peft.Tests.Cli;

/// <summary>The public Validate() methods the CLI calls to reject bad values (exit code 2) before loading a model.</summary>
public sealed class OptionValidationTests
{
    [Theory]
    [InlineData(-1, 1.0, 0, 1.0, 1.0, "MaxNewTokens must be at least 0; found -1.")]
    [InlineData(8, -0.5, 0, 1.0, 1.0, "Temperature must be non-negative; found -0.5.")]
    [InlineData(8, 1.0, -2, 1.0, 1.0, "TopK must be at least 0; found -2.")]
    [InlineData(8, 1.0, 0, 0.0, 1.0, "TopP must be in (0, 1]; found 0.")]
    [InlineData(8, 1.0, 0, 1.0, 0.0, "RepetitionPenalty must be positive; found 0.")]
    public void GenerationOptionsNameTheBadSetting(int maxNew, double temperature, int topK, double topP, double penalty, string message)
    {
        var options = new GenerationOptions { MaxNewTokens = maxNew, Temperature = temperature, TopK = topK, TopP = topP, RepetitionPenalty = penalty };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage(message);
        new GenerationOptions().Validate();
    }

    [Fact]
    public void EvaluationOptionsCheckTheirParts()
    {
        new EvaluationOptions { BatchSize = 0 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("*BatchSize must be at least 1; found 0.");
        new EvaluationOptions { Generation = new GenerationOptions { TopP = 2 } }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("TopP*");
        new EvaluationOptions { Perplexity = new PerplexityOptions { BatchSize = 0 } }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>();
        new EvaluationOptions().Validate();
    }

    [Fact]
    public void LoraConfigValidatesAsCreateWould()
    {
        new LoraConfig { R = 0 }.Invoking(c => c.Validate()).Should().Throw<LoraConfigException>().WithMessage("*'r'*");
        new LoraConfig { LoraDropout = 1 }.Invoking(c => c.Validate()).Should().Throw<LoraConfigException>().WithMessage("*lora_dropout*");
        new LoraConfig { InitLoraWeights = "pissa" }.Invoking(c => c.Validate()).Should().Throw<LoraConfigException>();
        new LoraConfig { TargetModulesRegex = LoraConfig.AllLinear }.Validate();
    }
}
