namespace MultiModalIndexer.Documents;

/// <summary>One timed piece of speech, as recognised and as stored on a segment.</summary>
public sealed record Utterance(double Start, double End, string Text, string? Language);
