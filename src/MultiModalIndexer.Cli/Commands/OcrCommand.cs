using System.CommandLine;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Ocr.Imaging;
using MultiModalIndexer.Media;

namespace MultiModalIndexer.Cli.Commands;

/// <summary>`./mmi ocr IMAGE [--json]`: on-screen text of an image file with the same pipeline as video keyframes.</summary>
public sealed class OcrCommand : ICliCommand
{
    public Command Build()
    {
        var image = new Argument<string>("image") { Description = "Image file (anything ffmpeg decodes: png, jpg, tif, ...)." };
        var json = new Option<bool>("--json") { Description = "Print {\"text\", \"lines\": [{\"text\", \"confidence\"}]}." };
        var languages = new Option<string?>("--languages") { Description = "Tesseract languages joined by '+' (default Ocr:Languages, eng+chi_sim)." };
        var minConf = new Option<float?>("--min-confidence") { Description = "Drop lines below this confidence (0-100, default 50)." };
        var engine = new Option<string?>("--engine") { Description = "ppocr (PP-OCRv4, default) or tesseract (plain Tesseract, for pages and scans)." };
        var cmd = new Command("ocr", "Read the text in an image (PP-OCRv4 by default; Tesseract with --engine tesseract).") { image, json, languages, minConf, engine };
        cmd.SetAction(async (pr, ct) =>
        {
            var options = new OcrOptions();
            if (pr.GetValue(languages) is { Length: > 0 } l) options.Languages = l;
            if (pr.GetValue(minConf) is { } c) options.MinConfidence = c;
            if (pr.GetValue(engine) is { Length: > 0 } eng) options.Engine = eng;
            try
            {
                var result = await RunAsync(pr.GetValue(image)!, options, ct);
                if (pr.GetValue(json))
                    CliJson.Write(new { text = result.Text, lines = result.Lines.Select(x => new { text = x.Text, confidence = Math.Round(x.Confidence, 1), box = x.Box is { } b ? new[] { b.Left, b.Top, b.Right, b.Bottom } : null }) });
                else
                    Console.Out.WriteLine(result.Text);
                return 0;
            }
            catch (Exception e) when (e is MediaException or OcrException or DllNotFoundException or MultiModalIndexer.Inference.Models.ModelException or MultiModalIndexer.Inference.Onnx.OnnxRuntimeException)
            {
                Console.Error.WriteLine($"ocr: {e.Message}");
                return e is MediaException ? 2 : 1;
            }
        });
        return cmd;
    }

    /// <summary>Decode the file to grey and recognise it; typed errors for bad input.</summary>
    public static async Task<OcrResult> RunAsync(string path, OcrOptions options, CancellationToken ct = default)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new OcrException(string.Join(" ", problems));
        var img = await StillImageDecoder.ReadGreyAsync(path, 4096, ct);
        using var pool = new OcrEnginePool(options);
        return pool.Recognize(img, ct);
    }
}
