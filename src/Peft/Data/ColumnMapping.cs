namespace Peft.Data;

/// <summary>Field names to read from each record, for datasets whose fields are named differently.</summary>
public sealed record ColumnMapping
{
    /// <summary>Plain-text field.</summary>
    public string Text { get; init; } = "text";

    /// <summary>Prompt field (also used by preference data).</summary>
    public string Prompt { get; init; } = "prompt";

    /// <summary>Completion field.</summary>
    public string Completion { get; init; } = "completion";

    /// <summary>Conversation field.</summary>
    public string Messages { get; init; } = "messages";

    /// <summary>Alpaca instruction field.</summary>
    public string Instruction { get; init; } = "instruction";

    /// <summary>Alpaca input field.</summary>
    public string Input { get; init; } = "input";

    /// <summary>Alpaca output field.</summary>
    public string Output { get; init; } = "output";

    /// <summary>Preferred response (preference data).</summary>
    public string Chosen { get; init; } = "chosen";

    /// <summary>Dispreferred response (preference data).</summary>
    public string Rejected { get; init; } = "rejected";
}
