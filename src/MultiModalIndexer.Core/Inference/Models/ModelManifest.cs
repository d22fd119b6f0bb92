using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using MultiModalIndexer.Common;

namespace MultiModalIndexer.Inference.Models;

/// <summary>models/models.json: every model file the product can use, where it goes, how to check it, where to get it.</summary>
public sealed class ModelManifest
{
    public const string FileName = "models.json";
    public const string Unknown = "unknown";

    [JsonPropertyName("schema")] public int Schema { get; init; }
    [JsonPropertyName("about")] public string? About { get; init; }
    [JsonPropertyName("models")] public List<ModelEntry> Models { get; init; } = [];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>The manifest in the models folder, or the one in the checkout when the folder is elsewhere.</summary>
    public static string DefaultPath()
    {
        var inModels = Path.Combine(ProjectPaths.ModelsDir, FileName);
        if (File.Exists(inModels) || ProjectPaths.Root is null) return inModels;
        return Path.Combine(ProjectPaths.Root, "models", FileName);
    }

    public static ModelManifest Load(string? path = null)
    {
        path ??= DefaultPath();
        if (!File.Exists(path)) throw new FileNotFoundException($"Model manifest not found: {path} (it ships in the repository as models/models.json).", path);
        var m = JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
        foreach (var e in m.Models)
            foreach (var f in e.Files)
            {
                if (string.IsNullOrWhiteSpace(f.Path) || Path.IsPathRooted(f.Path) || f.Path.Contains(".."))
                    throw new InvalidDataException($"{path}: model {e.Id} has a bad file path '{f.Path}' (must be relative to models/).");
                if (f.Sha256 != Unknown && (f.Sha256.Length != 64 || !f.Sha256.All(Uri.IsHexDigit)))
                    throw new InvalidDataException($"{path}: {f.Path} sha256 must be 64 hex digits or \"unknown\".");
            }
        return m;
    }

    public IEnumerable<(ModelEntry Model, ModelFile File)> Files() => Models.SelectMany(m => m.Files.Select(f => (m, f)));

    public ModelFile? FindFile(string relativePath) =>
        Files().Select(x => x.File).FirstOrDefault(f => string.Equals(Normalize(f.Path), Normalize(relativePath), StringComparison.Ordinal));

    private static string Normalize(string p) => p.Replace('\\', '/').TrimStart('.', '/');

    // ---- verify ----

    public static FileCheck Check(ModelFile file, string modelsDir)
    {
        var path = Path.Combine(modelsDir, file.Path);
        if (!File.Exists(path)) return new FileCheck(file, path, FileState.Missing, "missing");
        var size = new FileInfo(path).Length;
        if (file.Size is { } want && want != size)
            return new FileCheck(file, path, FileState.Corrupt, $"size {size} bytes, expected {want}");
        if (file.Sha256 == Unknown && ModelLock.Load(modelsDir).Find(file.Path) is { } pinned)
        {
            var actual = Sha256(path);
            return actual == pinned.Sha256
                ? new FileCheck(file, path, FileState.Ok, $"sha256 ok (pinned in {ModelLock.FileName})")
                : new FileCheck(file, path, FileState.Corrupt, $"sha256 {actual[..12]}…, pinned {pinned.Sha256[..12]}… in {ModelLock.FileName}");
        }
        if (file.Sha256 == Unknown)
            return file.Size is null
                ? new FileCheck(file, path, FileState.Unverified, $"present ({size} bytes), unverified: no published sha256 or size in the manifest")
                : new FileCheck(file, path, FileState.SizeOk, $"size matches ({size} bytes); sha256 unknown, so content unverified");
        var hash = Sha256(path);
        return hash == file.Sha256
            ? new FileCheck(file, path, FileState.Ok, "sha256 ok")
            : new FileCheck(file, path, FileState.Corrupt, $"sha256 {hash[..12]}…, expected {file.Sha256[..12]}…");
    }

