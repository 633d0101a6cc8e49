using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>What an objective computes for one micro-batch.</summary>
/// <param name="LossSum">The summed (not averaged) loss, a scalar that can be backpropagated.</param>
/// <param name="MetricSums">Metrics summed over the batch (e.g. per-pair rewards); the trainer divides by the total weight.</param>
public sealed record ObjectiveResult(Tensor LossSum, IReadOnlyDictionary<string, double> MetricSums);
