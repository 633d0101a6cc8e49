using Peft.Models;
using Peft.Runtime;

namespace Peft.Tests.Support;

/// <summary>Tiny random model configurations for invariant tests.</summary>
internal static class TinyModels
{
    public static ModelConfig Config(
        string modelType = "llama", int layers = 2, int heads = 4, int kvHeads = 2, int hidden = 32, int vocab = 64,
        bool tied = false, int? slidingWindow = null, int maxWindowLayers = 0, bool attentionBias = false, RopeScaling? rope = null,
        int maxPositions = 128) =>
        new()
        {
            ModelType = modelType,
            VocabSize = vocab,
            HiddenSize = hidden,
            IntermediateSize = hidden * 2,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = hidden / heads,
            TieWordEmbeddings = tied,
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputBias = modelType != "qwen2" && attentionBias,
            SlidingWindow = slidingWindow,
            MaxWindowLayers = maxWindowLayers,
            RopeScaling = rope,
            MaxPositionEmbeddings = maxPositions,
            InitializerRange = 0.2, // large weights make mistakes visible
            BosTokenId = 1,
            EosTokenIds = new[] { 2 },
        };

    public static CausalLM Create(ModelConfig config, long seed = 1) =>
        CausalLM.Create(config, new ModelLoadOptions { Device = DeviceOption.Cpu }, seed);
}
