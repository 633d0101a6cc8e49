using FluentAssertions;
using Peft.Adapters;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>Adapter bookkeeping: target rules, switching, nested disable scopes, unloading.</summary>
public sealed class AdapterManagementTests
{
    [Fact]
    public void RankAndAlphaPatternsPickTheFirstMatchingKeyPerModule()
    {
        using var peft = AdapterCases.Build(AdapterCases.Get("rank_alpha_patterns"));
        int Rank(string path) => peft.LoraLayers[path].Adapter("default").Rank;
        double Scale(string path) => peft.LoraLayers[path].Adapter("default").Scaling;

        Rank("model.layers.0.self_attn.q_proj").Should().Be(2);
        Rank("model.layers.1.self_attn.q_proj").Should().Be(2);
        Rank("model.layers.1.mlp.down_proj").Should().Be(6);
        Rank("model.layers.0.mlp.down_proj").Should().Be(4);
        Scale("model.layers.0.self_attn.v_proj").Should().Be(3.0 / 4);
        Scale("model.layers.0.mlp.up_proj").Should().Be(1.5 / 4);
        Scale("model.layers.1.mlp.up_proj").Should().Be(8.0 / 4);
        Scale("model.layers.0.self_attn.q_proj").Should().Be(8.0 / 2);
    }

