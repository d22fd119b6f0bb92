using System.Security.Cryptography;
using MultiModalIndexer.Inference.Models;
using MultiModalIndexer.Inference.Onnx;

namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>
/// The PP-OCRv4 detector and recogniser sessions and the recogniser's classes, loaded once and shared
/// by every <see cref="PaddleOcrEngine"/> of a pool (an ORT session runs concurrent calls safely).
/// </summary>
public sealed class PaddleOcrModels : IDisposable
{
    private PaddleOcrModels(OrtSession det, OrtSession rec, string[] classes, string version)
    {
        Detector = det;
        Recognizer = rec;
        Classes = classes;
        Version = version;
    }

    internal OrtSession Detector { get; }
    internal OrtSession Recognizer { get; }
    /// <summary>CTC classes: blank, the keys file's lines, space.</summary>
    internal string[] Classes { get; }
    public string Version { get; }

    /// <summary>The files <paramref name="o"/> names that are not on disk (empty when PP-OCR can start).</summary>
    public static IReadOnlyList<string> MissingFiles(OcrOptions o) =>
        new[] { o.ResolvePath(o.DetModel), o.ResolvePath(o.RecModel), o.ResolvePath(o.RecKeys) }.Where(p => !File.Exists(p)).ToList();

    public static PaddleOcrModels Open(OcrOptions o)
    {
        var detPath = o.ResolvePath(o.DetModel);
        var recPath = o.ResolvePath(o.RecModel);
        var keysPath = o.ResolvePath(o.RecKeys);
        if (!File.Exists(keysPath)) throw new ModelMissingException(keysPath, "PP-OCR recogniser keys, config Ocr:RecKeys");
        var keys = File.ReadAllText(keysPath).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (keys.Count > 0 && keys[^1].Length == 0) keys.RemoveAt(keys.Count - 1);
        if (keys.Count == 0) throw new ModelCorruptException(keysPath, "the keys file lists no characters");
        string[] classes = ["", .. keys, " "];

        var det = ModelSessions.Open(detPath, "PP-OCR text detector, config Ocr:DetModel", o.IntraOpThreads);
        OrtSession? rec = null;
        try
        {
            var di = det.Inputs[0];
            if (det.Inputs.Count != 1 || di.ElementType != TensorElementType.Float || di.Rank != 4 || di.Shape[1] is not (3 or -1))
                throw new ModelIncompatibleException(detPath, $"detector input {di} is not float [N,3,H,W]");
            rec = ModelSessions.Open(recPath, "PP-OCR text recogniser, config Ocr:RecModel", o.IntraOpThreads);
            var ri = rec.Inputs[0];
            var ro = rec.Outputs[0];
            if (rec.Inputs.Count != 1 || ri.ElementType != TensorElementType.Float || ri.Rank != 4 || ri.Shape[2] != TextRecognizer.Height && ri.Shape[2] != -1)
                throw new ModelIncompatibleException(recPath, $"recogniser input {ri} is not float [N,3,48,W]");
            if (ro.Rank != 3 || ro.Shape[2] > 0 && ro.Shape[2] != classes.Length)
                throw new ModelIncompatibleException(recPath,
                    $"recogniser output {ro} has {ro.Shape[^1]} classes but the keys file {keysPath} gives {classes.Length} ({keys.Count} characters + blank + space); use the keys file that belongs to the model");
            var version = $"ppocr-v4:{Hash(detPath)}:{Hash(recPath)}:{Hash(keysPath)}";
            return new PaddleOcrModels(det, rec, classes, version);
        }
        catch
        {
            rec?.Dispose();
            det.Dispose();
            throw;
        }
    }

    /// <summary>sha256 prefix: new weights change the OCR version (and so trigger re-indexing).</summary>
    private static string Hash(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(f))[..12];
    }

    public void Dispose()
    {
        Detector.Dispose();
        Recognizer.Dispose();
    }
}
