using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiModalIndexer.Common;
using MultiModalIndexer.Copies;
using MultiModalIndexer.Crawl;
using MultiModalIndexer.Indexing;
using MultiModalIndexer.Inference;
using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Ocr;
using MultiModalIndexer.Inference.Speech;
using MultiModalIndexer.Media;
using MultiModalIndexer.Search;
using MultiModalIndexer.Stores;
using MultiModalIndexer.Stores.Embedded;
using MultiModalIndexer.Stores.OpenSearch;

namespace MultiModalIndexer.Composition;

/// <summary>Everything the composition bound, after relative paths were resolved (also registered as a singleton).</summary>
public sealed record MultiModalIndexerSettings(
    MediaOptions Media,
    ClipOptions Clip,
    SpeechOptions Speech,
    OcrOptions Ocr,
    StoreOptions Store,
    IndexingOptions Indexing,
    IReadOnlyList<SourceOptions> Sources)
{
    public CopyOptions Copies { get; init; } = new();
}

public static class ServiceCollectionExtensions
{
    public const string SourcesSection = "Sources";

    /// <summary>
    /// Binds and validates every section (Media, Clip, Speech, Ocr, Store, Indexing, Sources), and
    /// registers the store, encoders, recognizer, OCR pool, Indexer and SearchService as singletons.
    /// Invalid configuration fails start-up with messages that say what to fix.
    /// </summary>
    public static IServiceCollection AddMultiModalIndexer(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = Bind(configuration);
        var errors = Validate(settings).ToList();
        if (errors.Count > 0)
            throw new OptionsValidationException(nameof(MultiModalIndexer), typeof(MultiModalIndexerSettings), errors);

        services.AddLogging();
        services.AddSingleton(settings);
        services.AddSingleton(settings.Media);
        services.AddSingleton(settings.Clip);
        services.AddSingleton(settings.Speech);
        services.AddSingleton(settings.Ocr);
        services.AddSingleton(settings.Store);
        services.AddSingleton(settings.Indexing);
        services.AddSingleton(settings.Sources);
        services.TryAddSingleton<IOptions<MediaOptions>>(Options.Create(settings.Media));
        services.TryAddSingleton<IOptions<ClipOptions>>(Options.Create(settings.Clip));
        services.TryAddSingleton<IOptions<SpeechOptions>>(Options.Create(settings.Speech));
        services.TryAddSingleton<IOptions<OcrOptions>>(Options.Create(settings.Ocr));
        services.TryAddSingleton<IOptions<StoreOptions>>(Options.Create(settings.Store));
        services.TryAddSingleton<IOptions<IndexingOptions>>(Options.Create(settings.Indexing));

        services.AddSingleton(sp => new MediaProbe(settings.Media, sp.GetService<ILogger<MediaProbe>>()));
        services.AddSingleton(sp => new ShotDetector(settings.Media, sp.GetService<ILogger<ShotDetector>>())
        {
            Fingerprints = settings.Copies.Enabled ? new FrameHashSampling(settings.Copies.FingerprintFps, settings.Copies.MinContrast) : null,
        });
        services.AddSingleton(sp => new KeyframeExtractor(settings.Media, sp.GetService<ILogger<KeyframeExtractor>>()));
        services.AddSingleton(sp => new AudioReader(settings.Media, sp.GetService<ILogger<AudioReader>>()));
        services.AddSingleton(sp => new StillImageReader(settings.Media, sp.GetService<ILogger<StillImageReader>>()));

        // Models open lazily: a missing one switches its modality off with one log line; the host still runs.
        services.AddSingleton(sp => new Modalities(settings.Clip, settings.Speech, settings.Ocr, sp.GetService<ILogger<Modalities>>()));
        services.AddSingleton<Func<ITextEncoder?>>(sp => () => sp.GetRequiredService<Modalities>().TextEncoder);
        services.AddSingleton<Func<IImageEncoder?>>(sp => () => sp.GetRequiredService<Modalities>().ImageEncoder);
        services.AddSingleton<Func<ISpeechRecognizer?>>(sp => () => sp.GetRequiredService<Modalities>().Recognizer);
        services.AddSingleton<Func<OcrEnginePool?>>(sp => () => sp.GetRequiredService<Modalities>().Ocr);

        services.AddSingleton<ISegmentStore>(sp => CreateStore(settings, sp));
        services.AddSingleton(sp => new Indexer(settings.Indexing, settings.Sources, sp.GetRequiredService<ISegmentStore>(),
            sp.GetRequiredService<MediaProbe>(), sp.GetRequiredService<ShotDetector>(), sp.GetRequiredService<KeyframeExtractor>(),
            sp.GetRequiredService<AudioReader>(), sp.GetRequiredService<Modalities>(), sp.GetService<ILogger<Indexer>>(), settings.Media));
        services.AddSingleton(sp => new SearchService(sp.GetRequiredService<ISegmentStore>(), sp.GetRequiredService<Modalities>(),
            sp.GetRequiredService<StillImageReader>(), sp.GetService<ILogger<SearchService>>()));
        services.AddSingleton(settings.Copies);
        services.AddSingleton(sp => new QueryFingerprinter(settings.Media, settings.Copies, sp.GetService<ILogger<QueryFingerprinter>>()));
        services.AddSingleton(sp => new CopyDetector(
            sp.GetRequiredService<ISegmentStore>() as IFingerprintStore ?? throw new InvalidOperationException("The configured store keeps no copy-detection fingerprints."),
            sp.GetRequiredService<QueryFingerprinter>(),
            settings.Copies, sp.GetService<ILogger<CopyDetector>>()));
        return services;
    }

