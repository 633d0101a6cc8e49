using Peft.Evaluation;

namespace Peft.Cli.QuickStart;

/// <summary>What the QuickStart produced.</summary>
internal sealed record QuickStartResult(
    EvaluationReport Base,
    EvaluationReport FineTuned,
    ReportComparison Comparison,
    string ModelFolder,
    string AdapterFolder,
    bool ToyModel,
    TimeSpan Elapsed);
