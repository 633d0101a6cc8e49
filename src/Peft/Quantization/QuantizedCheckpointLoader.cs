using Peft.Checkpoints;
using Peft.Models;
using Peft.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Quantization;

/// <summary>
/// Loads a model saved by <see cref="QuantizedModel.SavePretrained"/> (or a bitsandbytes checkpoint of the same
/// layout): dense tensors stream into their parameters as in <see cref="CausalLM.FromPretrained"/>, quantized
/// tensors are validated and installed in the quantized layers without ever building a dense weight.
/// </summary>
internal static class QuantizedCheckpointLoader
{
    public static CausalLM Load(string folder, ModelConfig config, QuantizationConfig quantization, ModelLoadOptions options)
    {
        TorchRuntime.EnsureInitialized(options.Logger);
        var generation = GenerationConfig.Load(folder);
        using var checkpoint = SafetensorsCheckpoint.Open(folder);
        var device = DeviceSelector.Select(options.Device, options.Logger).Device;
        var onCpu = device.type == DeviceType.CPU;
        var storage = options.StorageType ?? (onCpu ? ScalarType.Float32 : DenseDType(checkpoint) ?? ScalarType.Float32);
        var compute = options.ComputeType ?? (onCpu ? ScalarType.Float32 : storage);
        foreach (var (what, t) in new[] { ("storage", storage), ("compute", compute) })
        {
            if (t is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            {
                throw new ArgumentException($"The {what} dtype must be float32, bfloat16 or float16; found {t}.", nameof(options));
            }
        }

        var factory = quantization.CreateLinearFactory(device, options.LinearFactory);
        var model = new CausalLM(config, generation, storage, compute, options.LowMemory ? META : device, factory) { Device = device };
        try
        {
            model.eval();
            foreach (var (_, p) in model.named_parameters())
            {
                p.requires_grad = false;
            }

            LoadState(model, checkpoint, device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void LoadState(CausalLM model, SafetensorsCheckpoint checkpoint, Device device)
    {
        var dense = new Dictionary<string, (nn.Module Owner, string Name, long[] Shape)>(StringComparer.Ordinal);
        var quantized = new List<(string Prefix, QuantizedLinear Layer, string? StateKey)>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        Walk(model, string.Empty, dense, quantized);
        foreach (var (key, _) in dense)
        {
            expected.Add(key);
        }

        for (var i = 0; i < quantized.Count; i++)
        {
            var (prefix, layer, _) = quantized[i];
            string? stateKey = null;
            var keys = layer is Linear4bit
                ? QuantizedStateDict.Keys4Bit(prefix, layer.Bias is not null, checkpoint, out stateKey)
                : QuantizedStateDict.Keys8Bit(prefix, layer.Bias is not null, checkpoint);
            quantized[i] = (prefix, layer, stateKey);
            expected.UnionWith(keys);
        }

        missing.AddRange(expected.Where(k => !checkpoint.Contains(k)).OrderBy(k => k, StringComparer.Ordinal));
        var unexpected = checkpoint.Names.Where(k => !expected.Contains(k) && !Ignorable(k, model.Config)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = dense.Where(d => checkpoint.Contains(d.Key) && !checkpoint.GetInfo(d.Key).Shape.SequenceEqual(d.Value.Shape))
            .Select(d => $"{d.Key}: expected [{string.Join(", ", d.Value.Shape)}], found {checkpoint.GetInfo(d.Key).ShapeText}").ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            throw new CheckpointMismatchException(checkpoint.Source, missing, unexpected, mismatched);
        }

        foreach (var (key, target) in dense)
        {
            LoadDense(checkpoint, key, target.Owner, target.Name, device);
        }

        foreach (var (prefix, layer, stateKey) in quantized)
        {
            using (no_grad())
            {
                if (layer.Bias is { } bias)
                {
                    using var value = checkpoint.ReadTensor(prefix + "bias");
                    bias.copy_(value);
                }
            }

            if (layer is Linear4bit l4)
            {
                QuantizedStateDict.Restore4Bit(checkpoint, prefix, l4, stateKey!);
            }
            else
            {
                QuantizedStateDict.Restore8Bit(checkpoint, prefix, (Linear8bit)layer);
            }
        }
    }

    private static void Walk(nn.Module module, string prefix, Dictionary<string, (nn.Module, string, long[])> dense,
        List<(string, QuantizedLinear, string?)> quantized)
    {
        if (module is QuantizedLinear q)
        {
            quantized.Add((prefix, q, null));
            return;
        }

        foreach (var (name, p) in module.named_parameters(recurse: false))
        {
            dense[prefix + name] = (module, name, p.shape);
        }

        foreach (var (name, child) in module.named_children())
        {
            Walk(child, prefix + name + ".", dense, quantized);
        }
    }

    private static bool Ignorable(string key, ModelConfig config) =>
        key.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TieWordEmbeddings && key == "lm_head.weight");

    private static void LoadDense(SafetensorsCheckpoint checkpoint, string key, nn.Module owner, string name, Device device)
    {
        var info = checkpoint.GetInfo(key);
        if (info.ScalarType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
        {
            throw new SafetensorsFormatException(checkpoint.Source, key, $"expected a floating-point tensor; found {info.DType}.");
        }

        var parameter = owner.named_parameters(recurse: false).First(p => p.name == name).parameter;
        if (parameter.device_type == DeviceType.META)
        {
            var real = new Parameter(empty(parameter.shape, parameter.dtype, device), requires_grad: false);
            ModuleSurgery.ReplaceParameter(owner, name, real);
            parameter = real;
        }

        if (parameter.device_type == DeviceType.CPU && parameter.dtype == info.ScalarType && parameter.is_contiguous())
        {
            checkpoint.ReadInto(key, parameter);
            return;
        }

        using var tensor = checkpoint.ReadTensor(key);
        using (no_grad())
        {
            parameter.copy_(tensor);
        }
    }

    /// <summary>The most common floating dtype among the checkpoint's dense tensors.</summary>
    private static ScalarType? DenseDType(SafetensorsCheckpoint checkpoint)
    {
        var floating = checkpoint.Names.Where(n => !n.Contains(".weight.", StringComparison.Ordinal) && !n.EndsWith(".SCB", StringComparison.Ordinal))
            .Select(n => checkpoint.GetInfo(n).ScalarType)
            .Where(t => t is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16).ToList();
        return floating.Count == 0 ? null : floating.GroupBy(t => t).OrderByDescending(g => g.Count()).First().Key;
    }
}
