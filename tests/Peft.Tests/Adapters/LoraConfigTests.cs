using FluentAssertions;
using Microsoft.Extensions.Logging;
using Peft.Adapters;
using Peft.Tests.Support;
using Xunit;

namespace Peft.Tests.Adapters;

public sealed class LoraConfigTests
{
    [Theory]
    [InlineData("lora_r8")]
    [InlineData("lora_r4_qv")]
    public void PeftWrittenConfigRoundTripsByteForByte(string adapter)
    {
        var path = TestData.HfParity("adapters", adapter, "adapter_config.json");
        var text = File.ReadAllText(path);
        var warnings = new List<string>();

        var config = LoraConfig.Parse(text, path, warnings);

        warnings.Should().BeEmpty("every field PEFT 0.13 writes is known");
        config.ToJson().Should().Be(text, "sorted keys, indent 2, Python float notation, no trailing newline, as PEFT writes it");
    }

    [Fact]
    public void ParsesEveryFieldOfTheFixture()
    {
        var config = LoraConfig.Load(TestData.HfParity("adapters", "lora_r8"));

        config.R.Should().Be(8);
        config.LoraAlpha.Should().Be(16);
        config.LoraDropout.Should().Be(0);
        config.TargetModules.Should().BeEquivalentTo("gate_proj", "v_proj", "o_proj", "k_proj", "up_proj", "down_proj", "q_proj");
        config.TargetModulesRegex.Should().BeNull();
        config.Bias.Should().Be("none");
        config.InitLoraWeights.Should().Be("true");
        config.InferenceMode.Should().BeTrue();
        config.BaseModelNameOrPath.Should().Be("model");
        config.TaskType.Should().Be("CAUSAL_LM");
        config.UseDora.Should().BeFalse();
        config.UseRslora.Should().BeFalse();
        config.RankPattern.Should().BeEmpty();
        config.Scaling(8, 16).Should().Be(2);
        (config with { UseRslora = true }).Scaling(16, 32).Should().Be(8);
    }

