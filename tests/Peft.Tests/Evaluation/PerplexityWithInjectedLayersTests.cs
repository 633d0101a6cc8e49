using System.Text.Json;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Evaluation;
using Peft.Models;
using Peft.Models.Layers;
using Peft.Runtime;
using Peft.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Evaluation;

/// <summary>
/// Perplexity runs whatever module tree the model has: here the hf-parity model is built with every projection
/// replaced (through <see cref="ModelLoadOptions.LinearFactory"/>, the hook adapters and quantization use) by a
/// minimal LoRA layer holding the real PEFT 0.13 adapter <c>lora_r8</c>, and the perplexity must equal the one
/// transformers + PEFT measured with the adapter on.
/// </summary>
public sealed class PerplexityWithInjectedLayersTests
{
    [Theory]
    [InlineData("len7")]
    [InlineData("len33")]
    public void AdapterOnPerplexityMatchesPeft(string seq)
    {
        using var adapter = SafetensorsFile.Open(TestData.HfParity("adapters", "lora_r8", "adapter_model.safetensors"));
        const double scaling = 16.0 / 8; // lora_alpha / r
        using var model = CausalLM.FromPretrained(TestData.HfParity("model"), new ModelLoadOptions
        {
            Device = DeviceOption.Cpu,
            LinearFactory = spec => new MinimalLora(spec,
                adapter.ReadTensor($"base_model.model.{spec.Path}.lora_A.weight"),
                adapter.ReadTensor($"base_model.model.{spec.Path}.lora_B.weight"), scaling),
        });
        using var vectors = JsonDocument.Parse(File.ReadAllText(TestData.HfParity("vectors.json")));
        var expected = vectors.RootElement.GetProperty("results").GetProperty("lora_r8").GetProperty("adapter_on").GetProperty(seq);
        var ids = expected.GetProperty("input_ids").EnumerateArray().Select(e => e.GetInt64()).ToArray();

        var result = Perplexity.ComputeTokens(model, [ids]);

        var perplexity = expected.GetProperty("perplexity").GetDouble();
        result.Perplexity.Should().BeApproximately(perplexity, perplexity * 1e-4);
        var basePerplexity = vectors.RootElement.GetProperty("results").GetProperty("base").GetProperty(seq).GetProperty("perplexity").GetDouble();
        Math.Abs(result.Perplexity - basePerplexity).Should().BeGreaterThan(100, "the adapter changes the model");
    }

    /// <summary><c>y = x·Wᵀ + s·(x·Aᵀ)·Bᵀ</c> with the frozen weight taken from the checkpoint as it streams in.</summary>
    private sealed class MinimalLora : nn.Module<Tensor, Tensor>, ICheckpointTensorSink
    {
        private readonly long[] _shape;
        private readonly Tensor _a;
        private readonly Tensor _b;
        private readonly double _scaling;
        private Tensor? _weight;

        public MinimalLora(LinearSpec spec, Tensor a, Tensor b, double scaling)
            : base(spec.Path)
        {
            _shape = [spec.OutFeatures, spec.InFeatures];
            (_a, _b, _scaling) = (a, b, scaling);
        }

        public IReadOnlyList<(string Name, long[] Shape)> ExpectedTensors => [("weight", _shape)];

        public void LoadCheckpointTensor(string name, Tensor value) => _weight = value.to(ScalarType.Float32).clone();

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var output = nn.functional.linear(input, _weight!) + _scaling * nn.functional.linear(nn.functional.linear(input, _a), _b);
            return output.MoveToOuterDisposeScope();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _a.Dispose();
                _b.Dispose();
                _weight?.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
