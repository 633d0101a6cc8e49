using System.Diagnostics;
using System.Text.Json;
using Peft.IO;
using static TorchSharp.torch;

namespace Peft.Training;

/// <summary>
/// The one training loop every objective shares: AdamW with a warmup schedule, gradient accumulation weighted by
/// tokens (or pairs), gradient clipping, optional activation checkpointing, evaluation and checkpoints every N
/// steps, exact resume, cancellation at a step boundary, progress reports, <c>metrics.jsonl</c>, TensorBoard, and
/// a guard that stops on a NaN/Inf loss before it can be saved.
/// </summary>
/// <typeparam name="TBatch">The batch type the objective consumes.</typeparam>
public sealed class Trainer<TBatch> where TBatch : ITrainingBatch
{
    private readonly ITrainableModel _model;
    private readonly ITrainingObjective<TBatch> _objective;
    private readonly ITrainingData<TBatch> _data;
    private readonly TrainingOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model and its trainable parameters.</param>
    /// <param name="objective">The loss.</param>
    /// <param name="data">Training (and evaluation) batches.</param>
    /// <param name="options">The run's settings.</param>
    /// <exception cref="ArgumentException">An option is out of range or the data has no batches.</exception>
    public Trainer(ITrainableModel model, ITrainingObjective<TBatch> objective, ITrainingData<TBatch> data, TrainingOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _objective = objective ?? throw new ArgumentNullException(nameof(objective));
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        if (data.BatchesPerEpoch < 1)
        {
            throw new ArgumentException("The training data has no batches.", nameof(data));
        }
    }

    /// <summary>Raised for every progress report (logging steps, evaluations, checkpoints).</summary>
    public event EventHandler<TrainingProgress>? ProgressChanged;

    /// <summary>Receives the same reports as <see cref="ProgressChanged"/>.</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Optimizer steps the run makes.</summary>
    public long TotalSteps => _options.MaxSteps > 0
        ? _options.MaxSteps
        : (long)Math.Ceiling(_options.Epochs * _data.BatchesPerEpoch / _options.GradientAccumulationSteps);

    /// <summary>Trains to the end (or until cancelled) and saves the final adapter and a summary.</summary>
    /// <param name="resumeFrom">A checkpoint folder to continue from, <c>"latest"</c> for the newest one in the output folder, or null to start fresh.</param>
    /// <param name="cancellationToken">Stops at the next step boundary; a checkpoint is saved first.</param>
    /// <returns>How the run ended.</returns>
    /// <exception cref="TrainingDivergedException">The loss or gradient norm became NaN or infinite.</exception>
    public TrainingResult Run(string? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var trainable = _model.TrainableParameters();
        if (trainable.Count == 0)
        {
            throw new InvalidOperationException("The model has no trainable parameters: attach an adapter before training.");
        }

        using var optimizer = new AdamW(trainable, _options.WeightDecay, null, _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon);
        var state = new TrainerState { TotalSteps = TotalSteps, Seed = _options.Seed };
        manual_seed(_options.Seed);
        var checkpoint = ResolveResume(resumeFrom);
        if (checkpoint is not null)
        {
            state = CheckpointStore.Load(checkpoint, _model, optimizer);
            state.TotalSteps = TotalSteps;
        }

        var log = new MetricsLog(_options.OutputDirectory, _options.TensorBoard, state.Step);
        var warmup = _options.WarmupSteps > 0 ? _options.WarmupSteps : (long)Math.Ceiling(_options.WarmupRatio * TotalSteps);
        var runner = _model.Model.Model.LayerRunner;
        if (_options.GradientCheckpointing)
        {
            _model.Model.Model.LayerRunner = (_, layer, x) => ActivationCheckpoint.Run(layer, x);
        }

        string? lastCheckpoint = checkpoint;
        var window = new Window();
        var startTokens = state.TokensSeen;
        var cancelled = false;
        _model.SetTraining(true);
        try
        {
            while (state.Step < TotalSteps)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                    break;
                }

                var lr = LearningRates.At(_options.Schedule, _options.LearningRate, state.Step, warmup, TotalSteps);
                var (loss, gradNorm, metricSums, weight, tokens) = Step(optimizer, trainable, state, lr);
                window.Add(loss, weight, metricSums, tokens);
                if (state.Step % _options.LoggingSteps == 0 || state.Step == TotalSteps)
                {
                    Report(log, "train", state, window.Metrics(lr, gradNorm, EpochOf(state)), clock, startTokens, lr, gradNorm, window);
                    window = new Window();
                }

                if (_options.EvalSteps > 0 && state.Step % _options.EvalSteps == 0 && _data.EvalExamples > 0)
                {
                    Evaluate(log, state, clock, startTokens);
                }

                if (_options.SaveSteps > 0 && state.Step % _options.SaveSteps == 0)
                {
                    lastCheckpoint = SaveCheckpoint(log, optimizer, state, clock, startTokens);
                }
            }

