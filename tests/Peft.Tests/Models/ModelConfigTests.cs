using System.Text.Json.Nodes;
using FluentAssertions;
using Peft.Models;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Models;

public sealed class ModelConfigTests
{
    private static JsonObject Minimal(string type = "llama") => new()
    {
        ["model_type"] = type,
        ["vocab_size"] = 100,
        ["hidden_size"] = 64,
        ["intermediate_size"] = 128,
        ["num_hidden_layers"] = 2,
        ["num_attention_heads"] = 8,
    };

    [Fact]
    public void ReadsTheFixtureConfig()
    {
        var c = ModelConfig.Load(TestData.HfParity("model"));
        c.ModelType.Should().Be("llama");
        (c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumHiddenLayers).Should().Be((256, 64, 128, 2));
        (c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim).Should().Be((4, 2, 16));
        c.RmsNormEps.Should().Be(1e-6);
        c.RopeTheta.Should().Be(10000);
        c.RopeScaling.Should().BeNull();
        c.TieWordEmbeddings.Should().BeFalse();
        c.TorchDtype.Should().Be("float32");
        c.BosTokenId.Should().Be(1);
        c.EosTokenIds.Should().Equal(2);
    }

    [Fact]
    public void DefaultsFollowTheModelType()
    {
        var llama = ModelConfig.Parse(Minimal());
        llama.NumKeyValueHeads.Should().Be(8);
        llama.HeadDim.Should().Be(8);
        llama.QkvBias.Should().BeFalse();
        llama.SlidingWindow.Should().BeNull();

        var qwen = ModelConfig.Parse(Minimal("qwen2"));
        qwen.QkvBias.Should().BeTrue();
        qwen.OutputBias.Should().BeFalse();
        qwen.SlidingWindow.Should().BeNull("use_sliding_window defaults to false");

        var qwenSliding = Minimal("qwen2");
        qwenSliding["use_sliding_window"] = true;
        qwenSliding["sliding_window"] = 32;
        qwenSliding["max_window_layers"] = 1;
        var q = ModelConfig.Parse(qwenSliding);
        q.UsesSlidingWindow(0).Should().BeFalse();
        q.UsesSlidingWindow(1).Should().BeTrue();

        var mistral = Minimal("mistral");
        mistral["sliding_window"] = 4096;
        ModelConfig.Parse(mistral).UsesSlidingWindow(0).Should().BeTrue();
    }

    [Fact]
    public void ReadsLlama3ConfigFields()
    {
        var json = Minimal();
        json["num_key_value_heads"] = 2;
        json["head_dim"] = 16;
        json["eos_token_id"] = new JsonArray(128001, 128008, 128009);
        json["rope_scaling"] = new JsonObject
        {
            ["rope_type"] = "llama3", ["factor"] = 8.0, ["low_freq_factor"] = 1.0, ["high_freq_factor"] = 4.0,
            ["original_max_position_embeddings"] = 8192,
        };
        json["tie_word_embeddings"] = true;
        json["some_future_field"] = new JsonObject { ["x"] = 1 };

        var c = ModelConfig.Parse(json);
        c.HeadDim.Should().Be(16);
        c.EosTokenIds.Should().Equal(128001, 128008, 128009);
        c.RopeScaling.Should().Be(new RopeScaling("llama3", 8, 1, 4, 8192));
        c.TieWordEmbeddings.Should().BeTrue();
        c.ToJson()["some_future_field"]!["x"]!.GetValue<int>().Should().Be(1);
        ModelConfig.Parse(c.ToJson()).Should().BeEquivalentTo(c, o => o.Excluding(x => x.Raw));
    }

    [Theory]
    [InlineData("vocab_size", null, "field 'vocab_size': required field is missing.")]
    [InlineData("hidden_size", "\"big\"", "field 'hidden_size': expected an integer; found \"big\".")]
    [InlineData("num_key_value_heads", "3", "field 'num_key_value_heads': 3 must be positive and divide num_attention_heads (8).")]
    [InlineData("hidden_act", "\"gelu\"", "field 'hidden_act': 'gelu' is not supported; expected 'silu'.")]
    [InlineData("tie_word_embeddings", "1", "field 'tie_word_embeddings': expected true or false; found 1.")]
    [InlineData("rope_scaling", "{\"rope_type\":\"yarn\",\"factor\":4}", "field 'rope_scaling.rope_type': rope scaling type 'yarn' is not supported; supported: linear, dynamic, llama3.")]
    [InlineData("rope_scaling", "{\"rope_type\":\"llama3\",\"factor\":8}", "field 'rope_scaling.original_max_position_embeddings': required for rope type 'llama3'.")]
    [InlineData("rope_scaling", "{\"factor\":2}", "field 'rope_scaling.rope_type': required field is missing.")]
    [InlineData("eos_token_id", "[1, \"x\"]", "field 'eos_token_id[1]': expected an integer; found \"x\".")]
    public void BadFieldsAreNamed(string field, string? json, string message)
    {
        var config = Minimal();
        if (json is null)
        {
            config.Remove(field);
        }
        else
        {
            config[field] = JsonNode.Parse(json);
        }

        var act = () => ModelConfig.Parse(config, "/m/config.json");
        act.Should().Throw<ModelConfigException>().WithMessage("Invalid model configuration '/m/config.json', " + message);
    }

    [Fact]
    public void LegacyRopeTypeKeyAndDefaultTypeAreAccepted()
    {
        var json = Minimal();
        json["rope_scaling"] = new JsonObject { ["type"] = "linear", ["factor"] = 2.0 };
        ModelConfig.Parse(json).RopeScaling.Should().Be(new RopeScaling("linear", 2));
        json["rope_scaling"] = new JsonObject { ["rope_type"] = "default" };
        ModelConfig.Parse(json).RopeScaling.Should().BeNull();
    }

    [Fact]
    public void GenerationConfigIsRead()
    {
        var g = GenerationConfig.Load(TestData.HfParity("model"));
        g.BosTokenId.Should().Be(1);
        g.EosTokenIds.Should().Equal(2);
        GenerationConfig.Load("/nonexistent-folder").Should().BeEquivalentTo(new GenerationConfig());
    }
}
