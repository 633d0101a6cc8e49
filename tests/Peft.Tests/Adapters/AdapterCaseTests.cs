using FluentAssertions;
using Peft.Adapters;
using Peft.Models;
using Peft.Tests.Support;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>Every configuration of <see cref="AdapterCases"/> through the same generic checks (PEFT's own test layout).</summary>
public sealed class AdapterCaseTests
{
    public static TheoryData<string> Cases => AdapterCases.Names();

    private static Tensor BaseLogits(AdapterCase c, Tensor ids)
    {
        using var model = TinyModels.Create(c.Model());
        return AdapterCases.Logits(x => model.Forward(x), ids);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FreshAdapterLeavesOutputsUnchanged(string name)
    {
        var c = AdapterCases.Get(name);
        using var ids = AdapterCases.Ids();
        using var expected = BaseLogits(c, ids);
        using var peft = AdapterCases.Build(c);

        peft.LoraLayers.Should().NotBeEmpty();
        foreach (var adapter in peft.Adapters.Where(a => peft.PeftConfig[a].InitLoraWeights != "false"))
        {
            peft.SetAdapter(adapter);
            using var logits = AdapterCases.Logits(x => peft.Forward(x), ids);
            AdapterCases.MaxDiff(logits, expected).Should().BeLessThanOrEqualTo(1e-6f, $"B = 0 (and m = ‖W0‖) for {adapter}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MergedForwardEqualsUnmergedForward(string name)
    {
        using var ids = AdapterCases.Ids();
        using var peft = AdapterCases.Build(AdapterCases.Get(name));
        AdapterCases.Randomize(peft);
        using var unmerged = AdapterCases.Logits(x => peft.Forward(x), ids);

        peft.Merge();
        using var merged = AdapterCases.Logits(x => peft.Forward(x), ids);

        peft.IsMerged.Should().BeTrue();
        AdapterCases.MaxDiff(merged, unmerged).Should().BeLessThan(1e-4f);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MergeThenUnmergeRestoresTheBaseWeights(string name)
    {
        using var peft = AdapterCases.Build(AdapterCases.Get(name));
        AdapterCases.Randomize(peft);
        var before = AdapterCases.BaseState(peft.BaseModel);

        peft.Merge();
        var merged = AdapterCases.BaseState(peft.BaseModel);
        peft.Merge(); // a second merge is a no-op
        AdapterCases.BaseState(peft.BaseModel).Should().AllSatisfy(kv => AdapterCases.MaxDiff(kv.Value, merged[kv.Key]).Should().Be(0));
        peft.Unmerge();
        peft.Unmerge(); // and so is a second unmerge

        peft.IsMerged.Should().BeFalse();
        merged.Should().Contain(kv => AdapterCases.MaxDiff(kv.Value, before[kv.Key]) > 1e-3f, "merging changed some weight");
        foreach (var (key, value) in AdapterCases.BaseState(peft.BaseModel))
        {
            AdapterCases.MaxDiff(value, before[key]).Should().BeLessThan(1e-5f, key);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DisabledAdaptersGiveTheBaseModelAndTheScopeRestores(string name)
    {
        var c = AdapterCases.Get(name);
        using var ids = AdapterCases.Ids();
        using var expected = BaseLogits(c, ids);
        using var peft = AdapterCases.Build(c);
        AdapterCases.Randomize(peft);
        using var adapted = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.MaxDiff(adapted, expected).Should().BeGreaterThan(1e-3f);

        using (peft.DisableAdapters())
        {
            peft.AdaptersDisabled.Should().BeTrue();
            using var disabled = AdapterCases.Logits(x => peft.Forward(x), ids);
            AdapterCases.MaxDiff(disabled, expected).Should().Be(0);
        }

        peft.AdaptersDisabled.Should().BeFalse();
        using var again = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.MaxDiff(again, adapted).Should().Be(0);

        peft.Merge(); // a merged model is unmerged inside the scope and merged again after it
        using (peft.DisableAdapters())
        {
            peft.IsMerged.Should().BeFalse();
            using var disabled = AdapterCases.Logits(x => peft.Forward(x), ids);
            AdapterCases.MaxDiff(disabled, expected).Should().BeLessThan(1e-5f);
        }

        peft.IsMerged.Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DeletingEveryAdapterRestoresTheBaseModel(string name)
    {
        var c = AdapterCases.Get(name);
        using var ids = AdapterCases.Ids();
        using var expected = BaseLogits(c, ids);
        using var peft = AdapterCases.Build(c);
        AdapterCases.Randomize(peft);

        foreach (var adapter in peft.Adapters)
        {
            peft.DeleteAdapter(adapter);
        }

        peft.Adapters.Should().BeEmpty();
        peft.ActiveAdapter.Should().BeNull();
        peft.TrainableParameters().Should().BeEmpty();
        using var logits = AdapterCases.Logits(x => peft.Forward(x), ids);
        AdapterCases.MaxDiff(logits, expected).Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnlyTheActiveAdaptersParametersReceiveGradients(string name)
    {
        var c = AdapterCases.Get(name);
        using var ids = AdapterCases.Ids();
        using var peft = AdapterCases.Build(c);
        AdapterCases.Randomize(peft);
        var config = peft.PeftConfig[c.Active];
        var trainable = peft.TrainableParameters();

        var names = trainable.Select(p => p.Name).ToList();
        var wrapped = peft.LoraLayers.Count(l => l.Value.AdapterNames.Contains(c.Active));
        names.Count(n => n.Contains($".lora_A.{c.Active}.weight")).Should().Be(wrapped);
        names.Count(n => n.Contains($".lora_B.{c.Active}.weight")).Should().Be(wrapped);
        names.Count(n => n.Contains($".lora_magnitude_vector.{c.Active}.weight")).Should().Be(config.UseDora ? wrapped : 0);
        names.Any(n => n.Contains(".modules_to_save.")).Should().Be(config.ModulesToSave is not null);
        names.Any(n => n.EndsWith(".bias", StringComparison.Ordinal)).Should().Be(config.Bias != "none");
        names.Should().OnlyContain(n => n.StartsWith("base_model.model.", StringComparison.Ordinal));
        foreach (var other in peft.Adapters.Where(a => a != c.Active))
        {
            names.Should().NotContain(n => n.Contains($".{other}."), "inactive adapters are frozen");
        }

        peft.Train();
        using (var output = peft.Forward(ids, labels: ids))
        {
            output.Loss!.backward();
        }

        foreach (var (n, p) in trainable)
        {
            p.grad.Should().NotBeNull(n);
            using var norm = p.grad!.abs().sum();
            norm.item<float>().Should().BeGreaterThan(0, n);
        }

        var trainableSet = new HashSet<Parameter>(trainable.Select(t => t.Parameter), ReferenceEqualityComparer.Instance);
        foreach (var (n, p) in peft.BaseModel.named_parameters().Where(p => !trainableSet.Contains(p.parameter)))
        {
            p.requires_grad.Should().BeFalse(n);
            p.grad.Should().BeNull(n);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SaveThenLoadReproducesEveryAdapter(string name)
    {
        var c = AdapterCases.Get(name);
        using var ids = AdapterCases.Ids();
        using var dir = new TempDirectory();
        var expected = new Dictionary<string, Tensor>();
        var configs = new Dictionary<string, LoraConfig>();
        using (var peft = AdapterCases.Build(c))
        {
            foreach (var (adapter, config) in peft.PeftConfig)
            {
                configs[adapter] = config;
            }

            AdapterCases.Randomize(peft);
            using (no_grad())
            {
                foreach (var (_, bias) in peft.TrainableParameters().Where(p => p.Name.EndsWith(".bias", StringComparison.Ordinal)))
                {
                    bias.add_(0.05); // a trained bias must travel with the adapter
                }
            }

            foreach (var adapter in peft.Adapters)
            {
                peft.SetAdapter(adapter);
                expected[adapter] = AdapterCases.Logits(x => peft.Forward(x), ids);
            }

            peft.SaveAdapter(dir.Path);
        }

        using var loaded = PeftModel.FromPretrained(TinyModels.Create(c.Model()), AdapterFolder(dir.Path, c.Adapters[0].Adapter), c.Adapters[0].Adapter);
        foreach (var (adapter, _) in c.Adapters.Skip(1))
        {
            loaded.LoadAdapter(AdapterFolder(dir.Path, adapter), adapter);
        }

        foreach (var (adapter, logits) in expected)
        {
            loaded.SetAdapter(adapter);
            using var actual = AdapterCases.Logits(x => loaded.Forward(x), ids);
            AdapterCases.MaxDiff(actual, logits).Should().Be(0, adapter);
            LoraConfig.Load(AdapterFolder(dir.Path, adapter)).Should().BeEquivalentTo(configs[adapter] with { InferenceMode = true });
            logits.Dispose();
        }

        loaded.TrainableParameters().Should().BeEmpty("adapters load frozen unless isTrainable");
    }

    private static string AdapterFolder(string root, string adapter) => adapter == "default" ? root : Path.Combine(root, adapter);
}
