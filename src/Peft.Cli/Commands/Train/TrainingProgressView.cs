using Peft.Cli.Infrastructure;
using Peft.Training;
using Spectre.Console;

namespace Peft.Cli.Commands.Train;

/// <summary>
/// Shows training progress: a Spectre progress bar (step/total, loss, learning rate, tokens/s, ETA) on an interactive
/// terminal, one plain line per report elsewhere (pipes, log files, tests).
/// </summary>
internal static class TrainingProgressView
{
    /// <param name="context">The command's context.</param>
    /// <param name="totalSteps">Optimizer steps of the run.</param>
    /// <param name="subscribe">Attaches a handler to the trainer's progress event.</param>
    /// <param name="train">Runs the training.</param>
    public static TrainingResult Run(CliContext context, long totalSteps, Action<EventHandler<TrainingProgress>> subscribe, Func<TrainingResult> train)
    {
        if (!ConsoleFactory.IsInteractive(context.Console))
        {
            subscribe((_, p) => context.Output.WriteLine(Line(p)));
            return train();
        }

        TrainingResult? result = null;
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("starting", maxValue: Math.Max(1, totalSteps));
                subscribe((_, p) =>
                {
                    if (p.Kind == "train")
                    {
                        task.Value = p.Step;
                        task.Description = Markup.Escape(Compact(p));
                    }
                    else
                    {
                        context.Console.WriteLine(Line(p));
                    }
                });
                result = train();
                task.Value = result.Steps;
            });
        return result!;
    }

    /// <summary>A train report short enough to sit beside the bar on an 80-column terminal.</summary>
    public static string Compact(TrainingProgress p) =>
        $"{p.Step}/{p.TotalSteps} loss {Numbers.Fixed(p.Loss)} lr {Numbers.Rate(p.LearningRate)} {Numbers.Count((long)p.TokensPerSecond)} tok/s eta {Numbers.Duration(p.Eta)}";

    /// <summary>One report as text: <c>step 3/10 · loss 2.3141 · lr 2.0e-04 · 1,234 tok/s · eta 00:05</c>.</summary>
    public static string Line(TrainingProgress p) => p.Kind switch
    {
        "eval" => $"eval  step {p.Step}/{p.TotalSteps} · eval_loss {Numbers.Fixed(p.Loss)}"
                  + string.Concat(p.Metrics.Where(m => m.Key.StartsWith("eval_", StringComparison.Ordinal) && m.Key != "eval_loss")
                      .Select(m => $" · {m.Key} {Numbers.Fixed(m.Value)}")),
        "checkpoint" => $"saved checkpoint at step {p.Step}/{p.TotalSteps}",
        _ => $"step {p.Step}/{p.TotalSteps} · epoch {Numbers.Fixed(p.Epoch, 2)} · loss {Numbers.Fixed(p.Loss)} · lr {Numbers.Rate(p.LearningRate)}"
             + $" · {Numbers.Count((long)p.TokensPerSecond)} tok/s · eta {Numbers.Duration(p.Eta)}",
    };
}
