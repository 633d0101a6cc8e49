using Peft.Checkpoints;
using Peft.Models.Layers;
using Peft.Runtime;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Peft.Models;

/// <summary>
/// A Llama-family causal language model (llama, mistral, qwen2) whose module names equal the Hugging Face
/// checkpoint keys: <c>model.embed_tokens.weight</c>, <c>model.layers.N.self_attn.q_proj.weight</c>, …,
/// <c>model.norm.weight</c>, and <c>lm_head.weight</c> unless the embeddings are tied. Its logits and loss
/// match transformers' to float32 rounding.
/// </summary>
/// <example>
/// <code>
/// using var model = CausalLM.FromPretrained("models/SmolLM2-135M");
/// using var ids = torch.tensor(new long[] { 1, 15, 27 }).unsqueeze(0);
/// using var output = model.Forward(ids);
/// </code>
/// </example>
public sealed class CausalLM : nn.Module
{
    [ComponentName(Name = "model")]
    private DecoderModel _model;

    [ComponentName(Name = "lm_head")]
    private nn.Module<Tensor, Tensor>? _lmHead;

    private readonly RotaryEmbedding _rotary;

    internal CausalLM(ModelConfig config, GenerationConfig generation, ScalarType storage, ScalarType compute, Device device,
        Func<LinearSpec, nn.Module<Tensor, Tensor>>? linearFactory)
        : base("CausalLM")
    {
        Config = config;
        GenerationConfig = generation;
        StorageType = storage;
        ComputeType = compute;
        Device = device;
        nn.Module<Tensor, Tensor> Build(LinearSpecArgs a)
        {
            var spec = new LinearSpec(a.Path, a.InFeatures, a.OutFeatures, a.HasBias, storage, device);
            return linearFactory is null ? spec.CreateDense() : linearFactory(spec);
        }

        _model = new DecoderModel(config, storage, compute, device, Build);
        _lmHead = config.TieWordEmbeddings
            ? null
            : Linear.Create(config.HiddenSize, config.VocabSize, false, storage, device); // lm_head stays dense
        _rotary = new RotaryEmbedding(config);
        RegisterComponents();
        DetachFromDisposeScopes(this);
    }

    /// <summary>
    /// A model outlives the dispose scope it was built in: TorchSharp puts every new tensor and parameter in the
    /// current scope, which would free the weights when the scope ends.
    /// </summary>
    internal static void DetachFromDisposeScopes(nn.Module module)
    {
        foreach (var (_, p) in module.named_parameters())
        {
            p.DetachFromDisposeScope();
        }

        foreach (var (_, b) in module.named_buffers())
        {
            b.DetachFromDisposeScope();
        }
    }

    /// <summary>The model's configuration.</summary>
    public ModelConfig Config { get; }

    /// <summary>Default decoding settings from <c>generation_config.json</c>.</summary>
    public GenerationConfig GenerationConfig { get; }

    /// <summary>Dtype weights are stored in.</summary>
    public ScalarType StorageType { get; }

    /// <summary>Dtype activations are computed in.</summary>
    public ScalarType ComputeType { get; }

    /// <summary>The device the model lives on.</summary>
    public Device Device { get; internal set; }

    /// <summary>The decoder stack (<c>model.</c>).</summary>
    public DecoderModel Model => _model;

    /// <summary>The LM head (<c>lm_head</c>), or null when tied to the token embeddings.</summary>
    public nn.Module<Tensor, Tensor>? LmHead => _lmHead;

