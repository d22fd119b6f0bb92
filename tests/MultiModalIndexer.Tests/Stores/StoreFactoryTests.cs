using Microsoft.Extensions.Logging.Abstractions;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.OpenSearch;
using MultiModalIndexer.Tests.Common;

namespace MultiModalIndexer.Tests.Stores;

public class StoreFactoryTests
{
    [Fact]
    public async Task Embedded_RelativePathLandsInTheDataFolder()
    {
        var dir = TestPaths.NewScratchDir("factory");
        await using var store = StoreFactory.Create(new StoreOptions(), dir, NullLoggerFactory.Instance);
        var embedded = Assert.IsType<EmbeddedStore>(store);
        Assert.Equal(Path.Combine(dir, "index.db"), embedded.DatabasePath);
        await store.EnsureSchemaAsync();
        Assert.True(File.Exists(Path.Combine(dir, "index.db")));
        Assert.True((await store.HealthAsync()).Healthy);
    }

    [Fact]
    public void OpenSearch_NeedsAUrlAndAClient()
    {
        var bad = new StoreOptions { Kind = StoreKind.OpenSearch, OpenSearch = new OpenSearchOptions { Url = "not a url" } };
        Assert.Contains(bad.Validate(), m => m.Contains("Store:OpenSearch:Url"));
        var e = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(bad, "/tmp", NullLoggerFactory.Instance));
        Assert.Contains("Url", e.Message);
        var ok = new StoreOptions { Kind = StoreKind.OpenSearch, OpenSearch = new OpenSearchOptions { Url = "https://localhost:9200" } };
        Assert.Empty(ok.Validate());
        Assert.Throws<InvalidOperationException>(() => StoreFactory.Create(ok, "/tmp", NullLoggerFactory.Instance));
        using var http = new HttpClient();
        Assert.IsType<OpenSearchStore>(StoreFactory.Create(ok, "/tmp", http, NullLoggerFactory.Instance));
    }

    [Fact]
    public void EmbeddedOptions_ValidateSaysWhatToFix()
    {
        Assert.Empty(new EmbeddedStoreOptions().Validate());
        Assert.Contains(new EmbeddedStoreOptions { Path = " " }.Validate(), m => m.Contains("Store:Embedded:Path"));
        Assert.Contains(new EmbeddedStoreOptions { RescoreCandidates = 1 }.Validate(), m => m.Contains("RescoreCandidates"));
        Assert.Throws<ArgumentException>(() => new EmbeddedStore("/tmp/x.db", new EmbeddedStoreOptions { MaxScoredTextRows = 0 }));
    }
}

public class EmbeddedStoreFailureTests
{
    [Fact]
    public async Task NotADatabase_IsReportedUnhealthy_AndWritesFailClearly()
    {
        var path = Path.Combine(TestPaths.NewScratchDir("corrupt"), "index.db");
        await File.WriteAllTextAsync(path, new string('x', 8192));
        await using var store = new EmbeddedStore(path, new EmbeddedStoreOptions());
        var health = await store.HealthAsync();
        Assert.False(health.Healthy);
        Assert.Contains(path, health.Detail);
        // One line naming the file and the command that repairs it (issue 11), the SQLite error inside.
        var e = await Assert.ThrowsAsync<MultiModalIndexer.Common.StoreCorruptException>(() => store.EnsureSchemaAsync());
        Assert.Contains(path, e.Message);
        Assert.Contains("./mmi doctor", e.Message);
        Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(e.InnerException);
        Assert.Equal(new string('x', 8192), await File.ReadAllTextAsync(path)); // untouched
    }
}
