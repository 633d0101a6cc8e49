using System.Diagnostics;
using Peft.Models;
using static TorchSharp.torch;

namespace Peft.Evaluation;

/// <summary>
/// The sliding-window scorer behind <see cref="Perplexity"/>: plans the windows of every sequence, runs them in
/// right-padded batches and sums the negative log-likelihoods of the target tokens of each window.
/// </summary>
internal static class PerplexityScorer
{
    /// <summary>
    /// One forward window of a sequence: tokens [Begin, End) are fed, tokens [TargetFrom, End) are scored (absolute
    /// positions). <see cref="GuideWeight"/> is the Hugging Face guide's <c>num_loss_tokens</c> for the window.
    /// </summary>
    internal readonly record struct Window(int Sequence, int Begin, int End, int TargetFrom, int GuideWeight)
    {
        public int Length => End - Begin;

        public int Targets => End - TargetFrom;
    }

    /// <summary>
    /// The guide's windows over a sequence of <paramref name="length"/> tokens: windows begin at 0, stride, 2·stride, …
    /// and end at begin + maxLength (or the end of the sequence, after which no window starts); each scores the tokens
    /// after the previous window's end (the guide's <c>trg_len</c>) that have at least one token of context in the
    /// window and lie at or after <paramref name="scoreFrom"/>. Windows with nothing to score are left out.
    /// </summary>
    internal static List<Window> Plan(int sequence, int length, int scoreFrom, int maxLength, int stride)
    {
        var windows = new List<Window>();
        var previousEnd = 0;
        for (var begin = 0; begin < length; begin += stride)
        {
            var end = Math.Min(begin + maxLength, length);
            var targetFrom = Math.Max(Math.Max(previousEnd, begin + 1), scoreFrom);
            if (targetFrom < end)
            {
                // The guide labels [max(previousEnd, begin), end) and counts them minus one for the internal shift.
                var guideWeight = end - Math.Max(previousEnd, begin) - 1;
                windows.Add(new Window(sequence, begin, end, targetFrom, guideWeight));
            }

            previousEnd = end;
            if (end == length)
            {
                break;
            }
        }

        return windows;
    }

