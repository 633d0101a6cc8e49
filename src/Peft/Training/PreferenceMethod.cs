namespace Peft.Training;

/// <summary>The preference objective.</summary>
public enum PreferenceMethod
{
    /// <summary>Direct Preference Optimization against a reference (the model with adapters disabled, or precomputed).</summary>
    Dpo,

    /// <summary>ORPO: SFT loss plus an odds-ratio term; no reference model.</summary>
    Orpo,
}