    /// <summary>Binds every section and resolves relative paths (models under models/, data under the data folder).</summary>
    public static MultiModalIndexerSettings Bind(IConfiguration configuration)
    {
        var media = configuration.GetSection(MediaOptions.Section).Get<MediaOptions>() ?? new MediaOptions();
        var clip = configuration.GetSection(ClipOptions.Section).Get<ClipOptions>() ?? new ClipOptions();
        var speech = configuration.GetSection(SpeechOptions.Section).Get<SpeechOptions>() ?? new SpeechOptions();
        var ocr = configuration.GetSection(OcrOptions.Section).Get<OcrOptions>() ?? new OcrOptions();
        var store = configuration.GetSection(StoreOptions.Section).Get<StoreOptions>() ?? new StoreOptions();
        var indexing = configuration.GetSection(IndexingOptions.Section).Get<IndexingOptions>() ?? new IndexingOptions();
        var sources = configuration.GetSection(SourcesSection).Get<List<SourceOptions>>() ?? [];
        // The binder appends configured list items to defaults; a configured list replaces them instead.
        if (configuration.GetSection($"{IndexingOptions.Section}:{nameof(IndexingOptions.VideoExtensions)}").Exists())
            indexing.VideoExtensions = configuration.GetSection($"{IndexingOptions.Section}:{nameof(IndexingOptions.VideoExtensions)}").Get<List<string>>() ?? [];
        for (var i = 0; i < sources.Count; i++)
        {
            var sec = configuration.GetSection($"{SourcesSection}:{i}:{nameof(SourceOptions.Include)}");
            if (sec.Exists()) sources[i].Include = sec.Get<List<string>>() ?? [];
        }

        // Shot analysis splits its decode over the cores it has to itself: with several videos in flight
        // each already keeps a core busy, and a split's extra ffmpeg/ffprobe starts would only add work.
        if (media.Shots.DecodeParts == 0)
            media.Shots.DecodeParts = Math.Clamp(Environment.ProcessorCount / Math.Max(1, indexing.MaxConcurrentVideos), 1, 4);
        clip.ImageModel = ModelPath(clip.ImageModel);
        clip.TextModel = ModelPath(clip.TextModel);
        clip.Vocabulary = ModelPath(clip.Vocabulary);
        speech.VadModel = ModelPath(speech.VadModel);
        speech.WhisperEncoder = ModelPath(speech.WhisperEncoder);
        speech.WhisperDecoder = ModelPath(speech.WhisperDecoder);
        speech.WhisperTokens = ModelPath(speech.WhisperTokens);
        speech.SenseVoiceModel = ModelPath(speech.SenseVoiceModel);
        speech.SenseVoiceTokens = ModelPath(speech.SenseVoiceTokens);
        if (!string.IsNullOrWhiteSpace(indexing.DataDir)) indexing.DataDir = Path.GetFullPath(indexing.DataDir);
        if (!string.IsNullOrWhiteSpace(store.Embedded.Path) && !string.IsNullOrWhiteSpace(indexing.DataDir))
            store.Embedded.Path = Path.GetFullPath(Path.Combine(indexing.DataDir, store.Embedded.Path));
        foreach (var s in sources)
            if (!string.IsNullOrWhiteSpace(s.Root)) s.Root = Path.GetFullPath(s.Root);
        var copies = configuration.GetSection(CopyOptions.Section).Get<CopyOptions>() ?? new CopyOptions();
        return new MultiModalIndexerSettings(media, clip, speech, ocr, store, indexing, sources) { Copies = copies };
    }

