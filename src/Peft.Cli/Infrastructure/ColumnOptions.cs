using System.CommandLine;
using Peft.Data;
using Peft.Evaluation;

namespace Peft.Cli.Infrastructure;

/// <summary><c>--column key=field</c>: dataset field names, mapped onto <see cref="ColumnMapping"/> or <see cref="EvaluationColumns"/>.</summary>
internal static class ColumnOptions
{
    public static Option<string[]> Create(string keys) => new("--column")
    {
        Description = $"Read a field under another name, e.g. --column prompt=question (repeatable). Keys: {keys}.",
        HelpName = "key=field",
    };

    public static ColumnMapping Training(IEnumerable<string>? pairs)
    {
        var columns = new ColumnMapping();
        foreach (var (key, field) in Split(pairs))
        {
            columns = key switch
            {
                "text" => columns with { Text = field },
                "prompt" => columns with { Prompt = field },
                "completion" => columns with { Completion = field },
                "messages" => columns with { Messages = field },
                "instruction" => columns with { Instruction = field },
                "input" => columns with { Input = field },
                "output" => columns with { Output = field },
                "chosen" => columns with { Chosen = field },
                "rejected" => columns with { Rejected = field },
                _ => throw new UsageException($"--column: unknown key '{key}'; expected text, prompt, completion, messages, instruction, input, output, chosen or rejected."),
            };
        }

        return columns;
    }

    public static EvaluationColumns Evaluation(IEnumerable<string>? pairs)
    {
        var columns = new EvaluationColumns();
        foreach (var (key, field) in Split(pairs))
        {
            columns = key switch
            {
                "prompt" => columns with { Prompt = field },
                "reference" => columns with { Reference = field },
                "references" => columns with { References = field },
                "prediction" => columns with { Prediction = field },
                "text" => columns with { Text = field },
                _ => throw new UsageException($"--column: unknown key '{key}'; expected prompt, reference, references, prediction or text."),
            };
        }

        return columns;
    }

    private static IEnumerable<(string Key, string Field)> Split(IEnumerable<string>? pairs)
    {
        foreach (var pair in pairs ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == pair.Length - 1)
            {
                throw new UsageException($"--column: expected key=field (e.g. prompt=question); found '{pair}'.");
            }

            yield return (pair[..at].Trim().ToLowerInvariant(), pair[(at + 1)..].Trim());
        }
    }
}
