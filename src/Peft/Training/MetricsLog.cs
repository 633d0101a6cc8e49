using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Peft.IO;
using TorchSharp;

namespace Peft.Training;

/// <summary>
/// Appends metrics to <c>metrics.jsonl</c> (one JSON object per report, Hugging Face metric names) and, when
/// enabled, to TensorBoard event files under <c>runs/</c>.
/// </summary>
internal sealed class MetricsLog
{
    private readonly string _path;
    private readonly TorchSharp.Modules.SummaryWriter? _tensorBoard;

    public MetricsLog(string outputDirectory, bool tensorBoard, long resumedStep)
    {
        Directory.CreateDirectory(outputDirectory);
        _path = Path.Combine(outputDirectory, "metrics.jsonl");
        TruncateAfter(resumedStep);
        _tensorBoard = tensorBoard ? torch.utils.tensorboard.SummaryWriter(Path.Combine(outputDirectory, "runs")) : null;
    }

    public void Write(string kind, long step, IReadOnlyDictionary<string, double> metrics)
    {
        var json = new JsonObject { ["kind"] = kind, ["step"] = step };
        foreach (var (name, value) in metrics)
        {
            json[name] = double.IsFinite(value) ? value : null;
            _tensorBoard?.add_scalar($"{kind}/{name}", (float)value, (int)step);
        }

        File.AppendAllText(_path, json.ToJsonString() + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    /// <summary>A resumed run drops the lines an interrupted run wrote after its checkpoint.</summary>
    private void TruncateAfter(long step)
    {
        if (!File.Exists(_path))
        {
            return;
        }

        var kept = File.ReadAllLines(_path).Where(line =>
        {
            try
            {
                return JsonNode.Parse(line)?["step"]?.GetValue<long>() <= step;
            }
            catch (JsonException)
            {
                return false;
            }
        });
        AtomicFile.WriteAllText(_path, string.Concat(kept.Select(l => l + "\n")));
    }
}
