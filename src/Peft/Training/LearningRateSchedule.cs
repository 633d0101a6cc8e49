namespace Peft.Training;

/// <summary>The shape of the learning rate over training, after a linear warmup from 0.</summary>
public enum LearningRateSchedule
{
    /// <summary>Constant after warmup.</summary>
    Constant,

    /// <summary>Linear decay to 0 at the last step.</summary>
    Linear,

    /// <summary>Half-cosine decay to 0 at the last step.</summary>
    Cosine,
}
