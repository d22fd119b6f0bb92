namespace MultiModalIndexer.Daemon;

/// <summary>Marker for the host assembly (HTTP API, Quartz jobs, web page).</summary>
public static class DaemonAssembly;