            if (cancelled)
            {
                lastCheckpoint = SaveCheckpoint(log, optimizer, state, clock, startTokens);
            }
            else if (_data.EvalExamples > 0 && (_options.EvalSteps == 0 || state.Step % _options.EvalSteps != 0))
            {
                Evaluate(log, state, clock, startTokens);
            }
        }
        finally
        {
            _model.Model.Model.LayerRunner = runner;
            _model.SetTraining(false);
        }

        _model.SaveAdapter(_options.OutputDirectory);
        var tokensPerSecond = (state.TokensSeen - startTokens) / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        var result = new TrainingResult(state.Step, cancelled, state.LastMetrics, _options.OutputDirectory, lastCheckpoint, clock.Elapsed, tokensPerSecond);
        WriteSummary(result);
        return result;
    }

    private string? ResolveResume(string? resumeFrom)
    {
        if (resumeFrom is null)
        {
            return null;
        }

        if (resumeFrom == "latest")
        {
            var all = CheckpointStore.List(_options.OutputDirectory);
            return all.Count > 0 ? all[^1] : null; // nothing to resume yet: start fresh
        }

        return Directory.Exists(resumeFrom)
            ? resumeFrom
            : throw new DirectoryNotFoundException($"Checkpoint folder not found: '{Path.GetFullPath(resumeFrom)}'.");
    }

    private (double Loss, double GradNorm, Dictionary<string, double> Metrics, double Weight, long Tokens) Step(
        AdamW optimizer, IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> trainable, TrainerState state, double lr)
    {
        var batches = new List<(TBatch Batch, int Epoch, int Index)>();
        for (var i = 0; i < _options.GradientAccumulationSteps; i++)
        {
            batches.Add((_data.TrainBatch(state.Epoch, state.BatchIndex), state.Epoch, state.BatchIndex));
            if (++state.BatchIndex >= _data.BatchesPerEpoch)
            {
                state.BatchIndex = 0;
                state.Epoch++;
            }
        }

        var totalWeight = Math.Max(1e-12, batches.Sum(b => b.Batch.Weight));
        double lossSum = 0;
        long tokens = 0;
        var metricSums = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            foreach (var (batch, epoch, index) in batches)
            {
                using var scope = NewDisposeScope();
                var result = _objective.Compute(batch, training: true);
                var value = result.LossSum.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new TrainingDivergedException(state.Step + 1, epoch, index, $"loss = {value}");
                }

                (result.LossSum / totalWeight).backward();
                lossSum += value;
                tokens += batch.TokenCount;
                foreach (var (name, v) in result.MetricSums)
                {
                    metricSums[name] = metricSums.GetValueOrDefault(name) + v;
                }
            }
        }
        finally
        {
            batches.ForEach(b => b.Batch.Dispose());
        }

        var gradNorm = ClipGradients(trainable);
        if (!double.IsFinite(gradNorm))
        {
            optimizer.ZeroGrad();
            throw new TrainingDivergedException(state.Step + 1, batches[^1].Epoch, batches[^1].Index, $"gradient norm = {gradNorm}");
        }

        optimizer.Update(lr);
        optimizer.ZeroGrad();
        state.Step++;
        state.TokensSeen += tokens;
        return (lossSum / totalWeight, gradNorm, metricSums, totalWeight, tokens);
    }

    /// <summary>The global L2 norm of all gradients; scales them down to <see cref="TrainingOptions.MaxGradNorm"/> when above it.</summary>
    private double ClipGradients(IReadOnlyList<(string Name, TorchSharp.Modules.Parameter Parameter)> trainable)
    {
        using var scope = NewDisposeScope();
        using var guard = no_grad();
        var grads = trainable.Select(p => p.Parameter.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (grads.Count == 0)
        {
            return 0;
        }

        var norm = stack(grads.Select(g => g.to(ScalarType.Float32).norm()).ToArray()).norm().item<float>();
        if (_options.MaxGradNorm > 0 && norm > _options.MaxGradNorm)
        {
            var factor = _options.MaxGradNorm / (norm + 1e-6);
            foreach (var g in grads)
            {
                g.mul_(factor);
            }
        }

        return norm;
    }

    private void Evaluate(MetricsLog log, TrainerState state, Stopwatch clock, long startTokens)
    {
        _model.SetTraining(false);
        double lossSum = 0, weight = 0;
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        using (no_grad())
        {
            foreach (var batch in _data.EvalBatches())
            {
                using (batch)
                using (var scope = NewDisposeScope())
                {
                    var result = _objective.Compute(batch, training: false);
                    lossSum += result.LossSum.item<float>();
                    weight += batch.Weight;
                    foreach (var (name, v) in result.MetricSums)
                    {
                        sums[name] = sums.GetValueOrDefault(name) + v;
                    }
                }
            }
        }

        _model.SetTraining(true);
        var evalLoss = lossSum / Math.Max(1e-12, weight);
        var means = sums.ToDictionary(kv => kv.Key, kv => kv.Value / Math.Max(1e-12, weight));
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["eval_loss"] = evalLoss, ["epoch"] = EpochOf(state) };
        foreach (var (name, v) in means)
        {
            metrics["eval_" + name] = v;
        }

        foreach (var (name, v) in _objective.EvalSummary(evalLoss, means))
        {
            metrics[name] = v;
        }

        Report(log, "eval", state, metrics, clock, startTokens, double.NaN, double.NaN, null);
    }

    private string SaveCheckpoint(MetricsLog log, AdamW optimizer, TrainerState state, Stopwatch clock, long startTokens)
    {
        var path = CheckpointStore.Save(_options.OutputDirectory, _model, optimizer, state, _options);
        Report(log, "checkpoint", state, new Dictionary<string, double> { ["epoch"] = EpochOf(state) }, clock, startTokens, double.NaN, double.NaN, null);
        return path;
    }

    private double EpochOf(TrainerState state) => state.Epoch + (double)state.BatchIndex / _data.BatchesPerEpoch;

    private void Report(MetricsLog log, string kind, TrainerState state, Dictionary<string, double> metrics, Stopwatch clock,
        long startTokens, double lr, double gradNorm, Window? window)
    {
        var elapsed = clock.Elapsed.TotalSeconds;
        var tokensPerSecond = window?.TokensPerSecond ?? (state.TokensSeen - startTokens) / Math.Max(1e-9, elapsed);
        var stepsDone = Math.Max(1, state.Step);
        var eta = TimeSpan.FromSeconds(elapsed / stepsDone * Math.Max(0, TotalSteps - state.Step));
        if (kind == "train")
        {
            metrics["tokens_per_second"] = tokensPerSecond;
        }

        log.Write(kind, state.Step, metrics);
        foreach (var (name, value) in metrics)
        {
            state.LastMetrics[name] = value;
        }

        var loss = metrics.GetValueOrDefault(kind == "eval" ? "eval_loss" : "loss", double.NaN);
        var progress = new TrainingProgress(kind, state.Step, TotalSteps, EpochOf(state), loss, lr, gradNorm, tokensPerSecond, eta,
            Environment.WorkingSet, metrics);
        ProgressChanged?.Invoke(this, progress);
        Progress?.Report(progress);
    }

    private void WriteSummary(TrainingResult result)
    {
        var summary = new
        {
            options = _options,
            data = new { train_examples = _data.TrainExamples, eval_examples = _data.EvalExamples, batches_per_epoch = _data.BatchesPerEpoch },
            steps = result.Steps,
            total_steps = TotalSteps,
            cancelled = result.Cancelled,
            final_metrics = result.FinalMetrics,
            wall_time_seconds = result.WallTime.TotalSeconds,
            tokens_per_second = result.TokensPerSecond,
            device = _model.Model.Device.ToString(),
            peak_working_set_bytes = Process.GetCurrentProcess().PeakWorkingSet64,
        };
        AtomicFile.WriteAllText(Path.Combine(_options.OutputDirectory, "training_summary.json"),
            JsonSerializer.Serialize(summary, CheckpointStore.Json));
    }

    /// <summary>Loss and metrics accumulated between two logging steps.</summary>
    private sealed class Window
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Dictionary<string, double> _metricSums = new(StringComparer.Ordinal);
        private double _lossSum;
        private double _weight;
        private long _tokens;
        private int _steps;

        public double TokensPerSecond => _tokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

        public void Add(double meanLoss, double weight, Dictionary<string, double> metricSums, long tokens)
        {
            _lossSum += meanLoss * weight;
            _weight += weight;
            _tokens += tokens;
            _steps++;
            foreach (var (name, v) in metricSums)
            {
                _metricSums[name] = _metricSums.GetValueOrDefault(name) + v;
            }
        }

        public Dictionary<string, double> Metrics(double lr, double gradNorm, double epoch)
        {
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["loss"] = _lossSum / Math.Max(1e-12, _weight),
                ["learning_rate"] = lr,
                ["grad_norm"] = gradNorm,
                ["epoch"] = epoch,
            };
            foreach (var (name, v) in _metricSums)
            {
                metrics[name] = v / Math.Max(1e-12, _weight);
            }

            return metrics;
        }
    }
}
