using System.Diagnostics;
using MultiModalIndexer.Inference.Clip;
using Xunit.Abstractions;

namespace MultiModalIndexer.Tests.Clip;

[CollectionDefinition(nameof(ClipLeakCollection), DisableParallelization = true)]
public sealed class ClipLeakCollection;

/// <summary>Runs alone (no parallel tests), so RSS reflects this loop and not a neighbour's allocations.</summary>
[Collection(nameof(ClipLeakCollection))]
public class ClipLeakTests(ITestOutputHelper output)
{
    [Fact]
    public void A_thousand_runs_hold_memory_and_handles_flat()
    {
        var o = ClipFixtures.Options("xenova");
        o.BatchSize = 2;
        var frames = new ReadOnlyMemory<byte>[] { ClipFixtures.Frame("red"), ClipFixtures.Frame("blue") };
        using (var warm = ClipEncoders.CreateImageEncoder(o)) warm.Encode(frames);

        void Cycle(int n)
        {
            // Sessions are opened and closed too: every native object must be released.
            for (var round = 0; round < n / 100; round++)
            {
                using var image = ClipEncoders.CreateImageEncoder(o);
                using var text = ClipEncoders.CreateTextEncoder(o);
                for (var i = 0; i < 50; i++)
                {
                    image.Encode(frames);
                    text.Encode("a yellow bus");
                }
            }
        }

        Cycle(200); // warm-up: arenas, caches, JIT
        var (rss0, fds0) = Snapshot();
        Cycle(1000);
        var (rss1, fds1) = Snapshot();
        output.WriteLine($"RSS {rss0 >> 20} MB → {rss1 >> 20} MB, fds {fds0} → {fds1} over 1,000 image + 1,000 text runs and 20 session opens");
        Assert.True(fds1 - fds0 <= 5, $"file descriptors grew {fds0} → {fds1}");
        // 1,000 runs that leaked one 224×224 input (600 KB) each would grow ~600 MB; allow 64 MB of noise.
        Assert.True(rss1 - rss0 < 64L << 20, $"RSS grew {(rss1 - rss0) >> 20} MB over 1,000 runs");
    }

    private static (long Rss, int Fds) Snapshot()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return (p.WorkingSet64, Directory.GetFiles("/proc/self/fd").Length);
    }

}