    /// <summary>Loads a Hugging Face checkpoint folder (config.json + safetensors, single or sharded).</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="options">Device, dtypes, low-memory loading, linear factory; null for defaults.</param>
    /// <returns>The model in evaluation mode with every parameter frozen.</returns>
    /// <exception cref="ModelConfigException">config.json is invalid or unsupported.</exception>
    /// <exception cref="CheckpointMismatchException">Tensors are missing, unexpected or mis-shaped (all listed).</exception>
    /// <exception cref="SafetensorsFormatException">A checkpoint file is corrupt.</exception>
    public static CausalLM FromPretrained(string folder, ModelLoadOptions? options = null)
    {
        options ??= new ModelLoadOptions();
        var config = ModelConfig.Load(folder);
        if (config.Raw["quantization_config"] is not null && options.LinearFactory is null)
        {
            throw new ModelConfigException(Path.Combine(folder, "config.json"), "quantization_config",
                "the folder holds a quantized model; load it with Peft.Quantization.QuantizedModel.FromPretrained.");
        }

        var generation = GenerationConfig.Load(folder);
        using var checkpoint = SafetensorsCheckpoint.Open(folder);
        var model = Build(config, generation, options, CheckpointDType(checkpoint));
        try
        {
            ModelStateLoader.Load(model, checkpoint);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Builds a model with random weights (normal(0, initializer_range), zero biases, unit norms), for tests and training from scratch.</summary>
    /// <param name="config">The architecture.</param>
    /// <param name="options">Device and dtypes; null for defaults.</param>
    /// <param name="seed">Seed of the initialisation.</param>
    public static CausalLM Create(ModelConfig config, ModelLoadOptions? options = null, long seed = 0)
    {
        options ??= new ModelLoadOptions();
        var model = Build(config, new GenerationConfig { BosTokenId = config.BosTokenId, EosTokenIds = config.EosTokenIds }, options with { LowMemory = false }, null);
        ModelStateLoader.InitializeRandom(model, config.InitializerRange, seed);
        return model;
    }

    private static CausalLM Build(ModelConfig config, GenerationConfig generation, ModelLoadOptions options, ScalarType? checkpointType)
    {
        TorchRuntime.EnsureInitialized(options.Logger);
        var device = DeviceSelector.Select(options.Device, options.Logger).Device;
        var onCpu = device.type == DeviceType.CPU;
        var storage = options.StorageType ?? (onCpu ? ScalarType.Float32 : checkpointType ?? ScalarType.Float32);
        var compute = options.ComputeType ?? (onCpu ? ScalarType.Float32 : storage);
        foreach (var (what, t) in new[] { ("storage", storage), ("compute", compute) })
        {
            if (t is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            {
                throw new ArgumentException($"The {what} dtype must be float32, bfloat16 or float16; found {t}.", nameof(options));
            }
        }

        var buildDevice = options.LowMemory ? META : device;
        var model = new CausalLM(config, generation, storage, compute, buildDevice, options.LinearFactory);
        model.Device = device;
        model.eval();
        foreach (var (_, p) in model.named_parameters())
        {
            p.requires_grad = false;
        }

        return model;
    }

    private static ScalarType? CheckpointDType(SafetensorsCheckpoint checkpoint)
    {
        var floating = checkpoint.Names.Select(n => checkpoint.GetInfo(n).ScalarType)
            .Where(t => t is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16).ToList();
        return floating.Count == 0 ? null : floating.GroupBy(t => t).OrderByDescending(g => g.Count()).First().Key;
    }

    /// <summary>A KV cache sized for this model, for incremental decoding with <see cref="Forward"/>.</summary>
    /// <param name="initialCapacity">Positions to preallocate.</param>
    public KvCache CreateCache(long initialCapacity = 256) => new(Config.NumHiddenLayers, initialCapacity);

    /// <summary>
    /// Runs the model. With a cache, <paramref name="inputIds"/> holds only the new tokens; the attention mask
    /// (when given) covers cached plus new positions.
    /// </summary>
    /// <param name="inputIds">[batch, seq] int64 token ids.</param>
    /// <param name="attentionMask">
    /// [batch, past + seq], 1 for real tokens and 0 for padding; null when nothing is padded. For packed rows,
    /// number each sequence 1, 2, 3, …: tokens then attend only within their sequence and positions restart.
    /// </param>
    /// <param name="labels">[batch, seq] int64 targets (usually the input ids) with −100 where no loss is wanted; null for no loss.</param>
    /// <param name="cache">KV cache to read and extend, or null.</param>
    /// <param name="positionIds">[batch, seq] positions; by default derived from the attention mask (so left-padded rows get the same positions as unpadded ones), else consecutive from the cache length.</param>
    /// <param name="outputHiddenStates">Also return the hidden states of every layer.</param>
    /// <returns>Logits [batch, seq, vocab], the loss when labels were given, and optional hidden states.</returns>
    public CausalLMOutput Forward(Tensor inputIds, Tensor? attentionMask = null, Tensor? labels = null, KvCache? cache = null,
        Tensor? positionIds = null, bool outputHiddenStates = false)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        if (inputIds.dim() != 2)
        {
            throw new ArgumentException($"Expected input ids of shape [batch, seq]; found [{string.Join(", ", inputIds.shape)}].", nameof(inputIds));
        }

        using var scope = NewDisposeScope();
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        var past = cache?.Length ?? 0;
        var ids = inputIds.device == Device ? inputIds : inputIds.to(Device);
        var mask = attentionMask is null ? null : attentionMask.device == Device ? attentionMask : attentionMask.to(Device);
        positionIds ??= mask is null
            ? arange(past, past + seq, dtype: ScalarType.Int64, device: Device).unsqueeze(0).expand(batch, seq)
            : PositionsFromMask(mask).narrow(1, past, seq);

        using var masks = AttentionMasks.Build(mask, batch, seq, past, Config.SlidingWindow, Device);
        var (cos, sin) = _rotary.Compute(positionIds.to(Device), ComputeType);
        var hidden = outputHiddenStates ? new List<Tensor>() : null;
        var states = _model.Forward(ids, cos, sin, masks, cache, hidden);
        var logits = _lmHead is null
            ? nn.functional.linear(states, EmbeddingForHead(states.dtype))
            : _lmHead.forward(states);
        if (logits.dtype != ScalarType.Float32 && Device.type == DeviceType.CPU)
        {
            logits = logits.to(ScalarType.Float32);
        }

        Tensor? loss = null;
        if (labels is not null)
        {
            loss = ShiftedCrossEntropy(logits, labels.to(Device));
        }

        cache?.Advance(seq);
        var output = new CausalLMOutput(
            logits.MoveToOuterDisposeScope(),
            loss?.MoveToOuterDisposeScope(),
            hidden?.Select(h => h.MoveToOuterDisposeScope()).ToList());
        return output;
    }

    /// <summary>
    /// Positions implied by a mask [batch, keys]: the count of real tokens before each one within its segment,
    /// so left padding does not shift positions and packed sequences restart at 0.
    /// </summary>
    private static Tensor PositionsFromMask(Tensor mask)
    {
        using var scope = NewDisposeScope();
        var segments = mask.to(ScalarType.Int64);
        var real = (segments != 0).to(ScalarType.Int64);
        var counts = real.cumsum(-1);                                                         // real tokens up to here
        var starts = segments != segments.roll(1, -1);                                       // a segment begins here
        starts.select(-1, 0).fill_(true);
        var before = where(starts, counts - real, zeros_like(counts)).cummax(-1).values;      // count before the segment
        return (counts - before - 1).clamp_min(0).MoveToOuterDisposeScope();
    }

    private Tensor EmbeddingForHead(ScalarType dtype)
    {
        var w = _model.EmbedTokens.Weight;
        return w.dtype == dtype ? w : w.to(dtype);
    }

    /// <summary>transformers' causal-LM loss: logits at t predict labels at t+1; mean over targets that are not −100.</summary>
    /// <param name="logits">[batch, seq, vocab]</param>
    /// <param name="labels">[batch, seq]</param>
    internal static Tensor ShiftedCrossEntropy(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        long seq = logits.shape[1], vocab = logits.shape[2];
        var shiftedLogits = logits.narrow(1, 0, seq - 1).reshape(-1, vocab).to(ScalarType.Float32);
        var shiftedLabels = labels.narrow(1, 1, seq - 1).reshape(-1);
        return nn.functional.cross_entropy(shiftedLogits, shiftedLabels, ignore_index: -100).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Saves the model as a Hugging Face checkpoint folder that transformers loads: <c>config.json</c>,
    /// <c>generation_config.json</c> and <c>model.safetensors</c> (sharded with an index above
    /// <paramref name="maxShardBytes"/>). Quantized or adapter-wrapped projections are written as dense weights.
    /// </summary>
    /// <param name="folder">Output folder (created if needed).</param>
    /// <param name="dtype">Dtype of the saved weights; null keeps the storage dtype.</param>
    /// <param name="maxShardBytes">Largest shard.</param>
    public void SavePretrained(string folder, ScalarType? dtype = null, long maxShardBytes = 5_000_000_000) =>
        ModelStateExporter.Save(this, folder, dtype ?? StorageType, maxShardBytes);

    /// <summary>Frees the rotary tables along with the module.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rotary.Dispose();
        }

        base.Dispose(disposing);
    }
}
