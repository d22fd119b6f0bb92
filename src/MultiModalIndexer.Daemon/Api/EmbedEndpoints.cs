using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Daemon.Backend;
using MultiModalIndexer.Daemon.Configuration;
using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Daemon.Api;

/// <summary>
/// POST /api/embed in the OpenAI embeddings shape, so an OpenSearch ml-commons HTTP connector can
/// embed query text with the same CLIP text encoder the index was built with.
/// </summary>
internal static class EmbedEndpoints
{
    public const int MaxInputChars = 10_000;
    public const string DefaultModel = "mmi-clip";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/embed", (JsonElement body, ISearchBackend search, IOptions<ApiOptions> options) =>
        {
            var (inputs, model) = Parse(body, options.Value.MaxEmbedInputs);
            var vectors = search.Embed(inputs);
            if (vectors is null)
                return ApiProblems.Unavailable("CLIP is switched off, so there is no text encoder to embed with: configure the Clip section with real CLIP models.");
            var data = vectors.Select((v, i) => new EmbeddingItem("embedding", i, v)).ToArray();
            // CLIP's tokenizer lives in the encoder; whitespace words are a documented approximation.
            var tokens = inputs.Sum(t => Math.Max(1, t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length));
            return Results.Ok(new EmbeddingsResponse("list", data, model, new EmbeddingUsage(tokens, tokens)));
        })
        .WithTags("embed")
        .WithName("Embed")
        .WithSummary("OpenAI-style embeddings of text in CLIP space ({\"input\": \"text\" | [\"t1\", ...]}).")
        .Produces<EmbeddingsResponse>()
        .ProducesProblem(400).ProducesProblem(503);
    }

    internal static (IReadOnlyList<string> Inputs, string Model) Parse(JsonElement body, int maxInputs)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new SearchValidationException("The body must be a JSON object like {\"input\": \"text\"}.");
        var model = body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : DefaultModel;
        if (!body.TryGetProperty("input", out var input))
            throw new SearchValidationException("\"input\" is missing: send a string or an array of strings.");
        List<string> inputs = [];
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                inputs.Add(input.GetString()!);
                break;
            case JsonValueKind.Array:
                foreach (var item in input.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                        throw new SearchValidationException("\"input\" array items must be strings (token arrays are not supported).");
                    inputs.Add(item.GetString()!);
                    if (inputs.Count > maxInputs)
                        throw new SearchValidationException($"\"input\" has more than {maxInputs} items (Api:MaxEmbedInputs).");
                }
                break;
            default:
                throw new SearchValidationException("\"input\" must be a string or an array of strings.");
        }
        if (inputs.Count == 0) throw new SearchValidationException("\"input\" is empty.");
        if (inputs.Any(string.IsNullOrWhiteSpace)) throw new SearchValidationException("\"input\" contains an empty string.");
        if (inputs.Any(t => t.Length > MaxInputChars)) throw new SearchValidationException($"An input is longer than {MaxInputChars} characters.");
        return (inputs, model);
    }
}
