namespace Peft.Data;

/// <summary>Lengths and EOS handling for preference pairs (TRL's <c>max_length</c>, <c>max_prompt_length</c>).</summary>
public sealed record PreferenceCollatorOptions
{
    /// <summary>Longest prompt + completion.</summary>
    public int MaxLength { get; init; } = 1024;

    /// <summary>Longest prompt; longer prompts keep their end (the part nearest the completion).</summary>
    public int MaxPromptLength { get; init; } = 512;

    /// <summary>Append EOS to plain-text completions (conversations end with the template's end-of-turn).</summary>
    public bool AppendEos { get; init; } = true;
}
