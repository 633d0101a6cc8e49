using FluentAssertions;
using Peft.Models;
using Peft.Quantization;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary><see cref="ModelMemoryReport.Estimate"/> (from the config alone) equals what <see cref="ModelMemoryReport.Create"/> measures on the built model.</summary>
public sealed class ModelMemoryEstimateTests
{
    public static TheoryData<string, bool, int> Settings => new()
    {
        { "dense", false, 0 },
        { "nf4", false, 64 },
        { "nf4", true, 64 },
        { "fp4", false, 128 },
        { "nf4", true, 32 },
        { "int8", false, 0 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void EstimateEqualsTheMeasuredModel(string kind, bool doubleQuant, int blockSize)
    {
        // Odd sizes (hidden 40, 5 heads) make partial blocks; biases on q/k/v and the MLP; an untied head.
        var config = TinyModels.Config(hidden: 40, heads: 5, kvHeads: 5, vocab: 70, attentionBias: true) with { MlpBias = true };
        QuantizationConfig? quantization = kind switch
        {
            "nf4" => QuantizationConfig.Nf4(doubleQuant) with { Bnb4BitBlockSize = blockSize },
            "fp4" => QuantizationConfig.Fp4(doubleQuant) with { Bnb4BitBlockSize = blockSize },
            "int8" => QuantizationConfig.Int8(threshold: 0), // no outlier columns: the estimate leaves them out
            _ => null,
        };
        using var model = TinyModels.Create(config);
        if (quantization is not null)
        {
            QuantizedModel.Quantize(model, quantization);
        }

        ModelMemoryReport.Estimate(config, ScalarType.Float32, quantization).Should().Be(ModelMemoryReport.Create(model).TotalBytes);
    }

    [Fact]
    public void EstimateFollowsTheStorageDtypeAndTheSkipList()
    {
        var config = TinyModels.Config(tied: true);
        using var bf16 = CausalLM.Create(config, new ModelLoadOptions { Device = DeviceOption.Cpu, StorageType = ScalarType.BFloat16 });
        var skip = QuantizationConfig.Nf4() with { LlmInt8SkipModules = ["lm_head", "down_proj"] };
        using var skipped = TinyModels.Create(config);
        QuantizedModel.Quantize(skipped, skip);

        ModelMemoryReport.Estimate(config, ScalarType.BFloat16).Should().Be(ModelMemoryReport.Create(bf16).TotalBytes).And.Be(config.ParameterCount() * 2);
        ModelMemoryReport.Estimate(config, ScalarType.Float32, skip).Should().Be(ModelMemoryReport.Create(skipped).TotalBytes);
    }

    [Fact]
    public void InvalidQuantizationIsRejected()
    {
        var act = () => ModelMemoryReport.Estimate(TinyModels.Config(), ScalarType.Float32, new QuantizationConfig());

        act.Should().Throw<ArgumentException>().WithMessage("Set exactly one of load_in_4bit and load_in_8bit*");
    }
}