    [Theory]
    [InlineData("layers_to_transform", new[] { "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj" })]
    [InlineData("layers_pattern", new[] { "model.layers.0.self_attn.o_proj", "model.layers.0.mlp.gate_proj", "model.layers.2.self_attn.o_proj", "model.layers.2.mlp.gate_proj" })]
    [InlineData("regex", new[] { "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.k_proj", "model.layers.1.mlp.up_proj" })]
    public void TargetRulesSelectExactlyTheseModules(string name, string[] expected)
    {
        using var peft = AdapterCases.Build(AdapterCases.Get(name));
        peft.LoraLayers.Keys.Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void AllLinearSkipsTheHeadAndExcludeModulesApply()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()),
            new LoraConfig { TargetModulesRegex = LoraConfig.AllLinear, ExcludeModules = new[] { "down_proj" } });
        peft.LoraLayers.Should().HaveCount(2 * 6);
        peft.LoraLayers.Keys.Should().NotContain(k => k.EndsWith("down_proj", StringComparison.Ordinal) || k == "lm_head");
        var config = peft.PeftConfig["default"];
        config.TargetModulesRegex.Should().BeNull("like PEFT, all-linear is resolved to the selected layer names");
        config.TargetModules.Should().Equal("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj");
    }

    [Fact]
    public void ModulesSavedInFullAreNeverLoraTargets()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()),
            new LoraConfig { TargetModulesRegex = LoraConfig.AllLinear, ModulesToSave = new[] { "q_proj" } });

        peft.LoraLayers.Keys.Should().NotContain(k => k.EndsWith("q_proj", StringComparison.Ordinal)).And.HaveCount(2 * 6);
        peft.TrainableParameters().Select(p => p.Name).Should().Contain("base_model.model.model.layers.1.self_attn.q_proj.modules_to_save.default.weight");
    }

    [Fact]
    public void ModulesToSaveFollowTheActiveAdapter()
    {
        using var ids = AdapterCases.Ids();
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()),
            new LoraConfig { TargetModules = new[] { "q_proj" }, ModulesToSave = new[] { "lm_head" } }, "a");
        peft.AddAdapter("b", new LoraConfig { TargetModules = new[] { "q_proj" }, ModulesToSave = new[] { "lm_head" } });
        peft.AddAdapter("c", new LoraConfig { TargetModules = new[] { "q_proj" } });
        var head = peft.BaseModel.LmHead!;
        TorchSharp.Modules.Parameter original;
        using (peft.DisableAdapters())
        {
            original = head.named_parameters().Single().parameter;
        }

        AdapterCases.Randomize(peft);

        var copies = new Dictionary<string, TorchSharp.Modules.Parameter>();
        foreach (var adapter in new[] { "a", "b", "c" })
        {
            peft.SetAdapter(adapter);
            copies[adapter] = head.named_parameters().Single().parameter;
        }

        copies["a"].Should().NotBeSameAs(original);
        copies["b"].Should().NotBeSameAs(copies["a"]);
        copies["c"].Should().BeSameAs(original, "an adapter without a copy uses the original module");
        peft.SetAdapter("b");
        using (peft.DisableAdapters())
        {
            head.named_parameters().Single().parameter.Should().BeSameAs(original);
        }

        head.named_parameters().Single().parameter.Should().BeSameAs(copies["b"]);
        peft.TrainableParameters().Select(p => p.Name).Should().Contain("base_model.model.lm_head.modules_to_save.b.weight")
            .And.NotContain("base_model.model.lm_head.modules_to_save.a.weight");

        // PEFT's count: base (with the original head) + LoRA of all adapters + one head copy per adapter that has one.
        var (trainable, all) = peft.GetNbTrainableParameters();
        var config = TinyModels.Config();
        trainable.Should().Be(2 * 8 * (32 + 32) + 64 * 32);
        all.Should().Be(config.ParameterCount() + 3 * 2 * 8 * (32 + 32) + 2 * 64 * 32);
    }

    [Fact]
    public void DisableScopesNestAndSwitchingWhileMergedUnmergesFirst()
    {
        using var ids = AdapterCases.Ids();
        using var peft = AdapterCases.Build(AdapterCases.Get("multiple"));
        AdapterCases.Randomize(peft);
        using var second = AdapterCases.Logits(x => peft.Forward(x), ids);
        using var baseLogits = TinyModelLogits(ids);

        var outer = peft.DisableAdapters();
        using (peft.DisableAdapters())
        {
            peft.AdaptersDisabled.Should().BeTrue();
        }

        peft.AdaptersDisabled.Should().BeTrue("the inner scope restores the outer state");
        using (var disabled = AdapterCases.Logits(x => peft.Forward(x), ids))
        {
            AdapterCases.Identical(disabled, baseLogits).Should().BeTrue();
        }

        outer.Dispose();
        outer.Dispose(); // idempotent
        peft.AdaptersDisabled.Should().BeFalse();

        peft.Merge();
        peft.SetAdapter("first");
        peft.IsMerged.Should().BeFalse();
        using var first = AdapterCases.Logits(x => peft.Forward(x), ids);
        peft.SetAdapter("second");
        using var secondAgain = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.MaxDiff(secondAgain, second).Should().BeLessThan(1e-5f);
        AdapterCases.MaxDiff(first, second).Should().BeGreaterThan(1e-3f);
    }

    private static Tensor TinyModelLogits(Tensor ids)
    {
        using var model = TinyModels.Create(TinyModels.Config(modelType: "qwen2"));
        return AdapterCases.Logits(x => model.Forward(x), ids);
    }

    [Fact]
    public void AdaptersOutliveTheDisposeScopeTheyWereCreatedIn()
    {
        using var ids = AdapterCases.Ids();
        var c = AdapterCases.Get("multiple");
        var model = TinyModels.Create(c.Model()); // built outside: the base model itself must not live in a scope
        PeftModel peft;
        Tensor expected;
        using (NewDisposeScope())
        {
            peft = AdapterCases.Build(c, model);
            AdapterCases.Randomize(peft);
            peft.Merge();
            peft.Unmerge();
            peft.AddWeightedAdapter(new[] { "first", "third" }, new[] { 1.0, 0.5 }, "mix");
            expected = AdapterCases.Logits(x => peft.Forward(x), ids).DetachFromDisposeScope();
        }

        using (peft)
        using (expected)
        {
            using var logits = AdapterCases.Logits(x => peft.Forward(x), ids);
            AdapterCases.Identical(logits, expected).Should().BeTrue("no adapter tensor was freed with the scope");
            peft.Merge();
            peft.Unmerge();
        }
    }

    [Fact]
    public void TrainAndEvalSwitchAdapterDropout()
    {
        using var ids = AdapterCases.Ids();
        using var peft = AdapterCases.Build(AdapterCases.Get("dropout_gaussian"));
        AdapterCases.Randomize(peft);

        peft.Train();
        peft.Training.Should().BeTrue();
        peft.LoraLayers.Values.Should().OnlyContain(l => l.training);
        using var a = AdapterCases.Logits(x => peft.Forward(x), ids);
        using var b = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.MaxDiff(a, b).Should().BeGreaterThan(1e-4f, "dropout draws a new mask");

        peft.Eval();
        peft.LoraLayers.Values.Should().OnlyContain(l => !l.training);
        using var c = AdapterCases.Logits(x => peft.Forward(x), ids);
        using var d = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.Identical(c, d).Should().BeTrue();
    }

    [Fact]
    public void UnloadHandsBackTheOriginalWeights()
    {
        using var ids = AdapterCases.Ids();
        using var expected = TinyModelLogits(ids);
        var peft = AdapterCases.Build(AdapterCases.Get("multiple"));
        AdapterCases.Randomize(peft);
        peft.Merge();

        using var model = peft.Unload();
        peft.Dispose();

        TargetMatcher.Modules(model).Should().NotContain(m => m.Module is LoraLinear);
        using var logits = AdapterCases.Logits(x => model.Forward(x), ids);
        AdapterCases.MaxDiff(logits, expected).Should().BeLessThan(1e-5f);
        model.parameters().Should().OnlyContain(p => !p.requires_grad);
    }

    [Fact]
    public void LoadedAdaptersCanBeMadeTrainable()
    {
        using var dir = new TempDirectory();
        using (var saved = PeftModel.Create(TinyModels.Create(TinyModels.Config()), new LoraConfig { TargetModules = new[] { "v_proj" } }))
        {
            saved.SaveAdapter(dir.Path);
        }

        using var peft = PeftModel.FromPretrained(TinyModels.Create(TinyModels.Config()), dir.Path, isTrainable: true);
        peft.PeftConfig["default"].InferenceMode.Should().BeFalse();
        peft.TrainableParameters().Should().HaveCount(4);
    }

    [Fact]
    public void CombinedAdaptersWhoseRulesCannotBeMergedAreSavedWithFullPaths()
    {
        using var peft = PeftModel.Create(TinyModels.Create(TinyModels.Config()),
            new LoraConfig { R = 2, TargetModules = new[] { "q_proj" }, LayersToTransform = new[] { 0 } }, "a");
        peft.AddAdapter("b", new LoraConfig { R = 2, TargetModules = new[] { "q_proj" }, LayersToTransform = new[] { 1 } });

        peft.AddWeightedAdapter(new[] { "a", "b" }, new[] { 1.0, 1.0 }, "ab");

        var config = peft.PeftConfig["ab"];
        config.TargetModules.Should().BeEquivalentTo("model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.q_proj");
        config.LayersToTransform.Should().BeNull();
        peft.LoraLayers.Values.Should().OnlyContain(l => l.AdapterNames.Contains("ab"));
    }
}
