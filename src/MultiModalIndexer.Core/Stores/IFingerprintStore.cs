using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Stores;

/// <summary>One video's copy-detection fingerprint as stored.</summary>
public sealed record StoredFingerprint(string VideoId, string SourcePath, double Duration, VideoFingerprint Fingerprint);

/// <summary>
/// Copy-detection fingerprints, written with the video by <see cref="ISegmentStore.UpsertVideoAsync"/>
/// (replaced on re-index, removed on delete). Readers keep an in-memory lookup index and rebuild it
/// when <see cref="FingerprintVersionAsync"/> changes, which it does on every write by any process.
/// </summary>
public interface IFingerprintStore
{
    Task<string> FingerprintVersionAsync(CancellationToken ct = default);

    IAsyncEnumerable<StoredFingerprint> ReadFingerprintsAsync(CancellationToken ct = default);
}
