namespace Peft.Tokenization;

/// <summary>The file a <see cref="PretrainedTokenizer"/> was built from.</summary>
public enum TokenizerFileFormat
{
    /// <summary>A Hugging Face fast-tokenizer <c>tokenizer.json</c>.</summary>
    TokenizerJson,

    /// <summary>A SentencePiece <c>tokenizer.model</c> (Llama-2, Mistral, TinyLlama).</summary>
    SentencePieceModel,

    /// <summary>GPT-2's <c>vocab.json</c> + <c>merges.txt</c> pair (byte-level BPE).</summary>
    VocabAndMerges,
}
