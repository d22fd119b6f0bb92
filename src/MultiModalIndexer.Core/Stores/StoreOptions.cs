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
}
