namespace Peft.Generation;

/// <summary>Why generation of a sequence ended.</summary>
public enum StopReason
{
    /// <summary>The model produced an end-of-sequence (stop) token.</summary>
    EndOfSequence,

    /// <summary>The decoded text reached one of the stop strings.</summary>
    StopString,

    /// <summary><see cref="GenerationOptions.MaxNewTokens"/> tokens were generated.</summary>
    Length,

    /// <summary>The caller's cancellation token fired; generation stopped at a step boundary.</summary>
    Cancelled,
}
