using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>Sums the TRL-named preference metrics over a batch (the trainer divides by the number of pairs).</summary>
internal static class PreferenceMetrics
{
    public static Dictionary<string, double> Sums(Tensor chosenRewards, Tensor rejectedRewards, Tensor chosenLogps, Tensor rejectedLogps)
    {
        using var scope = NewDisposeScope();
        double Sum(Tensor t) => t.detach().to(ScalarType.Float64).sum().item<double>();
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["rewards/chosen"] = Sum(chosenRewards),
            ["rewards/rejected"] = Sum(rejectedRewards),
            ["rewards/accuracies"] = Sum((chosenRewards > rejectedRewards).to(ScalarType.Float32)),
            ["rewards/margins"] = Sum(chosenRewards - rejectedRewards),
            ["logps/chosen"] = Sum(chosenLogps),
            ["logps/rejected"] = Sum(rejectedLogps),
        };
    }
}
