using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Models;
using Peft.Quantization;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

public sealed class QuantizationConfigTests
{
    [Fact]
    public void JsonRoundTripsAndUsesTransformersFieldNames()
    {
        var config = QuantizationConfig.Nf4(doubleQuant: true, computeDtype: ScalarType.BFloat16) with { LlmInt8SkipModules = new[] { "lm_head", "mlp" } };
        var json = config.ToJson();

        json.Select(kv => kv.Key).Should().BeInAscendingOrder(StringComparer.Ordinal);
        json["quant_method"]!.GetValue<string>().Should().Be("bitsandbytes");
        json["load_in_4bit"]!.GetValue<bool>().Should().BeTrue();
        json["_load_in_4bit"]!.GetValue<bool>().Should().BeTrue();
        json["bnb_4bit_quant_type"]!.GetValue<string>().Should().Be("nf4");
        json["bnb_4bit_compute_dtype"]!.GetValue<string>().Should().Be("bfloat16");
        json["bnb_4bit_quant_storage"]!.GetValue<string>().Should().Be("uint8");
        json["llm_int8_threshold"]!.GetValue<double>().Should().Be(6.0);
        json.ContainsKey("bnb_4bit_blocksize").Should().BeFalse("64 is bitsandbytes' fixed default");

        var back = QuantizationConfig.FromJson(json);
        back.Should().BeEquivalentTo(config);
        QuantizationConfig.FromJson((config with { Bnb4BitBlockSize = 256 }).ToJson()).Bnb4BitBlockSize.Should().Be(256);
    }

    [Fact]
    public void ReadsATransformersConfig()
    {
        var json = JsonNode.Parse("""
            {"_load_in_4bit": true, "_load_in_8bit": false, "bnb_4bit_compute_dtype": "float16", "bnb_4bit_quant_storage": "uint8",
             "bnb_4bit_quant_type": "fp4", "bnb_4bit_use_double_quant": false, "llm_int8_enable_fp32_cpu_offload": false,
             "llm_int8_has_fp16_weight": false, "llm_int8_skip_modules": null, "llm_int8_threshold": 6.0,
             "load_in_4bit": true, "load_in_8bit": false, "quant_method": "bitsandbytes"}
            """)!.AsObject();
        var config = QuantizationConfig.FromJson(json);

        config.LoadIn4Bit.Should().BeTrue();
        config.Bnb4BitQuantType.Should().Be(QuantType.Fp4);
        config.Bnb4BitComputeDtype.Should().Be(ScalarType.Float16);
        config.SkipModules.Should().Equal("lm_head");
    }

    [Theory]
    [InlineData("{\"quant_method\": \"gptq\", \"load_in_4bit\": true}", "quantization_config.quant_method", "*bitsandbytes*gptq*")]
    [InlineData("{\"load_in_4bit\": true, \"bnb_4bit_quant_type\": \"int3\"}", "quantization_config.bnb_4bit_quant_type", "*int3*")]
    [InlineData("{\"load_in_4bit\": \"yes\"}", "quantization_config.load_in_4bit", "*true or false*")]
    [InlineData("{\"load_in_4bit\": true, \"bnb_4bit_compute_dtype\": \"int8\"}", "quantization_config.bnb_4bit_compute_dtype", "*int8*")]
    [InlineData("{\"load_in_4bit\": true, \"load_in_8bit\": true}", "quantization_config", "*exactly one of load_in_4bit and load_in_8bit*")]
    [InlineData("{\"load_in_8bit\": true, \"llm_int8_skip_modules\": \"lm_head\"}", "quantization_config.llm_int8_skip_modules", "*list*")]
    [InlineData("{\"load_in_4bit\": true, \"bnb_4bit_quant_storage\": \"bfloat16\"}", "quantization_config.bnb_4bit_quant_storage", "*uint8*")]
    public void BadFieldsAreNamed(string text, string field, string message)
    {
        var act = () => QuantizationConfig.FromJson(JsonNode.Parse(text)!.AsObject(), "config.json");
        act.Should().Throw<ModelConfigException>().Where(e => e.Field == field).WithMessage(message);
    }

    [Fact]
    public void ValidateRejectsBadSettings()
    {
        ((Action)(() => new QuantizationConfig().Validate())).Should().Throw<ArgumentException>().WithMessage("*exactly one*");
        ((Action)(() => (QuantizationConfig.Nf4() with { Bnb4BitBlockSize = 100 }).Validate())).Should().Throw<ArgumentException>().WithMessage("*found 100*");
        ((Action)(() => (QuantizationConfig.Int8() with { LlmInt8Threshold = -1 }).Validate())).Should().Throw<ArgumentException>().WithMessage("*≥ 0*");
        ((Action)(() => (QuantizationConfig.Nf4() with { Bnb4BitComputeDtype = ScalarType.Int32 }).Validate())).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("lm_head", "lm_head", false)]
    [InlineData("model.layers.0.self_attn.q_proj", "q_proj", false)]
    [InlineData("model.layers.0.self_attn.q_proj", "self_attn", false)]
    [InlineData("model.layers.0.self_attn.q_proj", "model.layers.0", false)]
    [InlineData("model.layers.10.self_attn.q_proj", "model.layers.1", true)]
    [InlineData("model.layers.0.self_attn.q_proj", "proj", true)]
    [InlineData("model.layers.0.mlp.up_proj", "q_proj", true)]
    public void SkipEntriesMatchRunsOfWholePathComponents(string path, string skip, bool quantized)
    {
        var config = QuantizationConfig.Nf4() with { LlmInt8SkipModules = new[] { skip } };
        config.ShouldQuantize(path).Should().Be(quantized);
    }
}
