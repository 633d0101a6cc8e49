using System.CommandLine;
using Peft.Quantization;

namespace Peft.Cli.Infrastructure;

/// <summary><c>--quantize none|nf4|fp4|int8</c> and <c>--double-quant</c>, mapped onto <see cref="QuantizationConfig"/>.</summary>
internal sealed class QuantizationOptionSet
{
    public static readonly string[] Kinds = ["none", "nf4", "fp4", "int8"];

    public Option<string> Quantize { get; } = new Option<string>("--quantize")
    {
        Description = "Quantize the frozen base model on load: nf4 or fp4 (4-bit, QLoRA), int8 (LLM.int8()), or none.",
        HelpName = "none|nf4|fp4|int8",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong(Kinds);

    public Option<bool> DoubleQuant { get; } = new("--double-quant")
    {
        Description = "With nf4/fp4: also quantize the per-block scales (about 0.37 bits per parameter saved).",
    };

    public IEnumerable<Option> All => [Quantize, DoubleQuant];

    /// <summary>The settings for a kind name, or null for none.</summary>
    /// <exception cref="UsageException">An unknown kind.</exception>
    public static QuantizationConfig? Build(string? kind, bool doubleQuant) => (kind ?? "none").ToLowerInvariant() switch
    {
        "none" => null,
        "nf4" => QuantizationConfig.Nf4(doubleQuant),
        "fp4" => QuantizationConfig.Fp4(doubleQuant),
        "int8" => QuantizationConfig.Int8(),
        _ => throw new UsageException($"--quantize: expected one of {string.Join(", ", Kinds)}; found '{kind}'."),
    };

    public QuantizationConfig? Build(CliContext context) => Build(context.Get(Quantize), context.Get(DoubleQuant));
}
