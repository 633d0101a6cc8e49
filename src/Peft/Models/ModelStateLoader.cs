using Peft.Checkpoints;
using Peft.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// Streams checkpoint tensors into a model one at a time: straight into the parameter's memory when dtype and
/// device allow, otherwise through one temporary tensor. Meta-device parameters are materialised on the
/// model's device as their tensor arrives. Before anything is read, the key sets and shapes are compared and
/// every mismatch is reported at once.
/// </summary>
internal static class ModelStateLoader
{
    /// <summary>Where one checkpoint tensor goes.</summary>
    internal sealed record Target(string Key, long[] Shape, nn.Module Owner, string LocalName, ICheckpointTensorSink? Sink);

    /// <summary>Every tensor the model expects, keyed by checkpoint name, in module order.</summary>
    internal static List<Target> Targets(nn.Module root)
    {
        var targets = new List<Target>();
        Walk(root, string.Empty, targets);
        return targets;
    }

    private static void Walk(nn.Module module, string prefix, List<Target> targets)
    {
        if (module is ICheckpointTensorSink sink)
        {
            foreach (var (name, shape) in sink.ExpectedTensors)
            {
                targets.Add(new Target(prefix + name, shape, module, name, sink));
            }

            return;
        }

        foreach (var (name, p) in module.named_parameters(recurse: false))
        {
            targets.Add(new Target(prefix + name, p.shape, module, name, null));
        }

        foreach (var (name, child) in module.named_children())
        {
            Walk(child, prefix + name + ".", targets);
        }
    }

    public static void Load(CausalLM model, SafetensorsCheckpoint checkpoint)
    {
        var targets = Targets(model).ToDictionary(t => t.Key, StringComparer.Ordinal);
        var available = new HashSet<string>(checkpoint.Names, StringComparer.Ordinal);
        var missing = targets.Keys.Where(k => !available.Contains(k)).ToList();
        var unexpected = available.Where(k => !targets.ContainsKey(k) && !Ignorable(k, model.Config)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var mismatched = targets.Values.Where(t => available.Contains(t.Key) && !checkpoint.GetInfo(t.Key).Shape.SequenceEqual(t.Shape))
            .Select(t => $"{t.Key}: expected [{string.Join(", ", t.Shape)}], found {checkpoint.GetInfo(t.Key).ShapeText}").ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            throw new CheckpointMismatchException(checkpoint.Source, missing, unexpected, mismatched);
        }

        foreach (var key in checkpoint.Names.Where(targets.ContainsKey))
        {
            LoadOne(targets[key], checkpoint, model.Device);
        }
    }

    /// <summary>Keys transformers also tolerates: rotary caches of old checkpoints and a duplicate head of tied models.</summary>
    private static bool Ignorable(string key, ModelConfig config) =>
        key.EndsWith(".rotary_emb.inv_freq", StringComparison.Ordinal) || (config.TieWordEmbeddings && key == "lm_head.weight");

    private static void LoadOne(Target target, SafetensorsCheckpoint checkpoint, Device device)
    {
        var info = checkpoint.GetInfo(target.Key);
        if (info.ScalarType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
        {
            throw new SafetensorsFormatException(checkpoint.Source, target.Key, $"expected a floating-point tensor; found {info.DType}.");
        }

        if (target.Sink is not null)
        {
            using var value = checkpoint.ReadTensor(target.Key);
            target.Sink.LoadCheckpointTensor(target.LocalName, value);
            return;
        }

        var parameter = target.Owner.named_parameters(recurse: false).First(p => p.name == target.LocalName).parameter;
        if (parameter.device_type == DeviceType.META)
        {
            var real = new Parameter(empty(parameter.shape, parameter.dtype, device), requires_grad: false);
            real.DetachFromDisposeScope();
            ModuleSurgery.ReplaceParameter(target.Owner, target.LocalName, real);
            parameter = real;
        }

        if (parameter.device_type == DeviceType.CPU && parameter.dtype == info.ScalarType && parameter.is_contiguous())
        {
            checkpoint.ReadInto(target.Key, parameter); // raw bytes straight into the parameter
            return;
        }

        using var tensor = checkpoint.ReadTensor(target.Key);
        using (no_grad())
        {
            parameter.copy_(tensor);
        }
    }

    /// <summary>Random weights as transformers initialises Llama: normal(0, std) for matrices, zeros for biases, ones for norms.</summary>
    public static void InitializeRandom(nn.Module model, double std, long seed)
    {
        using var generator = new Generator((ulong)seed);
        using var guard = no_grad();
        foreach (var target in Targets(model))
        {
            var isNorm = target.Key.EndsWith("norm.weight", StringComparison.Ordinal);
            var isBias = target.Key.EndsWith(".bias", StringComparison.Ordinal);
            if (target.Sink is not null)
            {
                using var value = isBias ? zeros(target.Shape) : normal(0, std, target.Shape, generator: generator);
                target.Sink.LoadCheckpointTensor(target.LocalName, value);
                continue;
            }

            var parameter = target.Owner.named_parameters(recurse: false).First(p => p.name == target.LocalName).parameter;
            if (isNorm)
            {
                parameter.fill_(1.0);
            }
            else if (isBias)
            {
                parameter.zero_();
            }
            else
            {
                using var value = normal(0, std, parameter.shape, generator: generator);
                parameter.copy_(value);
            }
        }
    }
}
