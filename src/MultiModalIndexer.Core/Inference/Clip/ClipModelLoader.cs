using System.Security.Cryptography;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>Opens an ONNX file as a session, turning every failure into a <see cref="ModelException"/>.</summary>
internal static class ClipModelLoader
{
    public static OrtSession Open(string path, string what, int intraOpThreads) => ModelSessions.Open(path, what, intraOpThreads);

    /// <summary>File name + sha256 prefix: a change of weights changes the version (and triggers re-indexing).</summary>
    public static string Version(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = Convert.ToHexStringLower(SHA256.HashData(f));
        return $"{Path.GetFileName(path)}@{hash[..12]}";
    }

    public static string? Metadata(OrtSession s, string key) => s.Metadata.Custom.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
}
