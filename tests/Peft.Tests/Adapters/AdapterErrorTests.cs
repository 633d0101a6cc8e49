using FluentAssertions;
using Peft.Adapters;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>Errors a user can cause: targets that match nothing, adapters that do not fit, bad names and options.</summary>
public sealed class AdapterErrorTests
{
    [Fact]
    public void TargetsMatchingNothingListTheAvailableModules()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        var act = () => PeftModel.Create(model, new LoraConfig { TargetModules = new[] { "query_key_value", "dense" } });

        var error = act.Should().Throw<LoraConfigException>().Which;
        error.Field.Should().Be("target_modules");
        error.Message.Should().Contain("[query_key_value, dense]").And.Contain("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj, lm_head")
            .And.Contain("model.layers.0.self_attn.q_proj");
        TargetMatcher.Modules(model).Should().NotContain(m => m.Module is LoraLinear, "a failed injection leaves the model untouched");
    }

    [Fact]
    public void LayerFiltersThatExcludeEveryLayerAreReportedToo()
    {
        using var model = TinyModels.Create(TinyModels.Config(layers: 2));
        var act = () => PeftModel.Create(model, new LoraConfig { TargetModules = new[] { "q_proj" }, LayersToTransform = new[] { 5 } });
        act.Should().Throw<LoraConfigException>().WithMessage("*[q_proj] in layers [5] matches no module*");
    }

    [Fact]
    public void NonLinearTargetsAreRejectedByType()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        var act = () => PeftModel.Create(model, new LoraConfig { TargetModules = new[] { "embed_tokens", "q_proj" } });
        act.Should().Throw<LoraConfigException>().WithMessage("*linear layers*model.embed_tokens (TokenEmbedding)*");
    }

    [Fact]
    public void ModulesToSaveMatchingNothingIsAnError()
    {
        using var model = TinyModels.Create(TinyModels.Config());
        var act = () => PeftModel.Create(model, new LoraConfig { TargetModules = new[] { "q_proj" }, ModulesToSave = new[] { "classifier" } });
        act.Should().Throw<LoraConfigException>().Which.Field.Should().Be("modules_to_save");
    }

    [Fact]
    public void ALoraTargetOfOneAdapterCannotBeSavedInFullByAnother()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } });
        var act = () => peft.AddAdapter("full", new LoraConfig { TargetModules = new[] { "v_proj" }, ModulesToSave = new[] { "q_proj" } });

        act.Should().Throw<LoraConfigException>().WithMessage("*q_proj*LoRA layer of another adapter*");
        peft.Adapters.Should().Equal("default");
        peft.LoraLayers.Keys.Should().OnlyContain(k => k.EndsWith("q_proj", StringComparison.Ordinal));
    }

    [Fact]
    public void QuantizedModulesCannotBeSavedInFullAndNothingChanges()
    {
        var options = new ModelLoadOptions
        {
            Device = DeviceOption.Cpu,
            LinearFactory = spec => new LoraLinearTests.HalfPrecisionLinear(zeros(spec.OutFeatures, spec.InFeatures, ScalarType.Float16), null),
        };
        using var model = CausalLM.Create(TinyModels.Config(), options);
        var act = () => PeftModel.Create(model, new LoraConfig { TargetModules = new[] { "v_proj" }, ModulesToSave = new[] { "q_proj" } });

        act.Should().Throw<LoraConfigException>().WithMessage("*q_proj*HalfPrecisionLinear*").Which.Field.Should().Be("modules_to_save");
        TargetMatcher.Modules(model).Should().NotContain(m => m.Module is LoraLinear);
    }

    [Fact]
    public void AnAdapterThatDoesNotFitListsEveryProblemAndChangesNothing()
    {
        using var dir = new TempDirectory();
        var source = TestData.HfParity("adapters", "lora_r4_qv");
        File.Copy(Path.Combine(source, "adapter_config.json"), dir.File("adapter_config.json"));
        using (var original = SafetensorsFile.Open(Path.Combine(source, "adapter_model.safetensors")))
        {
            var tensors = original.Names.Where(n => !n.Contains("layers.1.self_attn.v_proj.lora_B")) // missing
                .ToDictionary(n => n, n => original.ReadTensor(n));
            tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] = zeros(4, 32);          // wrong shape
            tensors["base_model.model.model.layers.0.mlp.up_proj.lora_A.weight"] = zeros(4, 64);              // unexpected
            tensors["base_model.model.model.embed_tokens.lora_embedding_A"] = zeros(4, 256);                  // unexpected
            SafetensorsWriter.Write(dir.File("adapter_model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        }

        using var model = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });
        using var ids = tensor(new long[] { 1, 5, 9 }).unsqueeze(0);
        using var before = AdapterCases.Logits(x => model.Forward(x), ids);
        var act = () => PeftModel.FromPretrained(model, dir.Path);

        var error = act.Should().Throw<AdapterMismatchException>().Which;
        error.Missing.Should().Equal("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        error.Unexpected.Should().Equal("base_model.model.model.embed_tokens.lora_embedding_A", "base_model.model.model.layers.0.mlp.up_proj.lora_A.weight");
        error.Mismatched.Should().Equal("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight: expected [4, 64], found [4, 32]");
        error.Message.Should().Contain(dir.Path).And.Contain("1 missing").And.Contain("2 unexpected").And.Contain("1 with the wrong shape");
        TargetMatcher.Modules(model).Should().NotContain(m => m.Module is LoraLinear);
        using var after = AdapterCases.Logits(x => model.Forward(x), ids);
        AdapterCases.Identical(after, before).Should().BeTrue();
    }

    [Fact]
    public void AnAdapterForAnotherModelSizeReportsEveryShape()
    {
        using var model = TinyModels.Create(TinyModels.Config(hidden: 32, layers: 2));
        var act = () => PeftModel.FromPretrained(model, TestData.HfParity("adapters", "lora_r8"));

        var error = act.Should().Throw<AdapterMismatchException>().Which;
        error.Mismatched.Should().HaveCount(28, "2 layers × 7 projections × (A, B)");
        error.Missing.Should().BeEmpty();
        error.Unexpected.Should().BeEmpty();
    }

    [Fact]
    public void PickleAdaptersAreNamedAsUnsupported()
    {
        using var dir = new TempDirectory();
        File.Copy(TestData.HfParity("adapters", "lora_r8", "adapter_config.json"), dir.File("adapter_config.json"));
        File.WriteAllBytes(dir.File("adapter_model.bin"), new byte[] { 0x80, 0x02 });
        using var model = TinyModels.Create(TinyModels.Config());

        var act = () => PeftModel.FromPretrained(model, dir.Path);
        act.Should().Throw<FileNotFoundException>().WithMessage("*adapter_model.bin*pickle*safetensors*");
    }

    [Fact]
    public void AdapterNamesAreChecked()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } });

        ((Action)(() => peft.AddAdapter("default", new LoraConfig()))).Should().Throw<ArgumentException>().WithMessage("*already exists*");
        ((Action)(() => peft.AddAdapter("a.b", new LoraConfig()))).Should().Throw<ArgumentException>().WithMessage("*'.'*");
        ((Action)(() => peft.SetAdapter("nope"))).Should().Throw<ArgumentException>().WithMessage("*nope*[default]*");
        ((Action)(() => peft.DeleteAdapter("nope"))).Should().Throw<ArgumentException>();
        ((Action)(() => peft.SaveAdapter("x", "nope"))).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void WeightedCombinationRejectsWhatCatCannotCombine()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } }, "a");
        peft.AddAdapter("d", new LoraConfig { UseDora = true, TargetModules = new[] { "q_proj" } });
        peft.AddAdapter("r", new LoraConfig { TargetModulesRegex = ".*v_proj" });

        ((Action)(() => peft.AddWeightedAdapter(new[] { "a", "d" }, new[] { 1.0, 1.0 }, "m"))).Should().Throw<ArgumentException>().WithMessage("*DoRA*");
        ((Action)(() => peft.AddWeightedAdapter(new[] { "a", "r" }, new[] { 1.0, 1.0 }, "m"))).Should().Throw<ArgumentException>().WithMessage("*same way*");
        ((Action)(() => peft.AddWeightedAdapter(new[] { "a", "x" }, new[] { 1.0, 1.0 }, "m"))).Should().Throw<ArgumentException>().WithMessage("*'x'*");
        ((Action)(() => peft.AddWeightedAdapter(new[] { "a" }, new[] { 1.0, 1.0 }, "m"))).Should().Throw<ArgumentException>().WithMessage("*one weight per adapter*");
        ((Action)(() => peft.AddWeightedAdapter(new[] { "a" }, new[] { 1.0 }, "m", "svd"))).Should().Throw<NotSupportedException>();
        peft.Adapters.Should().Equal("a", "d", "r");
    }

    [Fact]
    public void AWrapperIsUnusableAfterHandingTheModelBack()
    {
        var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "q_proj" } });
        using var model = peft.Unload();
        using var ids = AdapterCases.Ids();

        ((Action)(() => peft.Forward(ids))).Should().Throw<InvalidOperationException>().WithMessage("*MergeAndUnload or Unload*");
        peft.Dispose(); // does not dispose the handed-back model
        using var output = model.Forward(ids);
        output.Logits.shape.Should().Equal(2, 9, 64);
    }
}
