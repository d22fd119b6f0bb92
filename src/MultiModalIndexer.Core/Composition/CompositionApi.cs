// API SKELETON written by the integrator so the host compiles against it.
// The indexing stage replaces the body; keep the signature.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MultiModalIndexer.Composition;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates every section (Media, Clip, Speech, Ocr, Store, Indexing, Sources), and
    /// registers the store, encoders, recognizer, OCR pool, Indexer and SearchService as singletons.
    /// Invalid configuration fails start-up with messages that say what to fix.
    /// </summary>
    public static IServiceCollection AddMultiModalIndexer(this IServiceCollection services, IConfiguration configuration) =>
        throw new NotImplementedException($"{services}{configuration}");
}