    [Fact]
    public void WritesEveryOptionInPeftsShapes()
    {
        var config = new LoraConfig
        {
            R = 4, LoraAlpha = 7.5, LoraDropout = 0.05, TargetModulesRegex = @".*\.(q_proj|v_proj)", ModulesToSave = new[] { "lm_head" },
            RankPattern = new Dictionary<string, int> { ["q_proj"] = 2 }, AlphaPattern = new Dictionary<string, double> { ["v_proj"] = 3 },
            Bias = "lora_only", UseDora = true, UseRslora = true, InitLoraWeights = "gaussian", ExcludeModules = new[] { "layers.1.self_attn.q_proj" },
        };

        var json = config.ToJson();

        json.Should().Contain("\"lora_alpha\": 7.5,").And.Contain("\"lora_dropout\": 0.05,").And.Contain("\"r\": 4,")
            .And.Contain("\"target_modules\": \".*\\\\.(q_proj|v_proj)\",").And.Contain("\"init_lora_weights\": \"gaussian\",")
            .And.Contain("\"rank_pattern\": {\n    \"q_proj\": 2\n  },").And.Contain("\"alpha_pattern\": {\n    \"v_proj\": 3\n  },")
            .And.Contain("\"modules_to_save\": [\n    \"lm_head\"\n  ],").And.Contain("\"exclude_modules\": [");
        var back = LoraConfig.Parse(json);
        back.Should().BeEquivalentTo(config);
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(0.05, "0.05")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(16.0, "16.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(123456.789, "123456.789")]
    public void FloatsAreWrittenInPythonReprNotation(double value, string expected) =>
        PythonJson.FloatRepr(value).Should().Be(expected);

    [Fact]
    public void StringsAreEscapedLikePythonEnsureAscii() =>
        PythonJson.Serialize(new List<object?> { "é\"\\<\n" }).Should().Be("[\n  \"\\u00e9\\\"\\\\<\\n\"\n]");

    [Fact]
    public void UnknownFieldsAreIgnoredWithAWarningAndNewerDefaultsSilently()
    {
        var json = """{"peft_type": "LORA", "r": 4, "target_modules": ["q_proj"], "fancy_new_option": 3, "lora_bias": false, "exclude_modules": null, "peft_version": "0.17.0", "layer_replication": null}""";
        var logger = new CollectingLogger();
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("adapter_config.json"), json);

        var config = LoraConfig.Load(dir.Path, logger);

        config.R.Should().Be(4);
        logger.Messages.Should().ContainSingle().Which.Should().Contain("fancy_new_option").And.Contain("adapter_config.json");
    }

    [Fact]
    public void ConfigsOfNewerPeftVersionsLoadWithoutWarnings()
    {
        var json = """
            {"alora_invocation_tokens": null, "alpha_pattern": {}, "arrow_config": null, "auto_mapping": null, "base_model_name_or_path": "HuggingFaceTB/SmolLM2-135M",
             "bias": "none", "corda_config": null, "ensure_weight_tying": false, "eva_config": null, "exclude_modules": null, "fan_in_fan_out": false,
             "inference_mode": true, "init_lora_weights": true, "layer_replication": null, "layers_pattern": null, "layers_to_transform": null,
             "loftq_config": {}, "lora_alpha": 32, "lora_bias": false, "lora_dropout": 0.05, "megatron_config": null, "megatron_core": "megatron.core",
             "modules_to_save": null, "peft_type": "LORA", "peft_version": "0.17.1", "qalora_group_size": 16, "r": 16, "rank_pattern": {}, "revision": null,
             "target_modules": ["q_proj", "v_proj"], "target_parameters": null, "task_type": "CAUSAL_LM", "trainable_token_indices": null,
             "use_dora": false, "use_qalora": false, "use_rslora": false, "runtime_config": {"ephemeral_gpu_offload": false}}
            """;
        var warnings = new List<string>();

        var config = LoraConfig.Parse(json, "adapter_config.json", warnings);

        warnings.Should().BeEmpty();
        config.R.Should().Be(16);
        config.LoraDropout.Should().Be(0.05);
        config.ExcludeModules.Should().BeNull();
    }

    [Theory]
    [InlineData("""{"r": 0}""", "r", "positive integer")]
    [InlineData("""{"r": "8"}""", "r", "an integer")]
    [InlineData("""{"r": 2.5}""", "r", "an integer")]
    [InlineData("""{"lora_alpha": "x"}""", "lora_alpha", "a number")]
    [InlineData("""{"lora_dropout": 1.5}""", "lora_dropout", "[0, 1)")]
    [InlineData("""{"bias": "some"}""", "bias", "lora_only")]
    [InlineData("""{"target_modules": 5}""", "target_modules", "list of strings")]
    [InlineData("""{"target_modules": ["q_proj", 3]}""", "target_modules", "list of strings")]
    [InlineData("""{"target_modules": "(unclosed"}""", "target_modules", "regular expression")]
    [InlineData("""{"init_lora_weights": "magic"}""", "init_lora_weights", "gaussian")]
    [InlineData("""{"init_lora_weights": 3}""", "init_lora_weights", "true, false or a string")]
    [InlineData("""{"peft_type": "IA3"}""", "peft_type", "LORA")]
    [InlineData("""{"lora_bias": true}""", "lora_bias", "does not support")]
    [InlineData("""{"layer_replication": [[0, 2]]}""", "layer_replication", "does not support")]
    [InlineData("""{"rank_pattern": {"q_proj": "big"}}""", "rank_pattern", "an integer")]
    [InlineData("""{"rank_pattern": {"q_proj": 0}}""", "rank_pattern", "positive")]
    [InlineData("""{"layers_to_transform": [0, -1], "target_modules": ["q_proj"]}""", "layers_to_transform", "non-negative")]
    [InlineData("""{"layers_to_transform": [0], "target_modules": ".*q_proj"}""", "layers_to_transform", "regex")]
    [InlineData("""{"layers_pattern": "layers", "target_modules": ["q_proj"]}""", "layers_pattern", "layers_to_transform")]
    [InlineData("""{"task_type": "SEQ_CLS"}""", "task_type", "CAUSAL_LM")]
    [InlineData("""{"use_dora": "yes"}""", "use_dora", "true or false")]
    public void BadValuesNameTheFieldAndTheFile(string json, string field, string expected)
    {
        var act = () => LoraConfig.Parse(json, "/adapters/x/adapter_config.json");

        var error = act.Should().Throw<LoraConfigException>().Which;
        error.Field.Should().Be(field);
        error.Message.Should().Contain("/adapters/x/adapter_config.json").And.Contain(field).And.Contain(expected);
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        var act = () => LoraConfig.Parse("{\"r\": 8,", "cfg.json");
        act.Should().Throw<LoraConfigException>().WithMessage("*cfg.json*not valid JSON*");
    }

    [Fact]
    public void MethodsPeftCanOnlyInitialiseLoadButCannotBeCreated()
    {
        var config = LoraConfig.Parse("""{"init_lora_weights": "pissa_niter_4", "target_modules": ["q_proj"]}""");
        config.InitLoraWeights.Should().Be("pissa_niter_4");

        using var model = TinyModels.Create(TinyModels.Config());
        var act = () => PeftModel.Create(model, config);
        act.Should().Throw<LoraConfigException>().Which.Field.Should().Be("init_lora_weights");
    }

    internal sealed class CollectingLogger : ILogger
    {
        public List<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
