using MultiModalIndexer.Inference;

namespace MultiModalIndexer.Indexing;

public static class ModelVersions
{
    /// <summary>The model versions indexing would write now ("clip=..;asr=..;ocr=..;pipeline=.."), stored in the ledger.</summary>
    public static IReadOnlyDictionary<string, string> IndexingModelVersions(this Modalities modalities) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["clip"] = modalities.ImageEncoder?.ModelVersion ?? "off",
        ["asr"] = modalities.Recognizer?.ModelVersion ?? "off",
        ["ocr"] = modalities.SafeOcrVersion() ?? "off",
        ["pipeline"] = VideoPipeline.Version,
    };
}
