using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peft.Benchmarks;

/// <summary>The JSON form of results (snake_case names, NaN allowed).</summary>
internal static class ResultsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keeps ×, · and the like readable in results.json
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a child's result file.</summary>
    /// <exception cref="JsonException">The file is not a result.</exception>
    public static ScenarioResult ReadResult(string path) =>
        JsonSerializer.Deserialize<ScenarioResult>(File.ReadAllText(path), Options)
        ?? throw new JsonException($"'{path}' holds no scenario result.");
}