    private static string ModelPath(string path) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(Path.Combine(ProjectPaths.ModelsDir, path));

    /// <summary>Every stage's messages plus the sources' (exist, are folders, not nested, unique names, cron shape).</summary>
    public static IEnumerable<string> Validate(MultiModalIndexerSettings s)
    {
        foreach (var m in s.Media.Validate()) yield return m;
        foreach (var m in ValidateClip(s.Clip)) yield return m;
        foreach (var m in ValidateSpeech(s.Speech)) yield return m;
        foreach (var m in ValidateOcr(s.Ocr)) yield return m;
        foreach (var m in ValidateStore(s.Store)) yield return m;
        foreach (var m in s.Indexing.Validate()) yield return m;
        foreach (var m in s.Copies.Validate()) yield return m;
        foreach (var m in SourceOptions.ValidateAll(s.Sources)) yield return m;
    }

    // A stage's own Validate() is authoritative; the fallbacks cover option classes that have none yet.
    private static IEnumerable<string> ValidateClip(ClipOptions o) => StageMessages(o) ?? ClipFallback(o);
    private static IEnumerable<string> ValidateSpeech(SpeechOptions o) => StageMessages(o) ?? SpeechFallback(o);
    private static IEnumerable<string> ValidateOcr(OcrOptions o) => StageMessages(o) ?? OcrFallback(o);
    private static IEnumerable<string> ValidateStore(StoreOptions o) => StageMessages(o) ?? [];

    private static IEnumerable<string> ClipFallback(ClipOptions o)
    {
        if (o.BatchSize is < 1 or > 256) yield return "Clip:BatchSize must be between 1 and 256.";
    }

    private static IEnumerable<string> SpeechFallback(SpeechOptions o)
    {
        if (o.Recognizer is not ("whisper" or "sense-voice")) yield return $"Speech:Recognizer '{o.Recognizer}' is unknown: use 'whisper' or 'sense-voice'.";
        if (o.Threads is < 1 or > 64) yield return "Speech:Threads must be between 1 and 64.";
    }

    private static IEnumerable<string> OcrFallback(OcrOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Languages)) yield return "Ocr:Languages is empty: use e.g. 'eng+chi_sim'.";
        if (o.MaxEngines is < 1 or > 64) yield return "Ocr:MaxEngines must be between 1 and 64.";
    }

    /// <summary>A stage's own Validate() when its options class has one (found by reflection, so stages can add it freely).</summary>
    private static IEnumerable<string>? StageMessages(object options) =>
        options.GetType().GetMethod("Validate", Type.EmptyTypes)?.Invoke(options, null) as IEnumerable<string>;

    private static ISegmentStore CreateStore(MultiModalIndexerSettings s, IServiceProvider sp)
    {
        var loggers = sp.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        // The OpenSearch stage's own client (basic auth, custom CA); the embedded store needs none.
        var http = s.Store.Kind == StoreKind.OpenSearch ? OpenSearchHttp.CreateClient(s.Store.OpenSearch) : null;
        if (s.Store.Kind == StoreKind.Embedded) Directory.CreateDirectory(s.Indexing.DataDir);
        return StoreFactory.Create(s.Store, s.Indexing.DataDir, http, loggers);
    }
}
