using Microsoft.Extensions.Logging;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Stores;

/// <summary>Builds the configured <see cref="ISegmentStore"/> (the host registers it as a singleton).</summary>
public static class StoreFactory
{
    /// <summary>Name of the HttpClient the host configures for OpenSearch (auth, custom CA).</summary>
    public const string OpenSearchHttpClientName = "opensearch";

    /// <summary>For the embedded store (no HTTP needed).</summary>
    public static ISegmentStore Create(StoreOptions options, string dataDir, ILoggerFactory loggerFactory) =>
        Create(options, dataDir, () => null, loggerFactory);

    /// <summary>Embedded: <see cref="EmbeddedStoreOptions.Path"/> resolved under <paramref name="dataDir"/> when relative.</summary>
    public static ISegmentStore Create(StoreOptions options, string dataDir, IHttpClientFactory? httpClientFactory, ILoggerFactory loggerFactory) =>
        Create(options, dataDir, () => httpClientFactory?.CreateClient(OpenSearchHttpClientName), loggerFactory);

    public static ISegmentStore Create(StoreOptions options, string dataDir, HttpClient? http, ILoggerFactory loggerFactory) =>
        Create(options, dataDir, () => http, loggerFactory);

    private static ISegmentStore Create(StoreOptions options, string dataDir, Func<HttpClient?> http, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new InvalidOperationException("Invalid store configuration: " + string.Join(" ", problems));
        switch (options.Kind)
        {
            case StoreKind.Embedded:
                var path = EmbeddedDatabasePath(options.Embedded, dataDir);
                loggerFactory.CreateLogger(typeof(StoreFactory)).LogInformation("Embedded store at {Path}", path);
                return new EmbeddedStore(path, options.Embedded);
            case StoreKind.OpenSearch:
                var client = http() ?? throw new InvalidOperationException("Store:Kind is OpenSearch but no HttpClient was provided.");
                return new OpenSearchStore(options.OpenSearch, client, loggerFactory.CreateLogger<OpenSearchStore>());
            default:
                throw new InvalidOperationException($"Store:Kind '{options.Kind}' is not supported.");
        }
    }

    public static string EmbeddedDatabasePath(EmbeddedStoreOptions options, string dataDir) =>
        Path.IsPathRooted(options.Path) ? options.Path : Path.GetFullPath(Path.Combine(dataDir, options.Path));
}
