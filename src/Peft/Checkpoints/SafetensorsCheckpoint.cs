using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.IO;
using TorchSharp;

namespace Peft.Checkpoints;

/// <summary>
/// A checkpoint stored as one safetensors file or as shards listed in a Hugging Face index
/// (<c>model.safetensors.index.json</c>). Every file is memory-mapped and validated when opened; tensors are
/// read one at a time.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    /// <summary>The file name of a single-file model checkpoint.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The file name of a sharded model checkpoint's index.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _fileOf;
    private readonly List<string> _names;

    private SafetensorsCheckpoint(string source, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOf, List<string> names)
    {
        Source = source;
        _files = files;
        _fileOf = fileOf;
        _names = names;
    }

    /// <summary>The path that was opened (a file or an index).</summary>
    public string Source { get; }

    /// <summary>The safetensors files, in index order.</summary>
    public IReadOnlyList<string> Files => _files.Select(f => f.FilePath).ToArray();

    /// <summary>All tensor names, shard by shard in file order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The first file's <c>__metadata__</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata => _files.Count > 0 ? _files[0].Metadata : new Dictionary<string, string>();

    /// <summary>Total bytes of tensor data.</summary>
    public long TotalBytes => _names.Sum(n => GetInfo(n).ByteCount);

    /// <summary>
    /// Opens a checkpoint: a folder (uses <c>model.safetensors.index.json</c> if present, else
    /// <c>model.safetensors</c>, else the folder's only <c>*.safetensors</c> file), a <c>.safetensors</c> file, or
    /// an index <c>.json</c> file.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing loadable is at <paramref name="path"/>; the message lists what was looked for.</exception>
    /// <exception cref="SafetensorsFormatException">A file or the index is malformed.</exception>
    public static SafetensorsCheckpoint Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            var index = Path.Combine(full, IndexFileName);
            if (File.Exists(index))
            {
                return OpenIndex(index);
            }

            var single = Path.Combine(full, SingleFileName);
            if (File.Exists(single))
            {
                return OpenFiles(single, new[] { single });
            }

            var candidates = Directory.GetFiles(full, "*.safetensors");
            if (candidates.Length == 1)
            {
                return OpenFiles(candidates[0], candidates);
            }

            throw new FileNotFoundException(
                $"No safetensors checkpoint in '{full}': looked for {IndexFileName}, {SingleFileName} or a single *.safetensors file"
                + (candidates.Length > 1 ? $" (found {candidates.Length} *.safetensors files but no index)." : "."), full);
        }

        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"Checkpoint not found: '{full}'.", full);
        }

        return full.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OpenIndex(full) : OpenFiles(full, new[] { full });
    }

    private static SafetensorsCheckpoint OpenFiles(string source, IEnumerable<string> paths)
    {
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var p in paths)
            {
                files.Add(SafetensorsFile.Open(p));
            }

            var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            var names = new List<string>();
            foreach (var file in files)
            {
                foreach (var name in file.Names)
                {
                    if (!fileOf.TryAdd(name, file))
                    {
                        throw new SafetensorsFormatException(file.FilePath, name, $"the tensor is also in '{fileOf[name].FilePath}'.");
                    }

                    names.Add(name);
                }
            }

            return new SafetensorsCheckpoint(source, files, fileOf, names);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    private static SafetensorsCheckpoint OpenIndex(string indexPath)
    {
        var folder = Path.GetDirectoryName(indexPath)!;
        Dictionary<string, string> weightMap;
        try
        {
            var root = JsonNode.Parse(File.ReadAllText(indexPath)) as JsonObject
                ?? throw new SafetensorsFormatException(indexPath, null, "the index must be a JSON object.");
            var map = root["weight_map"] as JsonObject
                ?? throw new SafetensorsFormatException(indexPath, null, "the index has no \"weight_map\" object.");
            weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in map)
            {
                if (value is not JsonValue v || !v.TryGetValue<string>(out var file) || string.IsNullOrEmpty(file))
                {
                    throw new SafetensorsFormatException(indexPath, key, "weight_map values must be shard file names.");
                }

                if (Path.IsPathRooted(file) || file.Contains("..", StringComparison.Ordinal) || file.IndexOfAny(new[] { '/', '\\' }) >= 0)
                {
                    throw new SafetensorsFormatException(indexPath, key, $"shard name '{file}' must be a plain file name in the index's folder.");
                }

                weightMap[key] = file;
            }
        }
        catch (JsonException ex)
        {
            throw new SafetensorsFormatException(indexPath, null, $"the index is not valid JSON ({ex.Message}).", ex);
        }

        var shardNames = weightMap.Values.Distinct(StringComparer.Ordinal).ToList();
        var missingShards = shardNames.Where(s => !File.Exists(Path.Combine(folder, s))).ToList();
        if (missingShards.Count > 0)
        {
            throw new SafetensorsFormatException(indexPath, null, $"shard file(s) listed in weight_map are missing: {string.Join(", ", missingShards)}.");
        }

        var opened = OpenFiles(indexPath, shardNames.Select(s => Path.Combine(folder, s)));
        var missing = weightMap.Where(kv => !opened._fileOf.TryGetValue(kv.Key, out var f)
                || !string.Equals(Path.GetFileName(f.FilePath), kv.Value, StringComparison.Ordinal))
            .Select(kv => $"'{kv.Key}' (expected in {kv.Value})").ToList();
        if (missing.Count > 0)
        {
            opened.Dispose();
            throw new SafetensorsFormatException(indexPath, null,
                $"{missing.Count} tensor(s) named in weight_map are not in their shard: {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")}.");
        }

        // Only what the index lists is part of the checkpoint.
        opened._names.RemoveAll(n => !weightMap.ContainsKey(n));
        return opened;
    }

    /// <summary>True when the checkpoint holds a tensor of that name.</summary>
    public bool Contains(string name) => _fileOf.ContainsKey(name) && _names.Contains(name);

    /// <summary>The header entry of a tensor.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public SafetensorsTensorInfo GetInfo(string name) => FileOf(name).GetInfo(name);

    /// <summary>Reads a tensor into a new CPU tensor (stored dtype and shape).</summary>
    public torch.Tensor ReadTensor(string name) => FileOf(name).ReadTensor(name);

    /// <summary>Copies a tensor's bytes into an existing contiguous CPU tensor of the same dtype and element count.</summary>
    public void ReadInto(string name, torch.Tensor destination) => FileOf(name).ReadInto(name, destination);

    private SafetensorsFile FileOf(string name) =>
        _fileOf.TryGetValue(name, out var file)
            ? file
            : throw new KeyNotFoundException($"Tensor '{name}' is not in checkpoint '{Source}'.");

    /// <summary>
    /// Saves tensors as <c>&lt;baseName&gt;.safetensors</c> or, when they exceed <paramref name="maxShardBytes"/>,
    /// as <c>&lt;baseName&gt;-00001-of-0000N.safetensors</c> shards plus <c>&lt;baseName&gt;.safetensors.index.json</c>,
    /// the layout Hugging Face transformers writes. Stale files of the other layout are removed afterwards.
    /// </summary>
    /// <param name="folder">The output folder (created if needed).</param>
    /// <param name="tensors">Name → tensor.</param>
    /// <param name="maxShardBytes">Largest shard size; a single larger tensor gets a shard of its own.</param>
    /// <param name="baseName">File name stem, <c>model</c> by default.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> for every file.</param>
    /// <returns>The files written, index last when there is one.</returns>
    public static IReadOnlyList<string> Save(string folder, IEnumerable<KeyValuePair<string, torch.Tensor>> tensors,
        long maxShardBytes = 5_000_000_000, string baseName = "model", IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(folder, tensors.Select(t => TensorSource.Of(t.Key, t.Value)).ToList(), maxShardBytes, baseName, metadata);

    /// <summary>Like the tensor overload, but each tensor is produced only when it is written (see <see cref="TensorSource"/>).</summary>
    /// <param name="folder">The output folder (created if needed).</param>
    /// <param name="sources">The tensors to write.</param>
    /// <param name="maxShardBytes">Largest shard size; a single larger tensor gets a shard of its own.</param>
    /// <param name="baseName">File name stem, <c>model</c> by default.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> for every file.</param>
    /// <returns>The files written, index last when there is one.</returns>
    public static IReadOnlyList<string> Save(string folder, IReadOnlyList<TensorSource> sources,
        long maxShardBytes = 5_000_000_000, string baseName = "model", IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxShardBytes, 1);
        Directory.CreateDirectory(folder);
        var sorted = sources.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var shards = new List<List<TensorSource>> { new() };
        long current = 0;
        foreach (var entry in sorted)
        {
            var bytes = entry.ByteCount;
            if (current > 0 && current + bytes > maxShardBytes)
            {
                shards.Add(new());
                current = 0;
            }

            shards[^1].Add(entry);
            current += bytes;
        }

        var written = new List<string>();
        var single = Path.Combine(folder, baseName + ".safetensors");
        var index = Path.Combine(folder, baseName + ".safetensors.index.json");
        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(single, shards[0], metadata);
            written.Add(single);
            DeleteStale(folder, baseName, keep: written);
            if (File.Exists(index))
            {
                File.Delete(index);
            }

            return written;
        }

        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < shards.Count; i++)
        {
            var name = $"{baseName}-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(folder, name), shards[i], metadata);
            written.Add(Path.Combine(folder, name));
            foreach (var t in shards[i])
            {
                weightMap[t.Name] = name;
            }
        }

        var json = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = sorted.Sum(t => t.ByteCount) },
            ["weight_map"] = new JsonObject(weightMap.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        };
        AtomicFile.WriteAllText(index, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        written.Add(index);
        DeleteStale(folder, baseName, keep: written);
        if (File.Exists(single))
        {
            File.Delete(single);
        }

        return written;
    }

    private static void DeleteStale(string folder, string baseName, List<string> keep)
    {
        foreach (var shard in Directory.GetFiles(folder, $"{baseName}-*-of-*.safetensors"))
        {
            if (!keep.Contains(shard, StringComparer.Ordinal))
            {
                File.Delete(shard);
            }
        }
    }

    /// <summary>Unmaps every file.</summary>
    public void Dispose() => _files.ForEach(f => f.Dispose());
}
