using System.Text.Json;
using Peft.Checkpoints;
using Peft.IO;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// Writes and reads training checkpoints: <c>checkpoint-&lt;step&gt;/</c> with the adapter (PEFT format), the exact
/// trainable tensors, the optimizer moments, the random state, the trainer state and the options. A checkpoint is
/// assembled in a temporary folder and renamed into place, so a crash never leaves a half-written one.
/// </summary>
internal static class CheckpointStore
{
    internal const string Prefix = "checkpoint-";
    private const string StateFile = "trainer_state.json";
    /// <summary>Hugging Face's snake_case names (as in trainer_state.json / training_args.json).</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Save(string outputDirectory, ITrainableModel model, AdamW optimizer, TrainerState state, TrainingOptions options)
    {
        Directory.CreateDirectory(outputDirectory);
        var final = Path.Combine(outputDirectory, Prefix + state.Step);
        var temp = Path.Combine(outputDirectory, $".{Prefix}{state.Step}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            model.SaveAdapter(temp);
            SafetensorsWriter.Write(Path.Combine(temp, "trainable.safetensors"),
                model.TrainableParameters().Select(p => KeyValuePair.Create(p.Name, (Tensor)p.Parameter)));
            SafetensorsWriter.Write(Path.Combine(temp, "optimizer.safetensors"), optimizer.StateTensors(),
                new Dictionary<string, string> { ["step"] = optimizer.Step.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            using (var rng = get_rng_state())
            {
                SafetensorsWriter.Write(Path.Combine(temp, "rng_state.safetensors"), new Dictionary<string, Tensor> { ["cpu"] = rng });
            }

            AtomicFile.WriteAllText(Path.Combine(temp, StateFile), JsonSerializer.Serialize(state, Json));
            AtomicFile.WriteAllText(Path.Combine(temp, "training_options.json"), JsonSerializer.Serialize(options, Json));
            if (Directory.Exists(final))
            {
                Directory.Delete(final, recursive: true);
            }

            Directory.Move(temp, final);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }

        Prune(outputDirectory, options.SaveTotalLimit);
        return final;
    }

    /// <summary>Checkpoint folders, oldest first.</summary>
    public static IReadOnlyList<string> List(string outputDirectory) =>
        !Directory.Exists(outputDirectory)
            ? Array.Empty<string>()
            : Directory.GetDirectories(outputDirectory, Prefix + "*")
                .Where(d => File.Exists(Path.Combine(d, StateFile)) && long.TryParse(Path.GetFileName(d)[Prefix.Length..], out _))
                .OrderBy(d => long.Parse(Path.GetFileName(d)[Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();

    private static void Prune(string outputDirectory, int keep)
    {
        if (keep <= 0)
        {
            return;
        }

        var all = List(outputDirectory);
        foreach (var old in all.Take(Math.Max(0, all.Count - keep)))
        {
            Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>Restores trainable tensors, optimizer and random state from a checkpoint; returns the trainer state.</summary>
    /// <exception cref="InvalidDataException">The checkpoint does not match the model being trained (all mismatches listed).</exception>
    public static TrainerState Load(string checkpoint, ITrainableModel model, AdamW optimizer)
    {
        var statePath = Path.Combine(checkpoint, StateFile);
        if (!File.Exists(statePath))
        {
            throw new FileNotFoundException($"'{checkpoint}' is not a training checkpoint: {StateFile} is missing.", statePath);
        }

        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(statePath), Json)
                    ?? throw new InvalidDataException($"{statePath} is empty.");
        var trainable = model.TrainableParameters();
        using (var saved = SafetensorsFile.Open(Path.Combine(checkpoint, "trainable.safetensors")))
        {
            var expected = trainable.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var found = saved.Names.ToHashSet(StringComparer.Ordinal);
            var problems = expected.Except(found).Select(n => $"missing '{n}'")
                .Concat(found.Except(expected).Select(n => $"unexpected '{n}'"))
                .Concat(trainable.Where(p => found.Contains(p.Name) && !saved.GetInfo(p.Name).Shape.SequenceEqual(p.Parameter.shape))
                    .Select(p => $"'{p.Name}' is {saved.GetInfo(p.Name).ShapeText}, the model has [{string.Join(", ", p.Parameter.shape)}]"))
                .ToList();
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"Checkpoint '{checkpoint}' does not match the model being trained: {string.Join("; ", problems)}.");
            }

            using var guard = no_grad();
            foreach (var (name, p) in trainable)
            {
                using var value = saved.ReadTensor(name);
                p.copy_(value);
            }
        }

        using (var moments = SafetensorsFile.Open(Path.Combine(checkpoint, "optimizer.safetensors")))
        {
            var step = long.Parse(moments.Metadata["step"], System.Globalization.CultureInfo.InvariantCulture);
            optimizer.LoadState(step, name => moments.Contains(name) ? moments.ReadTensor(name) : null);
        }

        using (var rng = SafetensorsFile.Open(Path.Combine(checkpoint, "rng_state.safetensors")))
        using (var cpu = rng.ReadTensor("cpu"))
        {
            set_rng_state(cpu);
        }

        return state;
    }
}
