using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Models;

/// <summary>
/// Opens a model file as an ONNX Runtime session, turning every failure into a <see cref="ModelException"/>
/// that names the file and the setting, so CLIP and PP-OCR report a missing or broken model the same way.
/// </summary>
public static class ModelSessions
{
    public static OrtSession Open(string path, string what, int intraOpThreads)
    {
        if (!File.Exists(path)) throw new ModelMissingException(path, what);
        if (new FileInfo(path).Length == 0) throw new ModelCorruptException(path, "the file is empty");
        try
        {
            return OrtSession.Open(path, new OrtSessionSettings
            {
                IntraOpThreads = intraOpThreads,
                InterOpThreads = 1,
                // Pipeline stages (decode, CLIP, OCR) share two cores: intra-op threads that spin while
                // waiting for work burn CPU the other stages need (measured: ~5 % more CPU end to end).
                ConfigEntries = new Dictionary<string, string> { ["session.intra_op.allow_spinning"] = "0" },
            });
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
}
