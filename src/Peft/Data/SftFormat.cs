namespace Peft.Data;

/// <summary>The shape of supervised fine-tuning records.</summary>
public enum SftFormat
{
    /// <summary>Decide from the first record's fields.</summary>
    Auto,

    /// <summary><c>{"text": ...}</c>: plain text, loss on every token.</summary>
    Text,

    /// <summary><c>{"prompt": ..., "completion": ...}</c>: loss on the completion by default.</summary>
    PromptCompletion,

    /// <summary><c>{"messages": [{"role", "content"}, ...]}</c>: rendered with the chat template; loss on assistant turns by default.</summary>
    Messages,

    /// <summary>Alpaca <c>{"instruction", "input", "output"}</c>, mapped to prompt/completion with the Alpaca prompt.</summary>
    Alpaca,
}
