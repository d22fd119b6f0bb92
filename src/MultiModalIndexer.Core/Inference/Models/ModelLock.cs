using System.Text.Json;
using System.Text.Json.Serialization;

namespace MultiModalIndexer.Inference.Models;

/// <summary>
/// models/models.lock.json: sha256 pins for model files whose publisher gives none. The first verified
/// download (complete, size as the server said) pins the hash; every later download and `models verify` checks it.
/// </summary>
public sealed class ModelLock
{
    public const string FileName = "models.lock.json";

    [JsonPropertyName("about")]
    public string About { get; init; } = "sha256 pinned on the first verified download of files models.json lists as \"unknown\"; checked from then on. Delete an entry to re-pin.";

    [JsonPropertyName("files")]
    public SortedDictionary<string, LockedFile> Files { get; init; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static ModelLock Load(string modelsDir)
    {
        var path = Path.Combine(modelsDir, FileName);
        if (!File.Exists(path)) return new ModelLock();
        try
        {
            return JsonSerializer.Deserialize<ModelLock>(File.ReadAllText(path), Json) ?? new ModelLock();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({e.Message}): fix or delete it (pins are re-made on the next download).", e);
        }
    }

    public LockedFile? Find(string relativePath) => Files.GetValueOrDefault(relativePath.Replace('\\', '/'));

    public void Pin(string relativePath, string sha256, long size, string from) =>
        Files[relativePath.Replace('\\', '/')] = new LockedFile(sha256, size, from, DateTimeOffset.UtcNow);

    public void Save(string modelsDir)
    {
        Directory.CreateDirectory(modelsDir);
        var path = Path.Combine(modelsDir, FileName);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(tmp, path, overwrite: true);
    }
}

public sealed record LockedFile(
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("pinned")] DateTimeOffset Pinned);
