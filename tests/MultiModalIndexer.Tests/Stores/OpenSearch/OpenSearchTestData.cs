using MultiModalIndexer.Documents;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Tests.Stores.OpenSearch;

/// <summary>Small deterministic documents for request goldens (fixed times, fixed vectors).</summary>
internal static class OpenSearchTestData
{
    public static readonly DateTimeOffset IndexedAt = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static OpenSearchOptions Options(string engine = "lucene") => new()
    {
        Url = "http://opensearch.test:9200",
        Username = "admin",
        Password = "s3cret-Passw0rd",
        KnnEngine = engine,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>A unit vector with a fixed pattern per seed, rounded to 4 decimals so goldens stay short.</summary>
    public static float[] Vector(int seed, int dim = 512)
    {
        var v = new float[dim];
        double norm = 0;
        for (var i = 0; i < dim; i++)
        {
            v[i] = ((i * 7 + seed * 13) % 17) - 8;
            norm += v[i] * v[i];
        }
        for (var i = 0; i < dim; i++) v[i] = MathF.Round((float)(v[i] / Math.Sqrt(norm)), 4);
        return v;
    }

    public static readonly MediaMeta Media = new("mov,mp4,m4a,3gp,3g2,mj2", 42.5, 3_145_728, 1280, 720, 25, "h264", "aac", null);

    public static string VideoId => DocumentIds.VideoId("sha256:golden-fixture");

    public static VideoDocument Video(int segments = 3, bool fingerprint = false) => new()
    {
        Fingerprint = fingerprint ? new VideoFingerprint(3, [0f, 0.333f, 0.667f], [0x0123456789ABCDEFUL, 0xFEDCBA9876543210UL, 0x0F0F0F0F0F0F0F0FUL]) : null,
        Id = VideoId,
        SourcePath = "/media/lectures/城市夜景 tour.mp4",
        Storage = "local",
        FileName = "城市夜景 tour.mp4",
        Title = "城市夜景 tour",
        Duration = 42.5,
        Media = Media,
        SegmentCount = segments,
        MeanVector = Vector(99),
        Transcript = "Welcome to the night tour. 这是城市的夜景。",
        Language = "zh",
        IndexedAt = IndexedAt,
        ModelVersions = new Dictionary<string, string> { ["clip"] = "clip-vit-b32@1", ["asr"] = "whisper-tiny@1", ["ocr"] = "tesseract-5.3", ["pipeline"] = "1" },
    };

    public static IReadOnlyList<SegmentDocument> Segments(int count = 3)
    {
        var list = new List<SegmentDocument>();
        string[] transcripts = ["Welcome to the night tour.", "这是城市的夜景。", "Thanks for watching."];
        string[] ocr = ["NIGHT TOUR\nPlatform 3", "城市夜景\n出口 B", "THE END"];
        for (var i = 0; i < count; i++)
        {
            var start = i * 14.0;
            list.Add(new SegmentDocument
            {
                Id = DocumentIds.SegmentId(VideoId, i),
                VideoId = VideoId,
                Ordinal = i,
                SourcePath = "/media/lectures/城市夜景 tour.mp4",
                Storage = "local",
                FileName = "城市夜景 tour.mp4",
                Title = "城市夜景 tour",
                Start = start,
                End = start + 14.0,
                KeyframeTimes = [start + 1, start + 7],
                ThumbnailRef = $"{DocumentIds.SegmentId(VideoId, i)}/0",
                Transcript = transcripts[i % 3],
                Utterances = [new Utterance(start + 0.5, start + 3.5, transcripts[i % 3], i % 3 == 1 ? "zh" : "en")],
                OcrText = ocr[i % 3],
                OcrLines = [new TimedText(ocr[i % 3], start + 2, start + 5.5)],
                Vector = Vector(i),
                Language = i % 3 == 1 ? "zh" : "en",
                Media = Media,
                IndexedAt = IndexedAt,
                ModelVersions = new Dictionary<string, string> { ["clip"] = "clip-vit-b32@1", ["asr"] = "whisper-tiny@1", ["ocr"] = "tesseract-5.3", ["pipeline"] = "1" },
            });
        }
        return list;
    }
}
