using System.Text.Json.Serialization;
using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores.Embedded;

/// <summary>Source-generated JSON for the few nested fields stored as JSON columns.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(List<Utterance>))]
[JsonSerializable(typeof(List<TimedText>))]
[JsonSerializable(typeof(MediaMeta))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class EmbeddedJson : JsonSerializerContext;
