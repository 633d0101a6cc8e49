namespace Peft.Tokenization;

/// <summary>
/// A token matched in the text before the model runs (Hugging Face's <c>added_tokens</c>): special tokens such as
/// <c>&lt;|eot_id|&gt;</c> or <c>&lt;s&gt;</c>, and user-added words. The flags keep Hugging Face's names and meaning.
/// </summary>
/// <param name="Id">The token's id.</param>
/// <param name="Content">The text that is matched.</param>
/// <param name="Special">A special token: skipped by <c>Decode(…, skipSpecialTokens: true)</c>.</param>
/// <param name="Normalized">Matched in the normalized text (true) or in the raw input (false).</param>
/// <param name="LStrip">The match also swallows whitespace on its left.</param>
/// <param name="RStrip">The match also swallows whitespace on its right.</param>
/// <param name="SingleWord">Only matched when not touching a word character on either side.</param>
public sealed record AddedToken(int Id, string Content, bool Special, bool Normalized = false, bool LStrip = false, bool RStrip = false, bool SingleWord = false);
