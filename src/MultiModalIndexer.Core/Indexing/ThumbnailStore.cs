using System.Text.RegularExpressions;
using MultiModalIndexer.Common;
using MultiModalIndexer.Stores;

namespace MultiModalIndexer.Indexing;

/// <summary>
/// Keyframe JPEGs under DATA/thumbs/&lt;videoId&gt;/&lt;ordinal&gt;.jpg. Keyed by video id (content),
/// so renames keep them. References are "videoId/ordinal" and are validated strictly, so a
/// reference can never name a file outside this folder.
/// </summary>
public sealed partial class ThumbnailStore(string directory)
{
    [GeneratedRegex("^([0-9a-f]{8,64})/([0-9]{1,6})$")]
    private static partial Regex RefPattern();

    public string Directory { get; } = Path.GetFullPath(directory);

    public static string Ref(string videoId, int ordinal) => $"{videoId}/{ordinal}";

    /// <summary>Splits a strictly valid reference into its video id and ordinal.</summary>
    public static bool TryParse(string? thumbnailRef, out string videoId, out int ordinal)
    {
        var m = RefPattern().Match(thumbnailRef ?? "");
        videoId = m.Success ? m.Groups[1].Value : "";
        ordinal = m.Success ? int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return m.Success;
    }

    /// <summary>Writes atomically; a failure here is our data folder's (a <see cref="StorageException"/>), never the video's.</summary>
    public async Task<string> WriteAsync(string videoId, int ordinal, byte[] jpeg, CancellationToken ct)
    {
        var dir = Path.Combine(Directory, videoId);
        var path = Path.Combine(dir, $"{ordinal}.jpg");
        try
        {
            System.IO.Directory.CreateDirectory(dir);
            var tmp = path + ".tmp";
            await File.WriteAllBytesAsync(tmp, jpeg, ct);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var dataDir = Path.GetDirectoryName(Directory)!;
            throw StorageErrors.Describe(e, dataDir) is { Problem: "the disk is full" } full ? full
                : new StorageException($"cannot write thumbnails: {e.Message}", Directory,
                    $"make {Directory} a writable folder (not a file) with free space, then run the command again", e);
        }
        return Ref(videoId, ordinal);
    }

    public async Task<byte[]?> ReadAsync(string thumbnailRef, CancellationToken ct)
    {
        var m = RefPattern().Match(thumbnailRef ?? "");
        if (!m.Success) return null;
        var path = Path.Combine(Directory, m.Groups[1].Value, $"{int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)}.jpg");
        try
        {
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return null; // missing (or thumbs/ broken): the resolver renders it again
        }
    }

    public void DeleteVideo(string videoId)
    {
        if (!RefPattern().IsMatch(videoId + "/0")) return;
        var dir = Path.Combine(Directory, videoId);
        try
        {
            if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { /* best effort: a stale thumbnail folder is harmless */ }
    }
}
