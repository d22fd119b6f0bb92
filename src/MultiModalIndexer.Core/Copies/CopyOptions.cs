namespace MultiModalIndexer.Copies;

/// <summary>
/// Video copy detection (section <c>Copies</c>): fingerprints taken at indexing time, candidate lookup
/// over hash bands, and temporal alignment of query × reference frames. The thresholds were
/// calibrated on the generated transform set (CopyDetectionTests) so unrelated videos match nothing.
/// </summary>
public sealed class CopyOptions
{
    public const string Section = "Copies";

    /// <summary>Take fingerprints while indexing (from the shot-analysis decode; no extra decode).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Fingerprint samples per second of indexed video.</summary>
    public double FingerprintFps { get; set; } = 3;
    /// <summary>Samples per second of a query clip (denser than the library: finer spans, speed changes).</summary>
    public double QueryFps { get; set; } = 4;
    /// <summary>Least contrast (std. dev. of grey levels) of a frame worth hashing: flat frames match everything.</summary>
    public double MinContrast { get; set; } = 4;

    /// <summary>Hamming distance (of 64 bits) under which a band-lookup hit votes for its video.</summary>
    public int CandidateDistance { get; set; } = 20;
    /// <summary>Videos whose band hits come from at least this many query frames are aligned.</summary>
    public int MinCandidateVotes { get; set; } = 2;
    /// <summary>Candidates need at least this fraction of the best candidate's distance-weighted votes (chance hits stay far below a copy's).</summary>
    public double MinVoteFraction { get; set; } = 0.1;
    /// <summary>Most candidate videos aligned per query (most votes first).</summary>
    public int MaxCandidates { get; set; } = 32;
    /// <summary>Band values shared by more samples than this are skipped in lookups (uninformative).</summary>
    public int MaxBucketSize { get; set; } = 50_000;

    /// <summary>Hamming distance under which a query × reference frame pair counts in the alignment.</summary>
    public int MatchDistance { get; set; } = 18;
    /// <summary>
    /// A query frame found (within <see cref="CommonFrameDistance"/>) in more library videos than this is a
    /// common picture (a test pattern, a lattice-like fractal, a plain title card) and counts
    /// CommonFrameVideos/n in alignment: unrelated clips of the same kind of footage do not add up to a copy.
    /// </summary>
    public int CommonFrameVideos { get; set; } = 2;
    /// <summary>
    /// Bits within which a library frame is the same picture as a query frame, for <see cref="CommonFrameVideos"/>.
    /// Tighter than MatchDistance on purpose: in a large library many unrelated frames lie within 18 bits
    /// of any frame by chance (at 100 h of synthetic footage every query frame had several), while common
    /// pictures (the lattices of unrelated Sierpinski clips) lie 2-4 bits apart.
    /// </summary>
    public int CommonFrameDistance { get; set; } = 6;
    /// <summary>
    /// Most difference of colour layout (mean grey levels per grid cell) between a query frame and a
    /// reference frame that still count as the same picture. Copies under the transforms
    /// measured 0.2-4.5 levels; smooth colour gradients of unrelated generated clips, equal in every
    /// grey hash bit, 21-24.
    /// </summary>
    public double MaxChromaDistance { get; set; } = 10;
    /// <summary>Query frames less colourful than this (mean levels from grey) are matched on grey alone: black-and-white copies.</summary>
    public double MinChromaStrength { get; set; } = 2;
    /// <summary>Best reference frames kept per query frame and candidate.</summary>
    public int TopPerQueryFrame { get; set; } = 16;
    /// <summary>Longest stretch of query without a matching frame inside one copied span.</summary>
    public double MaxGapSeconds { get; set; } = 3;
    /// <summary>Slowest reference-over-query speed of a copy (a copy slowed 25 % is 0.8, less sampling jitter).</summary>
    public double MinSpeed { get; set; } = 0.7;
    /// <summary>Fastest reference-over-query speed (1.25× speed-ups and sampling jitter).</summary>
    public double MaxSpeed { get; set; } = 1.45;
    /// <summary>
    /// Shortest copied span reported (seconds, on the longer side). Generated look-alike footage
    /// (Sierpinski lattices, gradients, fractal zooms of the same kind) chains into chance spans of up
    /// to ~3 s; copies of 4 s and more clear this.
    /// </summary>
    public double MinSpanSeconds { get; set; } = 3.5;
    /// <summary>Fewest matching frames in a reported span.</summary>
    public int MinMatchedFrames { get; set; } = 6;
    /// <summary>Least span score (0..1: matched-frame similarity × density) reported.</summary>
    public double MinScore { get; set; } = 0.3;
    /// <summary>
    /// Least evidence a reported span carries: its score times its query seconds (seconds of query matched,
    /// weighed by similarity). Chance chains between look-alike generated clips (Sierpinski lattices) are
    /// short and weak at once: at most 1.4 against a library with 300 generated clips (held-out seeds 4-6),
    /// 1.76 in the generated set; copies found with their spans carried 2.0 and more.
    /// </summary>
    public double MinEvidenceSeconds { get; set; } = 1.85;
    /// <summary>Most spans reported per query/reference pair.</summary>
    public int MaxSpansPerPair { get; set; } = 4;
    /// <summary>Most matches a query returns.</summary>
    public int MaxMatches { get; set; } = 20;
    /// <summary>Longest query clip (seconds) fingerprinted; longer uploads are refused.</summary>
    public double MaxQuerySeconds { get; set; } = 1800;
    /// <summary>Largest clip upload (POST /api/search/video), in megabytes.</summary>
    public int MaxUploadMegabytes { get; set; } = 256;

