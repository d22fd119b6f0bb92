using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Stores;

public enum StoreKind { Embedded, OpenSearch }

/// <summary>Configuration section "Store" (env MMI__Store__Kind, MMI__Store__OpenSearch__Url, ...).</summary>
public sealed class StoreOptions
{
    public const string Section = "Store";
    public StoreKind Kind { get; set; } = StoreKind.Embedded;
    public EmbeddedStoreOptions Embedded { get; set; } = new();
    public OpenSearchOptions OpenSearch { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Kind)) yield return $"Store:Kind '{Kind}' is not one of Embedded, OpenSearch.";
        if (Kind == StoreKind.Embedded)
            foreach (var m in Embedded.Validate()) yield return m;
        if (Kind == StoreKind.OpenSearch)
        {
            if (!Uri.TryCreate(OpenSearch.Url, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
                yield return $"Store:OpenSearch:Url must be an absolute http(s) URL such as https://localhost:9200 (got '{OpenSearch.Url}').";
            if (string.IsNullOrWhiteSpace(OpenSearch.IndexPrefix)) yield return "Store:OpenSearch:IndexPrefix must not be empty.";
        }
    }
}
