using FluentAssertions;
using Peft.Adapters;
using Peft.Cli;
using Peft.Generation;
using Peft.Models;
using Peft.Quantization;
using Peft.Runtime;
using Peft.Tokenization;
using Xunit;
using static TorchSharp.torch;

namespace Peft.Tests.Cli;

/// <summary><c>peft generate</c>, <c>peft merge</c> and <c>peft inspect</c> on the tiny model and adapter.</summary>
public sealed class GenerateMergeInspectTests : IClassFixture<CliWorkspace>
{
    private static readonly ModelLoadOptions Cpu = new() { Device = DeviceOption.Cpu };
    private readonly CliWorkspace _ws;

    public GenerateMergeInspectTests(CliWorkspace ws) => _ws = ws;

    [Fact]
    public void GenerateStreamsTheSameTextAsTheLibrary()
    {
        var result = CliWorkspace.Run("generate", "--model", _ws.Model, "--adapter", _ws.Adapter, "--prompt", "the cat", "--max-new-tokens", "8");

        using var peft = PeftModel.FromPretrained(CausalLM.FromPretrained(_ws.Model, Cpu), _ws.Adapter);
        var expected = new TextGenerator(peft.BaseModel, PretrainedTokenizer.FromPretrained(_ws.Model))
            .Generate("the cat", new GenerationOptions { MaxNewTokens = 8 });
        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Be(expected.Text + "\n");
        expected.TokenIds.Should().NotBeEmpty();
    }

    [Fact]
    public void ChatKeepsTheConversationAndStopsOnAnEmptyLine()
    {
        var result = CliWorkspace.RunWith("hello there\n/reset\nhow are you?\n\nnever read\n", default,
            "generate", "--model", _ws.Model, "--chat", "--system", "be brief", "--max-new-tokens", "3", "--temperature", "0.7", "--seed", "1");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Split("> ").Should().HaveCount(5, "four prompts are shown: two messages, /reset, and the empty line that ends the chat");
        result.Output.Should().Contain("(conversation cleared)");
    }

    [Fact]
    public void ChatNeedsAChatTemplate()
    {
        var plain = _ws.PathOf("plain");
        Directory.CreateDirectory(plain);
        ByteLevelBpeTrainer.Train(["the cat sat"], 300, plain, ["<|endoftext|>"], null, "<|endoftext|>");

        var result = CliWorkspace.Run("generate", "--model", _ws.Model, "--tokenizer", plain, "--chat");

        result.ExitCode.Should().Be(ExitCodes.Usage);
        result.Error.Should().Contain("has no chat template; use --prompt without --template.");
    }

    [Fact]
    public void MergeWritesAModelThatComputesWhatTheAdapterDid()
    {
        var output = _ws.PathOf("merged");

        var result = CliWorkspace.Run("merge", "--model", _ws.Model, "--adapter", _ws.Adapter, "--output", output, "--dtype", "fp32");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        File.Exists(Path.Combine(output, "tokenizer.json")).Should().BeTrue();
        PretrainedTokenizer.FromPretrained(output).ChatTemplates.Should().ContainKey("default");
        using var merged = CausalLM.FromPretrained(output, Cpu);
        using var peft = PeftModel.FromPretrained(CausalLM.FromPretrained(_ws.Model, Cpu), _ws.Adapter);
        AssertSameLogits(merged, peft.BaseModel, 1e-5);
    }

    [Fact]
    public void MergeOntoAQuantizedBaseDequantizesFirst()
    {
        var output = _ws.PathOf("merged-nf4");

        var result = CliWorkspace.Run("merge", "--model", _ws.Model, "--adapter", _ws.Adapter, "--output", output, "--quantize", "nf4", "--dtype", "fp32");

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("quantized base dequantized before merging");
        using var merged = CausalLM.FromPretrained(output, Cpu);
        using var peft = PeftModel.FromPretrained(QuantizedModel.FromPretrained(_ws.Model, QuantizationConfig.Nf4(doubleQuant: false), Cpu), _ws.Adapter);
        AssertSameLogits(merged, peft.BaseModel, 1e-4);
    }

    [Fact]
    public void MergeInBf16HalvesTheWeights()
    {
        var output = _ws.PathOf("merged-bf16");

        CliWorkspace.Run("merge", "--model", _ws.Model, "--adapter", _ws.Adapter, "--output", output).ExitCode.Should().Be(ExitCodes.Success);

        using var checkpoint = Peft.Checkpoints.SafetensorsCheckpoint.Open(output);
        checkpoint.Names.Select(n => checkpoint.GetInfo(n).DType).Distinct().Should().Equal("BF16");
    }

    [Fact]
    public void InspectModelShowsConfigDtypesAndMemoryPerQuantization()
    {
        var result = CliWorkspace.Run("inspect", _ws.Model);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        var parameters = _ws.Config.ParameterCount();
        result.Output.Should().Contain($"{parameters:N0}").And.Contain("F32").And.Contain("chat template: default");
        foreach (var (row, bytes) in new[]
                 {
                     ("fp32", parameters * 4),
                     ("nf4 + double quant (rest bf16)", ModelMemoryReport.Estimate(_ws.Config, ScalarType.BFloat16, QuantizationConfig.Nf4(doubleQuant: true))),
                 })
        {
            result.Output.Should().MatchRegex($@"{System.Text.RegularExpressions.Regex.Escape(row)}\s+│\s+{System.Text.RegularExpressions.Regex.Escape(Peft.Cli.Infrastructure.Numbers.Bytes(bytes))}");
        }
    }

    [Fact]
    public void InspectAdapterShowsConfigAndTensorShapes()
    {
        var result = CliWorkspace.Run("inspect", _ws.Adapter);

        result.ExitCode.Should().Be(ExitCodes.Success, result.ToString());
        result.Output.Should().Contain("4 / 8 / 0").And.Contain("q_proj, v_proj")
            .And.Contain("base_model.model.model.layers.*.self_attn.v_proj.lora_B.weight").And.Contain("[16, 4]")
            .And.Contain("8 tensors, 896 parameters");
    }

    [Fact]
    public void CorruptCheckpointIsOneLineFailure()
    {
        var broken = _ws.PathOf("broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(_ws.Model, "config.json"), Path.Combine(broken, "config.json"));
        File.WriteAllBytes(Path.Combine(broken, "model.safetensors"), [1, 2, 3]);

        var result = CliWorkspace.Run("inspect", broken);

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Error.Should().StartWith("error: ").And.Contain("model.safetensors");
        result.Error.Trim().Split('\n').Should().HaveCount(1);
    }

    private static void AssertSameLogits(CausalLM a, CausalLM b, double tolerance)
    {
        using var ids = tensor(new long[] { 5, 17, 42, 99, 7, 250 }).unsqueeze(0);
        using var x = a.Forward(ids);
        using var y = b.Forward(ids);
        var max = (x.Logits - y.Logits).abs().max().item<float>();
        max.Should().BeLessThan((float)tolerance);
        (y.Logits.abs().max().item<float>()).Should().BeGreaterThan(0);
    }
}
