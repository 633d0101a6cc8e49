using System.Reflection;
using Peft.IO;
using Peft.Models;

namespace Peft.Evaluation;

/// <summary>
/// A perplexity measurement as a file: what was measured (model, adapter, dataset, device, the options and the window
/// and stride actually used), the corpus figures and one entry per text. Written as indented snake_case JSON like the
/// other reports (<c>"format": "peft-perplexity-report"</c>, <c>"version": 1</c>; non-finite numbers as <c>"NaN"</c>).
/// </summary>
/// <example>
/// <code>
/// var result = Perplexity.Compute(model, tokenizer, texts, options);
/// PerplexityReport.Create(result, model, options, "data/test.jsonl", modelName: "SmolLM2-135M").Save("out/ppl.json");
/// </code>
/// </example>
public sealed record PerplexityReport
{
    /// <summary>The value of <see cref="Format"/> in every perplexity report file.</summary>
    public const string FormatName = "peft-perplexity-report";

    /// <summary>The current file version.</summary>
    public const int CurrentVersion = 1;

    /// <summary>File kind marker, <see cref="FormatName"/>.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>File version, <see cref="CurrentVersion"/>.</summary>
    public int Version { get; init; } = CurrentVersion;

    /// <summary>The model's name or path, or null.</summary>
    public string? Model { get; init; }

    /// <summary>The adapter's name or path, or null for the base model.</summary>
    public string? Adapter { get; init; }

    /// <summary>The dataset's file or name.</summary>
    public required string Dataset { get; init; }

    /// <summary>The device the model ran on.</summary>
    public required string Device { get; init; }

    /// <summary>When the report was made (UTC).</summary>
    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The version of this library.</summary>
    public string? PeftVersion { get; init; }

    /// <summary>The options as given (null window and stride mean the defaults; see <see cref="MaxLength"/> and <see cref="Stride"/>).</summary>
    public required PerplexityOptions Options { get; init; }

    /// <summary>The window length used (tokens).</summary>
    public int MaxLength { get; init; }

    /// <summary>The stride used (tokens).</summary>
    public int Stride { get; init; }

    /// <summary>Corpus perplexity, <c>exp(Σ NLL / tokens)</c> (<see cref="PerplexityResult.Perplexity"/>).</summary>
    public double Perplexity { get; init; }

    /// <summary>Mean negative log-likelihood per scored token.</summary>
    public double MeanNll { get; init; }

    /// <summary>The Hugging Face guide's figure for the same windows (<see cref="PerplexityResult.GuidePerplexity"/>).</summary>
    public double? GuidePerplexity { get; init; }

    /// <summary>Tokens scored.</summary>
    public long Tokens { get; init; }

    /// <summary>Forward windows run.</summary>
    public int Windows { get; init; }

    /// <summary>Tokens fed to the model, context included.</summary>
    public long ForwardTokens { get; init; }

    /// <summary>Seconds spent in forward passes and scoring.</summary>
    public double Seconds { get; init; }

    /// <summary>Per text, in input order.</summary>
    public required IReadOnlyList<SequencePerplexity> Texts { get; init; }

    /// <summary>Builds a report from a result.</summary>
    /// <param name="result">What <see cref="Evaluation.Perplexity.Compute"/> returned.</param>
    /// <param name="model">The model that was measured (for its device).</param>
    /// <param name="options">The options the result was computed with; null for the defaults.</param>
    /// <param name="dataset">The dataset's file or name.</param>
    /// <param name="modelName">The model's name or path, as the report should show it.</param>
    /// <param name="adapterName">The adapter's name or path, or null for the base model.</param>
    /// <returns>The report (not yet saved).</returns>
    public static PerplexityReport Create(PerplexityResult result, CausalLM model, PerplexityOptions? options, string dataset,
        string? modelName = null, string? adapterName = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        return new PerplexityReport
        {
            Model = modelName,
            Adapter = adapterName,
            Dataset = dataset,
            Device = model.Device.ToString(),
            Timestamp = DateTimeOffset.UtcNow,
            PeftVersion = typeof(PerplexityReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            Options = options ?? new PerplexityOptions(),
            MaxLength = result.MaxLength,
            Stride = result.Stride,
            Perplexity = result.Perplexity,
            MeanNll = result.MeanNll,
            GuidePerplexity = result.GuidePerplexity,
            Tokens = result.TokenCount,
            Windows = result.WindowCount,
            ForwardTokens = result.ForwardTokens,
            Seconds = result.Elapsed.TotalSeconds,
            Texts = result.Examples,
        };
    }

    /// <summary>Reads a report written by <see cref="Save"/>.</summary>
    /// <param name="path">The JSON file.</param>
    /// <returns>The report.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a perplexity report of a supported version.</exception>
    public static PerplexityReport Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return File.Exists(path)
            ? FromJson(File.ReadAllText(path), path)
            : throw new FileNotFoundException($"Perplexity report not found: '{Path.GetFullPath(path)}'.", path);
    }

    /// <summary>Parses a report from JSON.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">Named in error messages.</param>
    /// <returns>The report.</returns>
    /// <exception cref="InvalidDataException">The text is not a perplexity report of a supported version.</exception>
    public static PerplexityReport FromJson(string json, string source = "perplexity report") =>
        ReportJson.Deserialize<PerplexityReport>(json, source, FormatName, CurrentVersion);

    /// <summary>The report as indented JSON (snake_case names).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => ReportJson.Serialize(this);

    /// <summary>Writes the JSON to a file, atomically.</summary>
    /// <param name="path">The file; its folder is created if needed.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllText(path, ToJson());
    }
}
