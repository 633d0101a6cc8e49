using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Models;
using Peft.Models.Layers;
using Peft.Quantization;
using Peft.Tests.Support;
using Xunit;
using static Peft.Tests.Quantization.QuantizedModels;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>Quantize-on-load, save/load of quantized models, dense export.</summary>
public sealed class QuantizedModelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Tensor Ids() => randint(3, 256, new long[] { 2, 33 }, generator: new Generator(1));

    // Measured relative logit errors ‖q − fp32‖/‖fp32‖ (see docs/quantization.md): the fixture's weights are drawn
    // large, so errors compound more than in trained models.
    [Theory]
    [InlineData("nf4-dq", 0.40f)] // measured 0.339
    [InlineData("nf4", 0.40f)]    // 0.339
    [InlineData("fp4", 0.50f)]    // 0.432
    [InlineData("int8", 0.04f)]   // 0.025
    public void QuantizeOnLoadOfTheFixtureStaysCloseToFp32(string kind, float tolerance)
    {
        using var dense = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        using var quantized = QuantizedModel.FromPretrained(TestData.HfParity("model"), Config(kind), Cpu);
        using var ids = Ids();
        using var expected = dense.Forward(ids);
        using var actual = quantized.Forward(ids);

        quantized.named_modules().Count(m => m.module is QuantizedLinear).Should().Be(14, "7 projections × 2 layers; lm_head stays dense");
        quantized.LmHead.Should().BeOfType<Linear>();
        TensorAssert.RelativeError(actual.Logits, expected.Logits).Should().BeLessThan(tolerance).And.BeGreaterThan(0f);
    }

    [Theory]
    [InlineData("nf4-dq", 0.25f)] // measured 0.180
    [InlineData("fp4", 0.30f)]    // 0.208
    [InlineData("int8", 0.02f)]   // 0.012
    public void QuantizeOnLoadOfATinyModelSavedWithSavePretrainedStaysCloseToFp32(string kind, float tolerance)
    {
        using (var model = CausalLM.Create(Realistic(), Cpu, seed: 3))
        {
            model.SavePretrained(_dir.Path);
        }

        using var dense = CausalLM.FromPretrained(_dir.Path, Cpu);
        using var quantized = QuantizedModel.FromPretrained(_dir.Path, Config(kind), Cpu with { LowMemory = true });
        using var ids = Ids();
        using var expected = dense.Forward(ids);
        using var actual = quantized.Forward(ids);

        TensorAssert.RelativeError(actual.Logits, expected.Logits).Should().BeLessThan(tolerance).And.BeGreaterThan(0f);
    }

    [Theory]
    [InlineData("nf4-dq")]
    [InlineData("int8-outliers")]
    public void QuantizeOnLoadEqualsQuantizingTheLoadedModel(string kind)
    {
        using var streamed = QuantizedModel.FromPretrained(TestData.HfParity("model"), Config(kind), Cpu);
        using var inMemory = QuantizedModel.Quantize(CausalLM.FromPretrained(TestData.HfParity("model"), Cpu), Config(kind));

        var a = QuantizedState(streamed);
        var b = QuantizedState(inMemory);
        a.Keys.Should().BeEquivalentTo(b.Keys);
        a.Should().NotBeEmpty();
        foreach (var (key, value) in a)
        {
            TensorAssert.Same(value, b[key]).Should().BeTrue(key);
        }

        using var ids = Ids();
        using var x = streamed.Forward(ids);
        using var y = inMemory.Forward(ids);
        TensorAssert.Same(x.Logits, y.Logits).Should().BeTrue();
    }

    [Theory]
    [InlineData("nf4-dq", "llama")]
    [InlineData("nf4", "qwen2")]
    [InlineData("fp4-dq-128", "qwen2")]
    [InlineData("int8-outliers", "qwen2")]
    [InlineData("int8", "llama")]
    public void SaveThenLoadIsBitExact(string kind, string modelType)
    {
        using var model = CausalLM.Create(Realistic(modelType), Cpu with { LinearFactory = Config(kind).CreateLinearFactory() }, seed: 4);
        QuantizedModel.SavePretrained(model, _dir.Path);
        using var loaded = QuantizedModel.FromPretrained(_dir.Path, options: Cpu);

        var saved = QuantizedState(model);
        var restored = QuantizedState(loaded);
        restored.Keys.Should().BeEquivalentTo(saved.Keys);
        if (kind == "int8-outliers")
        {
            saved.Keys.Should().Contain(k => k.EndsWith(".cols", StringComparison.Ordinal));
        }

        if (modelType == "qwen2")
        {
            saved.Keys.Should().Contain("model.layers.0.self_attn.q_proj.bias");
        }

        foreach (var (key, value) in saved)
        {
            TensorAssert.Same(restored[key], value).Should().BeTrue(key);
        }

        using var ids = Ids();
        using var x = model.Forward(ids);
        using var y = loaded.Forward(ids);
        TensorAssert.Same(x.Logits, y.Logits).Should().BeTrue();
        QuantizedModel.GetConfig(loaded)!.ToJson().ToJsonString().Should().Be(QuantizedModel.GetConfig(model)!.ToJson().ToJsonString());
    }

    [Fact]
    public void SavedStateUsesBitsandbytesKeysAndJson()
    {
        using var model = CausalLM.Create(Realistic(), Cpu with { LinearFactory = Config("nf4-dq").CreateLinearFactory() }, seed: 5);
        QuantizedModel.SavePretrained(model, _dir.Path);

        using var file = Peft.Checkpoints.SafetensorsFile.Open(_dir.File("model.safetensors"));
        const string p = "model.layers.0.mlp.down_proj."; // [128, 256]: 32768 elements, 512 blocks of 64, 2 nested blocks
        var layer = file.Names.Where(n => n.StartsWith(p, StringComparison.Ordinal)).OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => $"{n[p.Length..]} {file.GetInfo(n).DType} {file.GetInfo(n).ShapeText}").ToList();
        layer.Should().Equal(
            "weight U8 [16384, 1]",
            "weight.absmax U8 [512]",
            "weight.nested_absmax F32 [2]",
            "weight.nested_quant_map F32 [256]",
            "weight.quant_map F32 [16]",
            $"weight.quant_state.bitsandbytes__nf4 U8 [{file.GetInfo(p + "weight.quant_state.bitsandbytes__nf4").Shape[0]}]");
        using var json = file.ReadTensor(p + "weight.quant_state.bitsandbytes__nf4");
        var text = System.Text.Encoding.UTF8.GetString(json.data<byte>().ToArray());
        text.Should().StartWith("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [128, 256], \"nested_blocksize\": 256, \"nested_dtype\": \"float32\", \"nested_offset\": ");
        file.Names.Should().Contain(new[] { "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight" });

        var config = JsonNode.Parse(File.ReadAllText(_dir.File("config.json")))!["quantization_config"]!.AsObject();
        config["quant_method"]!.GetValue<string>().Should().Be("bitsandbytes");
        config["load_in_4bit"]!.GetValue<bool>().Should().BeTrue();
        config["bnb_4bit_quant_type"]!.GetValue<string>().Should().Be("nf4");
        config["bnb_4bit_use_double_quant"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void DenseExportAndInMemoryDequantizationKeepTheQuantizedModelsOutputs()
    {
        using (var saved = CausalLM.Create(Realistic(), Cpu with { LinearFactory = Config("nf4-dq").CreateLinearFactory() }, seed: 6))
        {
            QuantizedModel.SavePretrained(saved, _dir.File("q"));
        }

        using var model = QuantizedModel.FromPretrained(_dir.File("q"), options: Cpu);
        model.SavePretrained(_dir.File("dense")); // ILinearLayer.DenseWeight: dequantized, float32
        JsonNode.Parse(File.ReadAllText(Path.Combine(_dir.File("dense"), "config.json")))!.AsObject().ContainsKey("quantization_config")
            .Should().BeFalse("a dense export must not claim to be quantized");
        using var dense = CausalLM.FromPretrained(_dir.File("dense"), Cpu);
        using var ids = Ids();
        using var expected = model.Forward(ids);
        using var exported = dense.Forward(ids);
        TensorAssert.Same(exported.Logits, expected.Logits).Should().BeTrue();

        QuantizedModel.Dequantize(model);
        model.named_modules().Any(m => m.module is QuantizedLinear).Should().BeFalse();
        QuantizedModel.GetConfig(model).Should().BeNull();
        using var dequantized = model.Forward(ids);
        TensorAssert.Same(dequantized.Logits, expected.Logits).Should().BeTrue();
    }

    [Fact]
    public void SkippedModulesStayDense()
    {
        var config = QuantizationConfig.Nf4() with { LlmInt8SkipModules = new[] { "lm_head", "mlp", "model.layers.1.self_attn.v_proj" } };
        using var model = QuantizedModel.FromPretrained(TestData.HfParity("model"), config, Cpu);

        var kinds = model.named_modules().Where(m => m.module is ILinearLayer).ToDictionary(m => m.name, m => m.module.GetType().Name);
        kinds["model.layers.0.mlp.up_proj"].Should().Be("Linear");
        kinds["model.layers.1.self_attn.v_proj"].Should().Be("Linear");
        kinds["model.layers.0.self_attn.v_proj"].Should().Be("Linear4bit");
        kinds.Values.Count(v => v == "Linear4bit").Should().Be(7);
        QuantizedModel.GetConfig(model)!.SkipModules.Should().Contain(new[] { "lm_head", "model.layers.1.self_attn.v_proj", "model.layers.0.mlp.gate_proj" });
    }

    [Fact]
    public void ConflictingOrMissingConfigsAreRejected()
    {
        var dense = () => QuantizedModel.FromPretrained(TestData.HfParity("model"), null, Cpu);
        dense.Should().Throw<ArgumentException>().WithMessage("*dense checkpoint*QuantizationConfig*");

        using (var model = CausalLM.Create(Realistic(), Cpu with { LinearFactory = Config("nf4-dq").CreateLinearFactory() }, seed: 7))
        {
            QuantizedModel.SavePretrained(model, _dir.Path);
        }

        var conflicting = () => QuantizedModel.FromPretrained(_dir.Path, QuantizationConfig.Fp4(), Cpu);
        conflicting.Should().Throw<ArgumentException>().WithMessage("*already quantized (4-bit nf4*double quantization on)*fp4*");
        using var withCompute = QuantizedModel.FromPretrained(_dir.Path, QuantizationConfig.Nf4() with { Bnb4BitComputeDtype = ScalarType.BFloat16 }, Cpu);
        withCompute.named_modules().Select(m => m.module).OfType<Linear4bit>().Should().OnlyContain(l => l.ComputeType == ScalarType.BFloat16);

        using var plain = CausalLM.Create(Realistic(), Cpu);
        var notQuantized = () => QuantizedModel.SavePretrained(plain, _dir.File("x"));
        notQuantized.Should().Throw<ArgumentException>().WithMessage("*no quantized layers*");
    }
}