    /// <summary>Scores sequences; tokens at positions ≥ <c>scoreFrom[i]</c> (and ≥ 1) of sequence i are the targets.</summary>
    internal static PerplexityResult Score(CausalLM model, IReadOnlyList<IReadOnlyList<long>> sequences, IReadOnlyList<int> scoreFrom,
        PerplexityOptions options, bool guideApplies, IProgress<EvaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var (maxLength, stride) = options.Resolve(model.Config);
        var windows = new List<Window>();
        for (var i = 0; i < sequences.Count; i++)
        {
            CheckIds(model.Config.VocabSize, sequences[i], i);
            windows.AddRange(Plan(i, sequences[i].Count, Math.Max(1, scoreFrom[i]), maxLength, stride));
        }

        // Longest first so batches hold windows of similar length; results do not depend on the order.
        var order = Enumerable.Range(0, windows.Count).OrderByDescending(w => windows[w].Length).ThenBy(w => w).ToArray();
        var nlls = new double[windows.Count][];
        var clock = Stopwatch.StartNew();
        long forwardTokens = 0;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)).ToArray();
                var rows = batch.Select(w => windows[w]).ToArray();
                var scored = ScoreBatch(model, sequences, rows);
                for (var r = 0; r < batch.Length; r++)
                {
                    nlls[batch[r]] = scored[r];
                    forwardTokens += rows[r].Length;
                }

                progress?.Report(new EvaluationProgress("perplexity", start + batch.Length, order.Length));
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        clock.Stop();
        return Collect(sequences.Count, windows, nlls, options.KeepTokenNlls, guideApplies, maxLength, stride, clock.Elapsed, forwardTokens);
    }

    private static void CheckIds(int vocab, IReadOnlyList<long> ids, int index)
    {
        for (var t = 0; t < ids.Count; t++)
        {
            if (ids[t] < 0 || ids[t] >= vocab)
            {
                throw new ArgumentException(
                    $"Sequence {index} has token id {ids[t]} at position {t}; expected ids in [0, {vocab}) (the model's vocab_size).");
            }
        }
    }

    /// <summary>Runs one batch of windows and returns each window's target NLLs in position order.</summary>
    private static double[][] ScoreBatch(CausalLM model, IReadOnlyList<IReadOnlyList<long>> sequences, Window[] rows)
    {
        using var scope = NewDisposeScope();
        var batch = rows.Length;
        var width = rows.Max(w => w.Length);
        var ids = new long[batch * width]; // right-padded with id 0
        var targetRows = new List<long>();    // flat row of the logits [batch · width] that predicts each target
        var targetIds = new List<long>();
        for (var r = 0; r < batch; r++)
        {
            var w = rows[r];
            var tokens = sequences[w.Sequence];
            for (var t = 0; t < w.Length; t++)
            {
                ids[r * width + t] = tokens[w.Begin + t];
            }

            for (var p = w.TargetFrom; p < w.End; p++)
            {
                targetRows.Add(r * width + (p - w.Begin - 1)); // the logits at p − 1 predict the token at p
                targetIds.Add(tokens[p]);
            }
        }

        // Right padding needs no attention mask: under the causal mask a real token at position t attends only to
        // positions ≤ t, all real, and gets position id t either way; the outputs at padded positions are never read.
        // Leaving the mask out keeps the fused causal attention, about 2.5× faster than a masked one on CPU.
        var device = model.Device;
        var input = tensor(ids, new long[] { batch, width }, device: device);
        using var output = model.Forward(input);
        var vocab = output.Logits.shape[2];
        var flat = output.Logits.reshape(-1, vocab);                                                 // [B·T, V]
        var picked = flat.index_select(0, tensor(targetRows.ToArray(), device: device)).to(ScalarType.Float32); // [N, V]
        var nll = nn.functional.cross_entropy(picked, tensor(targetIds.ToArray(), device: device), reduction: nn.Reduction.None);
        var values = nll.cpu().data<float>().ToArray();

        var result = new double[batch][];
        var offset = 0;
        for (var r = 0; r < batch; r++)
        {
            result[r] = new double[rows[r].Targets];
            for (var k = 0; k < result[r].Length; k++)
            {
                result[r][k] = values[offset++];
            }
        }

        return result;
    }

    private static PerplexityResult Collect(int count, List<Window> windows, double[][] nlls, bool keep, bool guideApplies,
        int maxLength, int stride, TimeSpan elapsed, long forwardTokens)
    {
        var totals = new double[count];
        var tokens = new int[count];
        var windowCounts = new int[count];
        var kept = keep ? Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray() : null;
        double guideNll = 0;
        long guideTokens = 0;
        for (var w = 0; w < windows.Count; w++) // windows are in sequence and position order
        {
            var s = windows[w].Sequence;
            var sum = 0.0;
            foreach (var v in nlls[w])
            {
                sum += v;
            }

            totals[s] += sum;
            tokens[s] += nlls[w].Length;
            windowCounts[s]++;
            kept?[s].AddRange(nlls[w]);
            guideNll += sum / nlls[w].Length * windows[w].GuideWeight;
            guideTokens += windows[w].GuideWeight;
        }

        var examples = new SequencePerplexity[count];
        for (var i = 0; i < count; i++)
        {
            examples[i] = new SequencePerplexity(i, tokens[i], totals[i], windowCounts[i], kept?[i].ToArray());
        }

        return new PerplexityResult
        {
            TotalNll = totals.Sum(),
            TokenCount = tokens.Sum(t => (long)t),
            WindowCount = windows.Count,
            MaxLength = maxLength,
            Stride = stride,
            GuidePerplexity = guideApplies ? Math.Exp(guideTokens == 0 ? double.NaN : guideNll / guideTokens) : null,
            Elapsed = elapsed,
            ForwardTokens = forwardTokens,
            Examples = examples,
        };
    }
}