    public IEnumerable<string> Validate()
    {
        if (FingerprintFps is < 0.5 or > 10) yield return "Copies:FingerprintFps must be between 0.5 and 10 samples per second.";
        if (QueryFps is < 0.5 or > 15) yield return "Copies:QueryFps must be between 0.5 and 15 samples per second.";
        if (MinContrast is < 0 or > 64) yield return "Copies:MinContrast must be between 0 and 64 grey levels.";
        if (CandidateDistance is < 0 or > 32) yield return "Copies:CandidateDistance must be between 0 and 32 bits.";
        if (MinCandidateVotes < 1) yield return "Copies:MinCandidateVotes must be at least 1.";
        if (MinVoteFraction is < 0 or > 1) yield return "Copies:MinVoteFraction must be between 0 and 1.";
        if (MaxCandidates is < 1 or > 10_000) yield return "Copies:MaxCandidates must be between 1 and 10000.";
        if (MaxBucketSize < 16) yield return "Copies:MaxBucketSize must be at least 16.";
        if (MatchDistance is < 0 or > 32) yield return "Copies:MatchDistance must be between 0 and 32 bits.";
        if (CommonFrameVideos is < 1 or > 10_000) yield return "Copies:CommonFrameVideos must be between 1 and 10000.";
        if (CommonFrameDistance < 0 || CommonFrameDistance > MatchDistance) yield return "Copies:CommonFrameDistance must be between 0 and Copies:MatchDistance bits.";
        if (MaxChromaDistance is < 0 or > 128) yield return "Copies:MaxChromaDistance must be between 0 and 128 grey levels.";
        if (MinChromaStrength is < 0 or > 128) yield return "Copies:MinChromaStrength must be between 0 and 128 grey levels.";
        if (TopPerQueryFrame is < 1 or > 64) yield return "Copies:TopPerQueryFrame must be between 1 and 64.";
        if (MaxGapSeconds is <= 0 or > 60) yield return "Copies:MaxGapSeconds must be in (0, 60].";
        if (MinSpeed is <= 0 or > 1) yield return "Copies:MinSpeed must be in (0, 1].";
        if (MaxSpeed is < 1 or > 4) yield return "Copies:MaxSpeed must be between 1 and 4.";
        if (MinSpanSeconds is < 0 or > 600) yield return "Copies:MinSpanSeconds must be between 0 and 600.";
        if (MinMatchedFrames is < 2 or > 10_000) yield return "Copies:MinMatchedFrames must be between 2 and 10000.";
        if (MinScore is < 0 or > 1) yield return "Copies:MinScore must be between 0 and 1.";
        if (MinEvidenceSeconds is < 0 or > 600) yield return "Copies:MinEvidenceSeconds must be between 0 and 600.";
        if (MaxSpansPerPair is < 1 or > 100) yield return "Copies:MaxSpansPerPair must be between 1 and 100.";
        if (MaxMatches is < 1 or > 1000) yield return "Copies:MaxMatches must be between 1 and 1000.";
        if (MaxQuerySeconds is <= 0 or > 86_400) yield return "Copies:MaxQuerySeconds must be in (0, 86400].";
        if (MaxUploadMegabytes is < 1 or > 16_384) yield return "Copies:MaxUploadMegabytes must be between 1 and 16384.";
        if (CandidateDistance < MatchDistance) yield return "Copies:CandidateDistance must be at least Copies:MatchDistance (lookups must find what alignment counts).";
    }
}

/// <summary>One copied span: reference video and times on both sides (seconds).</summary>
public sealed record CopyMatch(string Video, double Start, double End, double QueryStart, double QueryEnd, double Score)
{
    /// <summary>The reference video's id (for the page's media links); not part of the CLI's JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string VideoId { get; init; } = "";
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Mirrored { get; init; }
}

public sealed record CopySearchResult(IReadOnlyList<CopyMatch> Matches);
