using Peft.Models;
using TorchSharp.Modules;

namespace Peft.Training;

/// <summary>The model side of training: which parameters learn, and how the result is saved.</summary>
public interface ITrainableModel
{
    /// <summary>The model the objectives run.</summary>
    CausalLM Model { get; }

    /// <summary>The parameters that learn, with stable names (used for optimizer state and checkpoints).</summary>
    IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters();

    /// <summary>Saves what was learned (an adapter in PEFT format) to a folder.</summary>
    /// <param name="folder">The target folder.</param>
    void SaveAdapter(string folder);

    /// <summary>Switches dropout on (training) or off (evaluation).</summary>
    void SetTraining(bool training);
}
