using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Models;

public sealed class ModelLoadSaveTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly ModelLoadOptions Cpu = new() { Device = DeviceOption.Cpu };

    private static void ShouldHaveIdenticalWeights(CausalLM a, CausalLM b)
    {
        var sa = a.state_dict();
        var sb = b.state_dict();
        sb.Keys.Should().BeEquivalentTo(sa.Keys);
        foreach (var (key, value) in sa)
        {
            value.bytes.ToArray().Should().Equal(sb[key].bytes.ToArray(), key);
        }
    }

    [Theory]
    [InlineData(false, 5_000_000_000L)]
    [InlineData(true, 5_000_000_000L)]
    [InlineData(false, 20_000L)] // sharded with an index
    public void SaveThenLoadIsBitExact(bool tied, long maxShardBytes)
    {
        using var model = TinyModels.Create(TinyModels.Config("qwen2", tied: tied, slidingWindow: 6, maxWindowLayers: 1));
        model.SavePretrained(_dir.Path, maxShardBytes: maxShardBytes);

        File.Exists(_dir.File("config.json")).Should().BeTrue();
        File.Exists(_dir.File("generation_config.json")).Should().BeTrue();
        File.Exists(_dir.File("model.safetensors.index.json")).Should().Be(maxShardBytes < 100_000);
        using var loaded = CausalLM.FromPretrained(_dir.Path, Cpu);

        loaded.Config.Should().BeEquivalentTo(model.Config, o => o.Excluding(c => c.Raw).Excluding(c => c.TorchDtype));
        ShouldHaveIdenticalWeights(model, loaded);
        using var ids = arange(1, 9, dtype: ScalarType.Int64).unsqueeze(0);
        using var a = model.Forward(ids);
        using var b = loaded.Forward(ids);
        (a.Logits - b.Logits).abs().max().item<float>().Should().Be(0f);
    }

    [Fact]
    public void SavedConfigIsAHuggingFaceConfig()
    {
        using var model = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        model.SavePretrained(_dir.Path, ScalarType.BFloat16);

        var json = JsonNode.Parse(File.ReadAllText(_dir.File("config.json")))!.AsObject();
        json["model_type"]!.GetValue<string>().Should().Be("llama");
        json["torch_dtype"]!.GetValue<string>().Should().Be("bfloat16");
        json["architectures"]![0]!.GetValue<string>().Should().Be("LlamaForCausalLM");
        json["transformers_version"]!.GetValue<string>().Should().Be("4.46.0.dev0", "unknown fields are kept");
        json["num_key_value_heads"]!.GetValue<int>().Should().Be(2);
        using var saved = SafetensorsFile.Open(_dir.File("model.safetensors"));
        saved.Metadata["format"].Should().Be("pt");
        saved.Tensors.Should().OnlyContain(t => t.DType == "BF16");
    }

    [Fact]
    public void Bf16StorageComputesInFloat32CloseToTheFloat32Model()
    {
        using var fp32 = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        using var bf16 = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu with { StorageType = ScalarType.BFloat16 });
        bf16.Model.EmbedTokens.Weight.dtype.Should().Be(ScalarType.BFloat16);
        bf16.ComputeType.Should().Be(ScalarType.Float32);

        using var ids = arange(5, 20, dtype: ScalarType.Int64).unsqueeze(0);
        using var a = fp32.Forward(ids);
        using var b = bf16.Forward(ids);
        b.Logits.dtype.Should().Be(ScalarType.Float32);
        var relative = ((a.Logits - b.Logits).abs().max() / a.Logits.abs().max()).item<float>();
        relative.Should().BeLessThan(0.05f).And.BeGreaterThan(0f);
    }

    [Fact]
    public void LowMemoryLoadingGivesTheSameModel()
    {
        using var normal = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        using var lowMemory = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu with { LowMemory = true });
        lowMemory.parameters().Should().OnlyContain(p => p.device_type == TorchSharp.DeviceType.CPU);
        ShouldHaveIdenticalWeights(normal, lowMemory);
    }

    [Fact]
    public void LoadedModelIsFrozenAndInEvalMode()
    {
        using var model = CausalLM.FromPretrained(TestData.HfParity("model"), Cpu);
        model.parameters().Should().OnlyContain(p => !p.requires_grad);
        model.training.Should().BeFalse();
    }

    private void CopyFixtureModel()
    {
        foreach (var f in Directory.GetFiles(TestData.HfParity("model")))
        {
            File.Copy(f, _dir.File(Path.GetFileName(f)));
        }
    }

    [Fact]
    public void MissingUnexpectedAndMisShapedTensorsAreAllListed()
    {
        CopyFixtureModel();
        using (var original = CausalLM.FromPretrained(_dir.Path, Cpu))
        {
            var tensors = original.state_dict()
                .Where(kv => kv.Key != "model.norm.weight" && kv.Key != "model.layers.1.mlp.up_proj.weight")
                .ToDictionary(kv => kv.Key, kv => kv.Key == "model.layers.0.self_attn.k_proj.weight" ? zeros(16, 64) : kv.Value);
            tensors["model.layers.0.self_attn.extra.weight"] = zeros(2);
            SafetensorsWriter.Write(_dir.File("model.safetensors"), tensors);
        }

        var act = () => CausalLM.FromPretrained(_dir.Path, Cpu);

        var ex = act.Should().Throw<CheckpointMismatchException>().Which;
        ex.Missing.Should().BeEquivalentTo("model.norm.weight", "model.layers.1.mlp.up_proj.weight");
        ex.Unexpected.Should().Equal("model.layers.0.self_attn.extra.weight");
        ex.Mismatched.Should().Equal("model.layers.0.self_attn.k_proj.weight: expected [32, 64], found [16, 64]");
        ex.Message.Should().Contain("2 missing").And.Contain("1 unexpected").And.Contain("1 with the wrong shape");
    }

    [Fact]
    public void UnsupportedModelTypeIsNamed()
    {
        CopyFixtureModel();
        var config = JsonNode.Parse(File.ReadAllText(_dir.File("config.json")))!;
        config["model_type"] = "gpt_neox";
        File.WriteAllText(_dir.File("config.json"), config.ToJsonString());

        var act = () => CausalLM.FromPretrained(_dir.Path, Cpu);
        act.Should().Throw<ModelConfigException>()
            .WithMessage("Invalid model configuration '*config.json', field 'model_type': model type 'gpt_neox' is not supported; supported: llama, mistral, qwen2.");
    }

    [Fact]
    public void MissingFolderFilesAreReported()
    {
        var act = () => CausalLM.FromPretrained(_dir.Path, Cpu);
        act.Should().Throw<FileNotFoundException>().WithMessage("No config.json found at*");
    }
}
