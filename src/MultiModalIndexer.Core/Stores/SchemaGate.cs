using System.Runtime.CompilerServices;

namespace MultiModalIndexer.Stores;

/// <summary>
/// The one schema gate: EnsureSchemaAsync runs once per store instance, however many callers (indexer,
/// search, the daemon's readiness service, CLI verbs) ask at the same time; a failure leaves it open to retry.
/// </summary>
public static class SchemaGate
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim without AvailableWaitHandle holds no OS handle; a state lives as long as its store.")]
    private sealed class State
    {
        public readonly SemaphoreSlim Lock = new(1, 1);
        public volatile bool Ready;
    }

    private static readonly ConditionalWeakTable<ISegmentStore, State> States = new();

    public static bool IsEnsured(ISegmentStore store) => States.TryGetValue(store, out var s) && s.Ready;

    /// <summary>The store was replaced underneath (a damaged file moved aside): the next caller ensures it again.</summary>
    public static void Reset(ISegmentStore store)
    {
        if (States.TryGetValue(store, out var s)) s.Ready = false;
    }

    public static async Task EnsureAsync(ISegmentStore store, CancellationToken ct = default)
    {
        var state = States.GetValue(store, _ => new State());
        if (state.Ready) return;
        await state.Lock.WaitAsync(ct);
        try
        {
            if (!state.Ready) await store.EnsureSchemaAsync(ct);
            state.Ready = true;
        }
        finally
        {
            state.Lock.Release();
        }
    }
}
