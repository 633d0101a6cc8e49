using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Checkpoints;
using Peft.Models;
using Peft.Quantization;
using Peft.Tests.Support;
using Xunit;
using static Peft.Tests.Quantization.QuantizedModels;
using static TorchSharp.torch;

namespace Peft.Tests.Quantization;

/// <summary>Corrupt saved quantized state gives an error that names the tensor.</summary>
public sealed class QuantizedStateCorruptionTests : IDisposable
{
    private const string P = "model.layers.0.self_attn.q_proj.";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Saves a quantized tiny model, then rewrites its checkpoint through <paramref name="corrupt"/>.</summary>
    private void SaveCorrupted(string kind, Action<Dictionary<string, Tensor>> corrupt)
    {
        using (var model = CausalLM.Create(Realistic(), Cpu with { LinearFactory = Config(kind).CreateLinearFactory() }, seed: 8))
        {
            QuantizedModel.SavePretrained(model, _dir.Path);
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (var file = SafetensorsFile.Open(_dir.File("model.safetensors")))
        {
            foreach (var name in file.Names)
            {
                tensors[name] = file.ReadTensor(name);
            }
        }

        corrupt(tensors);
        SafetensorsCheckpoint.Save(_dir.Path, tensors);
        foreach (var t in tensors.Values)
        {
            t.Dispose();
        }
    }

    private static Tensor Json(string text) => tensor(Encoding.UTF8.GetBytes(text));

    private Action Load => () => QuantizedModel.FromPretrained(_dir.Path, options: Cpu).Dispose();

    [Fact]
    public void PackedWeightOfTheWrongSize()
    {
        SaveCorrupted("nf4-dq", t => t[P + "weight"] = zeros(new long[] { 8000, 1 }, ScalarType.Byte));
        Load.Should().Throw<QuantizedStateException>()
            .Where(e => e.TensorName == P + "weight").WithMessage("*expected 8192 elements; found 8000 ([8000, 1])*");
    }

    [Fact]
    public void UnknownQuantTypeInTheKey()
    {
        SaveCorrupted("nf4", t =>
        {
            t[P + "weight.quant_state.bitsandbytes__int3"] = t[P + "weight.quant_state.bitsandbytes__nf4"];
            t.Remove(P + "weight.quant_state.bitsandbytes__nf4");
        });
        Load.Should().Throw<QuantizedStateException>().WithMessage($"*{P}weight.quant_state.bitsandbytes__int3*unknown quant type 'int3'*");
    }

    [Theory]
    [InlineData("{\"quant_type\": \"int3\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [128, 128]}", "*unknown quant_type 'int3'*")]
    [InlineData("{\"quant_type\": \"fp4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [128, 128]}", "*key says nf4 but quant_type is fp4*")]
    [InlineData("{\"quant_type\": \"nf4\", \"blocksize\": 48, \"dtype\": \"float32\", \"shape\": [128, 128]}", "*blocksize must be a power of two*found 48*")]
    [InlineData("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [128, 64]}", "*shape must be [128, 128]*found [128, 64]*")]
    [InlineData("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"int8\", \"shape\": [128, 128]}", "*unsupported dtype 'int8'*")]
    [InlineData("{\"quant_type\": \"nf4\", \"blocksize\": 64", "*not valid JSON*")]
    [InlineData("{\"quant_type\": \"nf4\", \"blocksize\": 64, \"dtype\": \"float32\", \"shape\": [128, 128], \"nested_blocksize\": 256, \"nested_dtype\": \"float32\"}", "*finite number \"nested_offset\"*")]
    public void MalformedQuantStateJson(string json, string message)
    {
        SaveCorrupted(json.Contains("nested", StringComparison.Ordinal) ? "nf4-dq" : "nf4", t => t[P + "weight.quant_state.bitsandbytes__nf4"] = Json(json));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.quant_state.bitsandbytes__nf4").WithMessage(message);
    }

    [Fact]
    public void AbsmaxOfTheWrongLengthOrDtype()
    {
        SaveCorrupted("nf4", t => t[P + "weight.absmax"] = ones(255));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.absmax").WithMessage("*expected 256 elements; found 255*");

        SaveCorrupted("nf4-dq", t => t[P + "weight.absmax"] = ones(256));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.absmax").WithMessage("*expected dtype U8; found F32*");
    }

    [Fact]
    public void NestedStateThatDisagreesWithTheJson()
    {
        SaveCorrupted("nf4-dq", t =>
        {
            t.Remove(P + "weight.nested_absmax");
            t.Remove(P + "weight.nested_quant_map");
        });
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.absmax").WithMessage("*double-quantized but weight.nested_absmax is missing*");

        SaveCorrupted("nf4-dq", t => t[P + "weight.nested_absmax"] = ones(3));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.nested_absmax").WithMessage("*expected 1 elements; found 3*");
    }

    [Fact]
    public void WrongCodeTable()
    {
        SaveCorrupted("nf4", t => t[P + "weight.quant_map"] = linspace(-1, 1, 16));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.quant_map").WithMessage("*not the nf4 table*");
    }

    [Fact]
    public void MissingTensorsAreListedByTheMismatchCheck()
    {
        SaveCorrupted("nf4", t => t.Remove(P + "weight.absmax"));
        Load.Should().Throw<CheckpointMismatchException>().Where(e => e.Missing.Contains(P + "weight.absmax"));

        SaveCorrupted("nf4", t => t[P + "weight.extra"] = ones(1));
        Load.Should().Throw<CheckpointMismatchException>().Where(e => e.Unexpected.Contains(P + "weight.extra"));
    }

    [Fact]
    public void Int8ScalesOfTheWrongLengthAndBadOutliers()
    {
        SaveCorrupted("int8", t => t[P + "SCB"] = ones(100));
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "SCB").WithMessage("*expected 128 elements; found 100*");

        SaveCorrupted("int8", t =>
        {
            t[P + "weight.outlier_columns"] = tensor(new long[] { 3, 500 });
            t[P + "weight.outlier_values"] = zeros(128, 2);
        });
        Load.Should().Throw<QuantizedStateException>().Where(e => e.TensorName == P + "weight.outlier_columns").WithMessage("*[0, 128)*");
    }

    [Fact]
    public void InvalidQuantizationConfigNamesTheField()
    {
        SaveCorrupted("nf4", _ => { });
        var path = _dir.File("config.json");
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json["quantization_config"]!["bnb_4bit_quant_type"] = "int3";
        File.WriteAllText(path, json.ToJsonString());
        Load.Should().Throw<ModelConfigException>().Where(e => e.Field == "quantization_config.bnb_4bit_quant_type").WithMessage("*\"nf4\" or \"fp4\"*int3*");
    }
}
