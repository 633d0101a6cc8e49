using Peft.Tokenization.Pipeline;

namespace Peft.Tokenization.Loading;

/// <summary>
/// Reads GPT-2's <c>vocab.json</c> + <c>merges.txt</c> pair as transformers' <c>GPT2Tokenizer</c> does: byte-level
/// BPE with GPT-2's pre-tokenization regex, <c>&lt;|endoftext|&gt;</c> as the default bos/eos/unk token.
/// </summary>
internal static class VocabMergesLoader
{
    public const string EndOfText = "<|endoftext|>";

    /// <exception cref="TokenizerFormatException">A file is malformed (the message gives the JSON path or line).</exception>
    public static PipelineParts Load(string vocabFile, string mergesFile, bool addPrefixSpace, bool forceManagedBpe)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var document = JsonCursor.ParseFile(vocabFile))
        {
            foreach (var (token, value) in JsonCursor.Root(vocabFile, document).Properties())
            {
                ids[token] = value.GetInt32();
            }
        }

        Vocabulary vocab;
        try
        {
            vocab = new Vocabulary(ids);
        }
        catch (ArgumentException e)
        {
            throw new TokenizerFormatException(vocabFile, "$", e.Message);
        }

        var merges = new List<(string Left, string Right)>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(mergesFile))
        {
            lineNumber++;
            if ((lineNumber == 1 && line.StartsWith("#version", StringComparison.Ordinal)) || line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new TokenizerFormatException(mergesFile, $"line {lineNumber}", $"expected two tokens separated by one space; found '{line}'");
            }

            foreach (var part in new[] { parts[0], parts[1], parts[0] + parts[1] })
            {
                if (!vocab.TryGetId(part, out _))
                {
                    throw new TokenizerFormatException(mergesFile, $"line {lineNumber}", $"merge '{line}' needs '{part}', which is not in {Path.GetFileName(vocabFile)}");
                }
            }

            merges.Add((parts[0], parts[1]));
        }

        TokenModel model = forceManagedBpe
            ? new BpeModel(vocab, merges, new BpeSettings { ByteLevel = true })
            : LibraryBpeModel.Create(vocab, merges, ignoreMerges: false);
        var added = new List<AddedToken>();
        if (vocab.TryGetId(EndOfText, out var eot))
        {
            added.Add(new AddedToken(eot, EndOfText, Special: true, Normalized: true));
        }

        var hasEndOfText = added.Count > 0;
        return new PipelineParts
        {
            Format = TokenizerFileFormat.VocabAndMerges,
            MainFile = vocabFile,
            PreTokenizer = new ByteLevelPreTokenizer(addPrefixSpace, useRegex: true),
            Model = model,
            Decoder = new ByteLevelDecoder(),
            AddedTokens = added,
            DefaultBos = hasEndOfText ? EndOfText : null,
            DefaultEos = hasEndOfText ? EndOfText : null,
            DefaultUnk = hasEndOfText ? EndOfText : null,
        };
    }
}
