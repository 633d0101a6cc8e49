using Peft.Runtime;

namespace Peft.Cli.QuickStart;

/// <summary>Settings of the QuickStart.</summary>
internal sealed record QuickStartOptions
{
    public string OutputDirectory { get; init; } = "peft-quickstart";

    public required string DataDirectory { get; init; }

    /// <summary>A real Hugging Face model folder; null trains a toy base model on the spot.</summary>
    public string? ModelFolder { get; init; }

    /// <summary>Quantize the frozen base to NF4 with double quantization (QLoRA).</summary>
    public bool QLoRA { get; init; }

    public DeviceOption Device { get; init; } = DeviceOption.Auto;

    public int TrainExamples { get; init; } = 400;

    public int EvalExamples { get; init; } = 40;

    public int MaxAbstractWords { get; init; } = 120;

    public int VocabSize { get; init; } = 1024;

    public int PretrainSteps { get; init; } = 300;

    public double FineTuneEpochs { get; init; } = 6;

    public double FineTuneLearningRate { get; init; } = 6e-3;

    public long Seed { get; init; } = 42;
}
