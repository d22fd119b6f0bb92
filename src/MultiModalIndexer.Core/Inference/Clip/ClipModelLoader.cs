using System.Security.Cryptography;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Clip;

/// <summary>Opens an ONNX file as a session, turning every failure into a <see cref="ModelException"/>.</summary>
internal static class ClipModelLoader
{
    public static OrtSession Open(string path, string what, int intraOpThreads)
    {
        if (!File.Exists(path)) throw new ModelMissingException(path, what);
        if (new FileInfo(path).Length == 0) throw new ModelCorruptException(path, "the file is empty");
        try
        {
            return OrtSession.Open(path, new OrtSessionSettings { IntraOpThreads = intraOpThreads, InterOpThreads = 1 });
        }
        catch (OnnxRuntimeException e) when (e.Code is OrtErrorCode.NoSuchFile)
        {
            throw new ModelMissingException(path, what, e);
        }
        catch (OnnxRuntimeException e) when (e.Code is not OrtErrorCode.Fail || !e.OrtMessage.Contains("could not be loaded", StringComparison.Ordinal))
        {
            throw new ModelCorruptException(path, "ONNX Runtime cannot load it: " + e.OrtMessage, e);
        }
    }

    /// <summary>File name + sha256 prefix: a change of weights changes the version (and triggers re-indexing).</summary>
    public static string Version(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var hash = Convert.ToHexStringLower(SHA256.HashData(f));
        return $"{Path.GetFileName(path)}@{hash[..12]}";
    }

    public static string? Metadata(OrtSession s, string key) => s.Metadata.Custom.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
}
