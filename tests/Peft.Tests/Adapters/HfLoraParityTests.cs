using System.Text.Json;
using FluentAssertions;
using Peft.Adapters;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Adapters;

/// <summary>
/// Parity with real PEFT 0.13 on the hf-parity fixture: adapters written by PEFT's save_pretrained, loaded here,
/// reproduce PEFT's logits with the adapter on, merged and disabled (tolerance 1e-4 max abs).
/// </summary>
public sealed class HfLoraParityTests : IClassFixture<HfLoraParityTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Reference = SafetensorsFile.Open(TestData.HfParity("logits.safetensors"));
            Vectors = JsonDocument.Parse(File.ReadAllText(TestData.HfParity("vectors.json")));
        }

        public SafetensorsFile Reference { get; }

        public JsonDocument Vectors { get; }

        public long[] Ids(string seq) => Vectors.RootElement.GetProperty("results").GetProperty("base").GetProperty(seq)
            .GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        public static CausalLM Model() => CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions { Device = DeviceOption.Cpu });

        public void Dispose()
        {
            Reference.Dispose();
            Vectors.Dispose();
        }
    }

    private static readonly string[] Sequences = { "len1", "len7", "len33" };

    private readonly Fixture _f;

    public HfLoraParityTests(Fixture fixture) => _f = fixture;

    public static TheoryData<string> Adapters => new() { "lora_r8", "lora_r4_qv" };

    private void AssertLogits(Func<Tensor, CausalLMOutput> forward, string adapter, string variant)
    {
        foreach (var seq in Sequences)
        {
            using var ids = tensor(_f.Ids(seq)).unsqueeze(0);
            using var output = forward(ids);
            using var expected = _f.Reference.ReadTensor($"{adapter}/{variant}/{seq}/logits");
            output.Logits.shape.Should().Equal(1, ids.shape[1], 256);
            (output.Logits[0] - expected).abs().max().item<float>().Should().BeLessThan(1e-4f, $"{adapter} {variant} {seq}");
        }
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public void AdapterOnMergedAndDisabledMatchPeft(string adapter)
    {
        using var peft = PeftModel.FromPretrained(Fixture.Model(), TestData.HfParity("adapters", adapter));

        AssertLogits(ids => peft.Forward(ids), adapter, "adapter_on");
        using (peft.DisableAdapters())
        {
            AssertLogits(ids => peft.Forward(ids), adapter, "adapter_disabled");
        }

        AssertLogits(ids => peft.Forward(ids), adapter, "adapter_on"); // the scope restored the adapter
        peft.Merge();
        peft.IsMerged.Should().BeTrue();
        AssertLogits(ids => peft.Forward(ids), adapter, "merged");
        peft.Unmerge();
        AssertLogits(ids => peft.Forward(ids), adapter, "adapter_on");
    }

    [Theory]
    [MemberData(nameof(Adapters))]
    public void MergeAndUnloadGivesPlainModelWithPeftMergedLogits(string adapter)
    {
        var peft = PeftModel.FromPretrained(Fixture.Model(), TestData.HfParity("adapters", adapter));
        using var merged = peft.MergeAndUnload();
        peft.Dispose(); // no longer owns the model

        TargetMatcher.Modules(merged).Should().NotContain(m => m.Module is LoraLinear);
        merged.Model.Layers[0].SelfAttention.named_children().Select(c => c.module).Should().AllBeOfType<Peft.Models.Layers.Linear>();
        AssertLogits(ids => merged.Forward(ids), adapter, "merged");

        using var checkpoint = SafetensorsCheckpoint.Open(TestData.HfParity("model"));
        merged.state_dict().Keys.Should().BeEquivalentTo(checkpoint.Names, "the merged model has the original layout again");
    }

    [Fact]
    public void ExportedMergedCheckpointsReloadWithTheFineTune()
    {
        using var withAdapters = new TempDirectory();
        using var unloaded = new TempDirectory();
        using (var peft = PeftModel.FromPretrained(Fixture.Model(), TestData.HfParity("adapters", "lora_r8")))
        {
            peft.BaseModel.SavePretrained(withAdapters.Path); // LoRA layers export their effective weights
            using var merged = peft.MergeAndUnload();
            merged.SavePretrained(unloaded.Path);
        }

        foreach (var dir in new[] { withAdapters.Path, unloaded.Path })
        {
            using var reloaded = CausalLM.FromPretrained(dir, new ModelLoadOptions { Device = DeviceOption.Cpu });
            AssertLogits(ids => reloaded.Forward(ids), "lora_r8", "merged");
        }
    }

    [Fact]
    public void TwoPeftAdaptersSideBySideSwitchExactly()
    {
        using var peft = PeftModel.FromPretrained(Fixture.Model(), TestData.HfParity("adapters", "lora_r8"), "r8");
        peft.LoadAdapter(TestData.HfParity("adapters", "lora_r4_qv"), "qv");

        peft.ActiveAdapter.Should().Be("r8");
        AssertLogits(ids => peft.Forward(ids), "lora_r8", "adapter_on");
        peft.SetAdapter("qv");
        AssertLogits(ids => peft.Forward(ids), "lora_r4_qv", "adapter_on");
        peft.DeleteAdapter("qv");
        peft.ActiveAdapter.Should().Be("r8");
        AssertLogits(ids => peft.Forward(ids), "lora_r8", "adapter_on");
    }
}
