using System.Diagnostics;
using System.Reflection;
using Peft.Generation;
using Peft.Models;
using Peft.Tokenization;

namespace Peft.Evaluation;

/// <summary>
/// Evaluates a model (with whatever adapters or quantized layers are injected into it) on prompts with references:
/// generates a prediction for every prompt in batches, scores it with ROUGE against the references (mean, and the
/// bootstrap interval when asked), optionally measures the perplexity of the references given the prompts, and
/// returns an <see cref="EvaluationReport"/>.
/// </summary>
/// <example>
/// <code>
/// var evaluator = Evaluator.Create(model, tokenizer, new EvaluationOptions
/// {
///     Generation = new GenerationOptions { MaxNewTokens = 64 },
///     Bootstrap = new BootstrapOptions { Seed = 42 },
///     ComputePerplexity = true,
///     ModelName = "SmolLM2-135M", AdapterName = "out/adapter",
/// });
/// var report = evaluator.Evaluate(EvaluationDataset.Load("test.jsonl"));
/// report.Save("out/eval");   // report.json + report.md
/// </code>
/// </example>
public sealed class Evaluator
{
    private readonly CausalLM _model;
    private readonly ITokenCodec _codec;

    private Evaluator(CausalLM model, ITokenCodec codec, EvaluationOptions options)
    {
        _model = model;
        _codec = codec;
        Options = options;
    }

    /// <summary>The settings.</summary>
    public EvaluationOptions Options { get; }

