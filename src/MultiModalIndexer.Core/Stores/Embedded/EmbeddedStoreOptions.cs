namespace MultiModalIndexer.Stores.Embedded;

/// <summary>Configuration "Store:Embedded" (env MMI__Store__Embedded__Path, ...).</summary>
public sealed class EmbeddedStoreOptions
{
    public const string Section = "Store:Embedded";

    /// <summary>SQLite database file; relative paths are under the data folder.</summary>
    public string Path { get; set; } = "index.db";
    /// <summary>Keep an int8 copy of vectors for a fast first pass, re-scored exactly.</summary>
    public bool QuantizeVectors { get; set; }
    /// <summary>With <see cref="QuantizeVectors"/>: how many int8 candidates (at least) are re-scored in float32.</summary>
    public int RescoreCandidates { get; set; } = 400;
    /// <summary>
    /// At most this many matching rows are BM25-scored per text query (FTS5 scores every match before
    /// sorting). Over budget, the most frequent query terms are left out of the match, rarest kept;
    /// a single term over budget has only its newest matches scored.
    /// </summary>
    public long MaxScoredTextRows { get; set; } = 10_000;

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) yield return "Store:Embedded:Path must name the SQLite file (e.g. index.db).";
        else if (Path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0) yield return $"Store:Embedded:Path '{Path}' contains characters not allowed in a path.";
        if (RescoreCandidates is < 10 or > 100_000) yield return "Store:Embedded:RescoreCandidates must be between 10 and 100000.";
        if (MaxScoredTextRows < 1) yield return "Store:Embedded:MaxScoredTextRows must be at least 1 (default 10000).";
    }
}