    public static string Sha256(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    // ---- sync: copy from a local source folder ----

    /// <summary>Folders sync copies from: $MMI_MODELS_DIR, then ../shared/models.</summary>
    public static IReadOnlyList<string> SyncSources()
    {
        var list = new List<string>();
        if (Environment.GetEnvironmentVariable("MMI_MODELS_DIR") is { Length: > 0 } d) list.Add(d);
        if (ProjectPaths.SharedDir is { } shared) list.Add(Path.Combine(shared, "models"));
        return list.Where(Directory.Exists).Distinct().ToList();
    }

    /// <summary>
    /// Copies every missing or corrupt file that a source folder holds (same relative path, or the same file
    /// name anywhere below it) into <paramref name="modelsDir"/>, checking sha256/size before it lands.
    /// </summary>
    public IReadOnlyList<FileCheck> Sync(string modelsDir, IReadOnlyList<string> sources, Action<string> log)
    {
        var results = new List<FileCheck>();
        foreach (var (_, file) in Files())
        {
            var now = Check(file, modelsDir);
            if (now.State is FileState.Ok or FileState.SizeOk or FileState.Unverified)
            {
                results.Add(now);
                continue;
            }
            FileCheck? copied = null;
            foreach (var candidate in Candidates(file, sources))
            {
                var probe = Check(file with { Path = Path.GetFileName(candidate) }, Path.GetDirectoryName(candidate)!);
                if (probe.State is FileState.Corrupt or FileState.Missing)
                {
                    log($"  skip {candidate}: {probe.Detail}");
                    continue;
                }
                Directory.CreateDirectory(Path.GetDirectoryName(now.FullPath)!);
                var tmp = now.FullPath + ".partial";
                File.Copy(candidate, tmp, overwrite: true);
                File.Move(tmp, now.FullPath, overwrite: true);
                copied = Check(file, modelsDir);
                log($"  copied {file.Path} from {candidate} ({copied.Detail})");
                break;
            }
            results.Add(copied ?? now);
        }
        return results;
    }

    private static IEnumerable<string> Candidates(ModelFile file, IReadOnlyList<string> sources)
    {
        foreach (var src in sources)
        {
            var direct = Path.Combine(src, file.Path);
            if (File.Exists(direct)) yield return direct;
            IEnumerable<string> byName;
            try
            {
                byName = Directory.EnumerateFiles(src, Path.GetFileName(file.Path), SearchOption.AllDirectories).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var f in byName)
                if (!string.Equals(Path.GetFullPath(f), Path.GetFullPath(direct), StringComparison.Ordinal))
                    yield return f;
        }
    }

    // ---- fetch: download with checksum checks (ModelFetcher) ----

    /// <summary>
    /// Downloads the files of the given models that are missing or corrupt; throws <see cref="ModelFetchException"/>
    /// for the first model that could not be fetched (after trying the rest).
    /// </summary>
    public async Task<IReadOnlyList<ModelFetchOutcome>> FetchAsync(IEnumerable<ModelEntry> models, string modelsDir, Action<string> log,
        TimeSpan connectTimeout, CancellationToken ct, string? mirror = null, IProgress<DownloadProgress>? progress = null)
    {
        using var fetcher = new ModelFetcher(new ModelFetchOptions { ModelsDir = modelsDir, ConnectTimeout = connectTimeout, Mirror = mirror, ReplaceCorrupt = true });
        var outcomes = await fetcher.FetchAsync(models, progress, log, ct);
        if (outcomes.FirstOrDefault(o => !o.Ok) is { } failed)
            throw new ModelFetchException(failed.Model.Files.First(fetcher.Needs), failed.Detail, new IOException(failed.Detail));
        return outcomes;
    }
}

public sealed record ModelEntry
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("task")] public string Task { get; init; } = "";
    [JsonPropertyName("default")] public bool Default { get; init; }
    [JsonPropertyName("option")] public string Option { get; init; } = "";
    [JsonPropertyName("licence")] public string Licence { get; init; } = "";
    [JsonPropertyName("homepage")] public string? Homepage { get; init; }
    [JsonPropertyName("interface")] public string? Interface { get; init; }
    [JsonPropertyName("files")] public List<ModelFile> Files { get; init; } = [];
}

public sealed record ModelFile
{
    /// <summary>Relative to models/.</summary>
    [JsonPropertyName("path")] public required string Path { get; init; }
    /// <summary>Lower-case hex, or "unknown".</summary>
    [JsonPropertyName("sha256")] public string Sha256 { get; init; } = ModelManifest.Unknown;
    [JsonPropertyName("size")] public long? Size { get; init; }
    [JsonPropertyName("urls")] public List<string> Urls { get; init; } = [];
    /// <summary>When the URL is an archive: the member to extract.</summary>
    [JsonPropertyName("member")] public string? Member { get; init; }
}

public enum FileState { Ok, SizeOk, Unverified, Missing, Corrupt }

public sealed record FileCheck(ModelFile File, string FullPath, FileState State, string Detail)
{
    public bool Usable => State is FileState.Ok or FileState.SizeOk or FileState.Unverified;
}

public sealed class ModelFetchException(ModelFile file, string reason, Exception inner)
    : Exception($"Could not fetch {file.Path}: {reason}. On a machine without internet, download {string.Join(" or ", file.Urls)}{(file.Member is null ? "" : $" (member {file.Member})")} elsewhere and put it at models/{file.Path}, or set MMI_MODELS_DIR to a folder holding it and run './mmi models sync'.", inner)
{
    public ModelFile File { get; } = file;
}