    /// <summary>Creates an evaluator.</summary>
    /// <param name="model">The model, with adapters or quantization already applied.</param>
    /// <param name="codec">The tokenizer.</param>
    /// <param name="options">Decoding, metrics and labels; null for defaults.</param>
    /// <returns>The evaluator.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="codec"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public static Evaluator Create(CausalLM model, ITokenCodec codec, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(codec);
        options ??= new EvaluationOptions();
        options.Validate();
        return new Evaluator(model, codec, options);
    }

    /// <summary>Generates, scores and reports.</summary>
    /// <param name="dataset">The prompts and references.</param>
    /// <param name="progress">Receives prompts done (stage <c>generation</c>) and perplexity windows done; may be null.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>The report (not yet saved; call <see cref="EvaluationReport.Save"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentException">A prompt encodes to no token, or a generation option is out of range.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public EvaluationReport Evaluate(EvaluationDataset dataset, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        CheckPrompts(dataset);
        var generator = new TextGenerator(_model, _codec);
        return Evaluate(dataset, (prompts, ct) => generator.Generate(prompts, Options.Generation, Options.AddSpecialTokens, ct), progress, cancellationToken);
    }

    /// <summary>The evaluation with generation supplied by the caller (tests inject fixed predictions here).</summary>
    internal EvaluationReport Evaluate(EvaluationDataset dataset,
        Func<IReadOnlyList<string>, CancellationToken, IReadOnlyList<GeneratedSequence>> generate,
        IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var examples = dataset.Examples;

        var generated = new GeneratedSequence[examples.Count];
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < examples.Count; start += Options.BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(Options.BatchSize, examples.Count - start);
            var prompts = examples.Skip(start).Take(count).Select(e => e.Prompt).ToArray();
            var batch = generate(prompts, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                generated[start + i] = batch[i];
            }

            progress?.Report(new EvaluationProgress("generation", start + count, examples.Count));
        }

        clock.Stop();
        cancellationToken.ThrowIfCancellationRequested();
        var predictions = generated.Select(g => g.Text ?? _codec.Decode(g.TokenIds, skipSpecialTokens: true)).ToArray();
        var rouge = RougeReport.Build(predictions, examples.Select(e => e.References).ToArray(), null,
            new RougeReportOptions { Rouge = Options.Rouge, Bootstrap = Options.Bootstrap }, dataset.Source);

        var perplexityOptions = Options.Perplexity with { AddSpecialTokens = Options.AddSpecialTokens };
        PerplexitySummary? summary = null;
        (double Nll, int Tokens)[]? perExample = null;
        if (Options.ComputePerplexity)
        {
            PerplexityResult result;
            (result, perExample) = ReferencePerplexity(examples, perplexityOptions, progress, cancellationToken);
            summary = PerplexitySummary.From(result);
            perplexityOptions = perplexityOptions with { MaxLength = result.MaxLength, Stride = result.Stride }; // record what was used
        }

        var rows = new EvaluationRow[examples.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new EvaluationRow
            {
                Index = i,
                Line = examples[i].Line,
                Prompt = examples[i].Prompt,
                Prediction = predictions[i],
                References = examples[i].References,
                Rouge = rouge.Rows[i].Rouge,
                StopReason = generated[i].StopReason,
                PromptTokens = generated[i].PromptTokens,
                GeneratedTokens = generated[i].TokenIds.Count,
                ReferencePerplexity = perExample is null || perExample[i].Tokens == 0 ? null : Math.Exp(perExample[i].Nll / perExample[i].Tokens),
                ReferenceTokens = perExample?[i].Tokens,
            };
        }

        return new EvaluationReport
        {
            Settings = new EvaluationSettings
            {
                Model = Options.ModelName,
                Adapter = Options.AdapterName,
                Dataset = dataset.Source,
                Device = _model.Device.ToString(),
                Timestamp = DateTimeOffset.UtcNow,
                PeftVersion = typeof(Evaluator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
                Generation = Options.Generation,
                BatchSize = Options.BatchSize,
                AddSpecialTokens = Options.AddSpecialTokens,
                Rouge = Options.Rouge,
                Bootstrap = Options.Bootstrap,
                Perplexity = Options.ComputePerplexity ? perplexityOptions : null,
            },
            Metrics = new EvaluationMetrics
            {
                Examples = examples.Count,
                Rouge = rouge.Mean,
                RougeInterval = rouge.Interval,
                ReferencePerplexity = summary,
                GeneratedTokens = generated.Sum(g => (long)g.TokenIds.Count),
                GenerationSeconds = clock.Elapsed.TotalSeconds,
                StopReasons = generated.GroupBy(g => g.StopReason).OrderBy(g => g.Key)
                    .ToDictionary(g => EvaluationReport.StopName(g.Key), g => g.Count()),
            },
            Rows = rows,
        };
    }

    private void CheckPrompts(EvaluationDataset dataset)
    {
        foreach (var (example, index) in dataset.Examples.Select((e, i) => (e, i)))
        {
            if (_codec.Encode(example.Prompt, Options.AddSpecialTokens).Count == 0)
            {
                var where = example.Line > 0 ? $"{dataset.Source}:{example.Line}" : $"{dataset.Source} example {index}";
                throw new ArgumentException(
                    $"{where}: the prompt encodes to no token; generation needs at least one (use a non-empty prompt or let the tokenizer add BOS).",
                    nameof(dataset));
            }
        }
    }

    private (PerplexityResult, (double Nll, int Tokens)[]) ReferencePerplexity(IReadOnlyList<EvaluationExample> examples,
        PerplexityOptions options, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var owners = new List<int>();
        var prompts = new List<string>();
        var references = new List<string>();
        for (var i = 0; i < examples.Count; i++)
        {
            foreach (var reference in examples[i].References)
            {
                owners.Add(i);
                prompts.Add(examples[i].Prompt);
                references.Add(reference);
            }
        }

        var result = Perplexity.ComputeConditional(_model, _codec, prompts, references, options, progress, cancellationToken);
        var perExample = new (double Nll, int Tokens)[examples.Count];
        for (var k = 0; k < owners.Count; k++)
        {
            var e = result.Examples[k];
            perExample[owners[k]] = (perExample[owners[k]].Nll + e.TotalNll, perExample[owners[k]].Tokens + e.TokenCount);
        }

        return (result, perExample);
    }
}
