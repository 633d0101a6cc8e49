using System.Text.Json;
using FluentAssertions;
using Peft.Adapters;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>What <see cref="PeftModel.SaveAdapter"/> writes, compared with adapters written by real PEFT 0.13.</summary>
public sealed class AdapterFormatTests
{
    private static CausalLM FixtureModel() => CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });

    private static Dictionary<string, (string DType, long[] Shape)> Layout(string file)
    {
        using var f = SafetensorsFile.Open(file);
        return f.Tensors.ToDictionary(t => t.Name, t => (t.DType, t.Shape));
    }

    [Theory]
    [InlineData("lora_r8")]
    [InlineData("lora_r4_qv")]
    public void ResavingAPeftAdapterGivesTheSameTensorsAndConfig(string adapter)
    {
        using var dir = new TempDirectory();
        var source = TestData.HfParity("adapters", adapter);
        using (var peft = PeftModel.FromPretrained(FixtureModel(), source))
        {
            peft.SaveAdapter(dir.Path);
        }

        using var ours = SafetensorsFile.Open(Path.Combine(dir.Path, "adapter_model.safetensors"));
        using var theirs = SafetensorsFile.Open(Path.Combine(source, "adapter_model.safetensors"));
        ours.Metadata.Should().Equal(new Dictionary<string, string> { ["format"] = "pt" });
        ours.Names.Should().BeEquivalentTo(theirs.Names);
        foreach (var name in theirs.Names)
        {
            ours.GetInfo(name).DType.Should().Be("F32");
            ours.GetInfo(name).Shape.Should().Equal(theirs.GetInfo(name).Shape);
            using var a = ours.ReadTensor(name);
            using var b = theirs.ReadTensor(name);
            AdapterCases.Identical(a, b).Should().BeTrue(name);
        }

        File.ReadAllText(Path.Combine(dir.Path, "adapter_config.json")).Should().Be(File.ReadAllText(Path.Combine(source, "adapter_config.json")));
    }

    [Fact]
    public void ANewAdapterHasPeftsKeysShapesAndConfigFields()
    {
        using var dir = new TempDirectory();
        var config = new LoraConfig
        {
            R = 8, LoraAlpha = 16, BaseModelNameOrPath = "model",
            TargetModules = new[] { "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj" },
        };
        using (var peft = PeftModel.Create(FixtureModel(), config))
        {
            peft.SaveAdapter(dir.Path);
        }

        var reference = TestData.HfParity("adapters", "lora_r8");
        Layout(Path.Combine(dir.Path, "adapter_model.safetensors")).Should().BeEquivalentTo(Layout(Path.Combine(reference, "adapter_model.safetensors")));

        using var ours = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "adapter_config.json")));
        using var theirs = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "adapter_config.json")));
        var ourFields = ours.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        var theirFields = theirs.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
        ourFields.Keys.Should().BeEquivalentTo(theirFields.Keys);
        foreach (var (name, value) in theirFields)
        {
            if (name == "target_modules")
            {
                ourFields[name].EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo(value.EnumerateArray().Select(e => e.GetString()));
            }
            else
            {
                ourFields[name].GetRawText().Should().Be(value.GetRawText(), name);
            }
        }
    }

    [Fact]
    public void NamedAdaptersGoIntoSubfoldersAndTheDefaultIntoTheRoot()
    {
        using var dir = new TempDirectory();
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } });
        peft.AddAdapter("style", new LoraConfig { R = 2, TargetModules = new[] { "v_proj" } });

        peft.SaveAdapter(dir.Path);

        File.Exists(dir.File("adapter_config.json")).Should().BeTrue();
        File.Exists(dir.File("adapter_model.safetensors")).Should().BeTrue();
        File.Exists(Path.Combine(dir.Path, "style", "adapter_config.json")).Should().BeTrue();
        Layout(Path.Combine(dir.Path, "style", "adapter_model.safetensors")).Keys.Should().OnlyContain(k => k.Contains(".v_proj.lora_"));
        Directory.EnumerateFiles(dir.Path, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty("writes are atomic");
    }

    [Fact]
    public void StoredDtypeIsAnOption()
    {
        using var dir = new TempDirectory();
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } });
        AdapterCases.Randomize(peft);

        peft.SaveAdapter(dir.Path, dtype: ScalarType.BFloat16);

        Layout(dir.File("adapter_model.safetensors")).Values.Should().OnlyContain(v => v.DType == "BF16");
        using var loaded = PeftModel.FromPretrained(TinyModels.Create(TinyModels.Config()), dir.Path);
        var original = peft.LoraLayers["model.layers.0.self_attn.q_proj"].Adapter("default").B;
        var reloaded = loaded.LoraLayers["model.layers.0.self_attn.q_proj"].Adapter("default").B;
        reloaded.dtype.Should().Be(ScalarType.Float32, "adapters compute in float32 whatever they were stored in");
        AdapterCases.MaxDiff(reloaded, original).Should().BeLessThan(0.01f).And.BeGreaterThan(0, "bf16 rounding");
    }

    [Fact]
    public void AnAdapterTrainedHereSavesAndLoadsBackExactly()
    {
        using var dir = new TempDirectory();
        using var ids = AdapterCases.Ids();
        var config = new LoraConfig { R = 4, LoraAlpha = 8, LoraDropout = 0.1, UseDora = true, TargetModulesRegex = LoraConfig.AllLinear };
        manual_seed(21);
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), config);
        var parameters = peft.TrainableParameters();
        using var optimizer = optim.AdamW(parameters.Select(p => p.Parameter), lr: 0.01);
        peft.Train();
        var losses = new List<float>();
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = peft.Forward(ids, labels: ids).Loss!;
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        losses.Last().Should().BeLessThan(losses.First(), "training lowers the loss");
        peft.Eval();
        using var expected = AdapterCases.Logits(x => peft.Forward(x), ids);
        peft.SaveAdapter(dir.Path);

        using var loaded = PeftModel.FromPretrained(TinyModels.Create(TinyModels.Config()), dir.Path);
        foreach (var (path, layer) in peft.LoraLayers)
        {
            var a = layer.Adapter("default");
            var b = loaded.LoraLayers[path].Adapter("default");
            AdapterCases.Identical(a.A, b.A).Should().BeTrue(path);
            AdapterCases.Identical(a.B, b.B).Should().BeTrue(path);
            AdapterCases.Identical(a.Magnitude!, b.Magnitude!).Should().BeTrue(path);
        }

        using var actual = AdapterCases.Logits(x => loaded.Forward(x), ids);
        AdapterCases.Identical(actual, expected).Should().BeTrue("identical weights give identical logits");
    }

    [Fact]
    public void TrainableParameterSummaryUsesPeftsFormat()
    {
        using var peft = PeftModel.FromPretrained(FixtureModel(), TestData.HfParity("adapters", "lora_r8"), isTrainable: true);

        // LoRA: 2 layers × 8 × (q 128 + k 96 + v 96 + o 128 + gate 192 + up 192 + down 192) = 16,384; base 106,816.
        peft.TrainableParametersSummary().Should().Be("trainable params: 16,384 || all params: 123,200 || trainable%: 13.2987");
        peft.GetNbTrainableParameters().Should().Be((16_384L, 123_200L));
        peft.TrainableParameters().Select(p => p.Name).Should().Contain("base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight");
    }

    [Fact]
    public void CatCombinationEqualsTheWeightedSumOfUpdates()
    {
        using var ids = AdapterCases.Ids();
        using var dir = new TempDirectory();
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { R = 4, LoraAlpha = 8, TargetModules = new[] { "q_proj", "v_proj" } }, "a");
        peft.AddAdapter("b", new LoraConfig { R = 2, LoraAlpha = 6, UseRslora = true, TargetModules = new[] { "v_proj", "down_proj" } });
        AdapterCases.Randomize(peft);

        peft.AddWeightedAdapter(new[] { "a", "b" }, new[] { 0.7, -1.5 }, "mix");

        var config = peft.PeftConfig["mix"];
        config.R.Should().Be(6);
        config.LoraAlpha.Should().Be(6);
        config.TargetModules.Should().BeEquivalentTo("q_proj", "v_proj", "down_proj");
        peft.ActiveAdapter.Should().Be("a", "the new adapter is not activated");
        foreach (var (path, layer) in peft.LoraLayers)
        {
            using var expected = zeros(layer.OutFeatures, layer.InFeatures);
            foreach (var (name, weight) in new[] { ("a", 0.7), ("b", -1.5) })
            {
                if (layer.TryGetAdapter(name, out var w))
                {
                    using var delta = w.DeltaWeight();
                    expected.add_(delta * weight);
                }
            }

            using var actual = layer.Adapter("mix").DeltaWeight();
            AdapterCases.MaxDiff(actual, expected).Should().BeLessThan(1e-5f, path);
        }

        peft.SetAdapter("mix");
        using var mixed = AdapterCases.Logits(x => peft.Forward(x), ids);
        peft.SaveAdapter(dir.Path, "mix");
        using var loaded = PeftModel.FromPretrained(TinyModels.Create(TinyModels.Config()), Path.Combine(dir.Path, "mix"));
        using var reloaded = AdapterCases.Logits(x => loaded.Forward(x), ids);
        AdapterCases.Identical(reloaded, mixed).Should().BeTrue();
    }

    [Fact]
    public void QuantizedBasesMergeOnlyThroughMergeAndUnloadIntoDenseLayers()
    {
        using var ids = AdapterCases.Ids();
        var options = new ModelLoadOptions
        {
            Device = DeviceOption.Cpu,
            LinearFactory = spec => new LoraLinearTests.HalfPrecisionLinear(zeros(spec.OutFeatures, spec.InFeatures, ScalarType.Float16), null),
        };
        var model = CausalLM.Create(TinyModels.Config(), options, seed: 1);
        var peft = PeftModel.Create(model, new LoraConfig { R = 4, TargetModulesRegex = LoraConfig.AllLinear, UseDora = true });
        AdapterCases.Randomize(peft);
        using var expected = AdapterCases.Logits(x => peft.Forward(x), ids);

        var merge = () => peft.Merge();
        merge.Should().Throw<NotSupportedException>().WithMessage("*MergeAndUnload*");

        using var merged = peft.MergeAndUnload(ScalarType.Float32);
        peft.Dispose();
        TargetMatcher.Modules(merged).Where(m => m.Path.EndsWith("_proj", StringComparison.Ordinal))
            .Should().OnlyContain(m => m.Module is Peft.Models.Layers.Linear);
        using var actual = AdapterCases.Logits(x => merged.Forward(x), ids);
        AdapterCases.MaxDiff(actual, expected).Should().BeLessThan(1e-3f, "float16 base dequantized to float32 plus the update");
        merged.parameters().Should().OnlyContain(p => !p.requires_grad);
    }
}
