using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.Checkpoints;
using Peft.IO;
using Peft.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>Writes a model as a Hugging Face checkpoint folder, producing each weight only when it is written.</summary>
internal static class ModelStateExporter
{
    public static void Save(CausalLM model, string folder, ScalarType dtype, long maxShardBytes)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
        {
            throw new ArgumentException($"Models are saved as float32, bfloat16 or float16; found {dtype}.", nameof(dtype));
        }

        var sources = new List<TensorSource>();
        Collect(model, string.Empty, dtype, sources);
        Directory.CreateDirectory(folder);
        SafetensorsCheckpoint.Save(folder, sources, maxShardBytes, "model", new Dictionary<string, string> { ["format"] = "pt" });

        var config = model.Config.ToJson();
        config["torch_dtype"] = DTypeName(dtype);
        var options = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString(options) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, "generation_config.json"), GenerationJson(model.GenerationConfig).ToJsonString(options) + "\n");
    }

    /// <summary>The tensors a model exports: every parameter, with non-dense linear layers written as dense weights.</summary>
    internal static void Collect(nn.Module module, string prefix, ScalarType dtype, List<TensorSource> sources)
    {
        if (module is ILinearLayer linear && module is not Linear)
        {
            sources.Add(new TensorSource(prefix + "weight", dtype, new[] { linear.OutFeatures, linear.InFeatures },
                () => linear.DenseWeight(dtype), DisposeAfterWrite: true));
            if (linear.Bias is { } bias)
            {
                sources.Add(Converted(prefix + "bias", bias, dtype));
            }

            return;
        }

        foreach (var (name, p) in module.named_parameters(recurse: false))
        {
            sources.Add(Converted(prefix + name, p, dtype));
        }

        foreach (var (name, child) in module.named_children())
        {
            Collect(child, prefix + name + ".", dtype, sources);
        }
    }

    private static TensorSource Converted(string name, Tensor t, ScalarType dtype) =>
        t.dtype == dtype && t.device_type == DeviceType.CPU
            ? TensorSource.Of(name, t)
            : new TensorSource(name, dtype, t.shape, () => t.detach().to(dtype).cpu(), DisposeAfterWrite: true);

    internal static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };

    /// <summary>generation_config.json for a generation config (null fields left out).</summary>
    internal static JsonObject GenerationJson(GenerationConfig g)
    {
        var json = new JsonObject();
        void Set(string name, JsonNode? value)
        {
            if (value is not null)
            {
                json[name] = value;
            }
        }

        Set("bos_token_id", g.BosTokenId);
        Set("eos_token_id", g.EosTokenIds.Count switch
        {
            0 => null,
            1 => g.EosTokenIds[0],
            _ => new JsonArray(g.EosTokenIds.Select(i => (JsonNode?)i).ToArray()),
        });
        Set("pad_token_id", g.PadTokenId);
        Set("do_sample", g.DoSample);
        Set("temperature", g.Temperature);
        Set("top_k", g.TopK);
        Set("top_p", g.TopP);
        Set("repetition_penalty", g.RepetitionPenalty);
        Set("max_new_tokens", g.MaxNewTokens);
        return json;
    }
}
