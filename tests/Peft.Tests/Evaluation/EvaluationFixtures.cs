using Peft.Evaluation;
using Peft.Generation;

namespace Peft.Tests.Evaluation;

/// <summary>
/// Three examples whose ROUGE is worked out by hand (no stemming):
/// <list type="number">
/// <item>"the cat sat" vs "the cat sat on the mat": rouge1 P 3/3, R 3/6, F 2/3; rouge2 P 2/2, R 2/5, F 4/7; rougeL as rouge1.</item>
/// <item>"the dog ran" vs ["a dog ran", "the dog ran fast"]: the second reference is best for every metric:
/// rouge1 P 1, R 3/4, F 6/7; rouge2 P 1, R 2/3, F 4/5; rougeL as rouge1.</item>
/// <item>"" vs "completely different words": all 0.</item>
/// </list>
/// Means: rouge1/rougeL/rougeLsum P 2/3, R 5/12, F 32/63; rouge2 P 2/3, R 16/45, F 16/35.
/// </summary>
internal static class EvaluationFixtures
{
    public static readonly string[] Prompts = ["Hello", "Hi", "Yo"];

    public static readonly string[] Predictions = ["the cat sat", "the dog ran", ""];

    public static readonly string[][] References = [["the cat sat on the mat"], ["a dog ran", "the dog ran fast"], ["completely different words"]];

    public static EvaluationDataset Dataset(string name = "toy") =>
        EvaluationDataset.Create(Prompts.Select((p, i) => new EvaluationExample(p, References[i], Line: i + 1)), name);

    public static string JsonLines() =>
        "{\"prompt\": \"Hello\", \"reference\": \"the cat sat on the mat\"}\n"
        + "{\"prompt\": \"Hi\", \"references\": [\"a dog ran\", \"the dog ran fast\"]}\n"
        + "\n"
        + "{\"prompt\": \"Yo\", \"reference\": \"completely different words\"}\n";

    /// <summary>A generation function that answers each prompt with a fixed text (tokens: one per character).</summary>
    public static Func<IReadOnlyList<string>, CancellationToken, IReadOnlyList<GeneratedSequence>> Fixed(IReadOnlyDictionary<string, string> answers) =>
        (prompts, _) => prompts.Select(p => new GeneratedSequence(p.Length, answers[p].Select(c => (long)c).ToArray(),
            answers[p].Length == 0 ? StopReason.EndOfSequence : StopReason.Length, answers[p])).ToArray();

    public static Func<IReadOnlyList<string>, CancellationToken, IReadOnlyList<GeneratedSequence>> Fixed(string[] predictions) =>
        Fixed(Prompts.Select((p, i) => (p, predictions[i])).ToDictionary(x => x.p, x => x.Item2));
}
