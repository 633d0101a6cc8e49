using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Peft.Evaluation.Rouge;

namespace Peft.Evaluation;

/// <summary>
/// JSON settings of the report files: snake_case names (the Hugging Face vocabulary: <c>max_new_tokens</c>,
/// <c>use_stemmer</c>), metric names kept as they are (<c>rouge1</c>), ROUGE scores as rouge_score's
/// <c>precision</c> / <c>recall</c> / <c>fmeasure</c>, enums as snake_case strings, non-finite numbers as
/// <c>"NaN"</c> / <c>"Infinity"</c>, and text left readable (no \u escapes for non-ASCII letters).
/// </summary>
internal static class ReportJson
{
    public static readonly JsonSerializerOptions Options = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>Reads a report, checking its <c>format</c> marker and version.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON of the expected report kind.</exception>
    public static T Deserialize<T>(string json, string source, string format, int version)
        where T : class
    {
        try
        {
            using (var document = JsonDocument.Parse(json))
            {
                var root = document.RootElement;
                var found = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String
                    ? f.GetString()
                    : null;
                if (found != format)
                {
                    throw new InvalidDataException($"{source}: expected a JSON object with \"format\": \"{format}\"; found {(found is null ? "no format marker" : $"\"{found}\"")}.");
                }

                if (!root.TryGetProperty("version", out var v) || !v.TryGetInt32(out var foundVersion) || foundVersion > version)
                {
                    throw new InvalidDataException($"{source}: expected \"version\" {version} or lower; found {(root.TryGetProperty("version", out var raw) ? raw.GetRawText() : "none")}.");
                }
            }

            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidDataException($"{source}: the report is null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not a valid {format} file ({ex.Message})", ex);
        }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new RougeScoreConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes a <see cref="RougeScore"/> as rouge_score's Score tuple fields.</summary>
    private sealed class RougeScoreConverter : JsonConverter<RougeScore>
    {
        public override RougeScore Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("Expected a ROUGE score object {\"precision\", \"recall\", \"fmeasure\"}.");
            }

            double? precision = null, recall = null, fmeasure = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                var value = reader.TokenType == JsonTokenType.String
                    ? double.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                    : reader.GetDouble();
                switch (name)
                {
                    case "precision": precision = value; break;
                    case "recall": recall = value; break;
                    case "fmeasure": fmeasure = value; break;
                    default: throw new JsonException($"Unexpected field \"{name}\" in a ROUGE score; expected precision, recall, fmeasure.");
                }
            }

            return precision is { } p && recall is { } r && fmeasure is { } f
                ? new RougeScore(p, r, f)
                : throw new JsonException("A ROUGE score needs \"precision\", \"recall\" and \"fmeasure\".");
        }

        public override void Write(Utf8JsonWriter writer, RougeScore value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteNumber("precision", value.Precision);
            writer.WriteNumber("recall", value.Recall);
            writer.WriteNumber("fmeasure", value.FMeasure);
            writer.WriteEndObject();
        }
    }
}
