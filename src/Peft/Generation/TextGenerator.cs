using Peft.Tokenization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Peft.Models;

namespace Peft.Generation;

/// <summary>
/// Text in, text out: encodes prompts, generates with <see cref="TokenGenerator"/>, stops on EOS ids (the
/// model's and the tokenizer's), stop strings or the length limit, and decodes. Also streams text as it is
/// generated.
/// </summary>
public sealed class TextGenerator
{
    private readonly TokenGenerator _tokens;
    private readonly ITokenCodec _codec;

    /// <summary>Creates a generator.</summary>
    /// <param name="model">The model, with or without adapters.</param>
    /// <param name="codec">The tokenizer.</param>
    public TextGenerator(CausalLM model, ITokenCodec codec)
    {
        _tokens = new TokenGenerator(model);
        _codec = codec ?? throw new ArgumentNullException(nameof(codec));
    }

    /// <summary>Generates a continuation for each prompt (batched, left-padded).</summary>
    /// <param name="prompts">The prompts.</param>
    /// <param name="options">Decoding settings; null for greedy with 128 new tokens.</param>
    /// <param name="addSpecialTokens">Let the tokenizer add BOS etc. (false for prompts already rendered by a chat template).</param>
    /// <param name="cancellationToken">Stops at the next step; unfinished sequences end with <see cref="StopReason.Cancelled"/>.</param>
    /// <returns>One result per prompt with its text, tokens and stop reason.</returns>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<string> prompts, GenerationOptions? options = null,
        bool addSpecialTokens = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        options = WithCodecStops(options ?? new GenerationOptions());
        var decoders = prompts.Select(_ => new TextDecoder(_codec, options.StopStrings)).ToArray();
        var encoded = prompts.Select(p => _codec.Encode(p, addSpecialTokens)).ToArray();
        var results = _tokens.Generate(encoded, options, (row, token) => decoders[row].Add(token), cancellationToken);
        return results.Select((r, i) => r with { Text = decoders[i].FinalText(options.IncludeStopString) }).ToArray();
    }

    /// <summary>Generates one continuation.</summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="options">Decoding settings.</param>
    /// <param name="addSpecialTokens">Let the tokenizer add BOS etc.</param>
    /// <param name="cancellationToken">Stops at the next step.</param>
    public GeneratedSequence Generate(string prompt, GenerationOptions? options = null, bool addSpecialTokens = true,
        CancellationToken cancellationToken = default) =>
        Generate(new[] { prompt }, options, addSpecialTokens, cancellationToken)[0];

    /// <summary>
    /// Streams the continuation of one prompt as pieces of text, each released once it can no longer change
    /// (complete characters, never a partial stop string).
    /// </summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="options">Decoding settings.</param>
    /// <param name="outcome">Receives the stop reason, full text and tokens when the stream ends; may be null.</param>
    /// <param name="addSpecialTokens">Let the tokenizer add BOS etc.</param>
    /// <param name="cancellationToken">Stops generation at the next step; the stream then ends normally with <see cref="StopReason.Cancelled"/>.</param>
    public async IAsyncEnumerable<string> StreamAsync(string prompt, GenerationOptions? options = null, GenerationOutcome? outcome = null,
        bool addSpecialTokens = true, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        options = WithCodecStops(options ?? new GenerationOptions());
        var decoder = new TextDecoder(_codec, options.StopStrings);
        var channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var encoded = _codec.Encode(prompt, addSpecialTokens);
        var include = options.IncludeStopString;
        var producer = Task.Run(() =>
        {
            try
            {
                var result = _tokens.Generate(new[] { encoded }, options, (_, token) =>
                {
                    var more = decoder.Add(token);
                    var piece = decoder.Release(final: false, include);
                    if (piece.Length > 0)
                    {
                        channel.Writer.TryWrite(piece);
                    }

                    return more;
                }, cancellationToken)[0];
                var rest = decoder.Release(final: true, include);
                if (rest.Length > 0)
                {
                    channel.Writer.TryWrite(rest);
                }

                if (outcome is not null)
                {
                    outcome.StopReason = result.StopReason;
                    outcome.TokenIds = result.TokenIds;
                    outcome.Text = decoder.FinalText(include);
                    outcome.PromptTokens = result.PromptTokens;
                }

                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);

        await foreach (var piece in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            yield return piece;
        }

        await producer.ConfigureAwait(false);
    }

    private GenerationOptions WithCodecStops(GenerationOptions options) =>
        options.StopTokenIds is not null
            ? options
            : options with { StopTokenIds = _tokens.DefaultStopTokenIds.Concat(_codec.EndOfSequenceIds).Distinct().ToArray() };
}
