namespace MultiModalIndexer.Stores.Query;

/// <summary>
/// How the text sub-query weighs its fields, the same on every store: OpenSearch <c>multi_match</c>
/// <c>best_fields</c> with a tie breaker. Score = max over fields of (boost × field BM25) +
/// <see cref="TieBreaker"/> × the sum of the other fields' boosted scores.
/// Why these numbers: OCR (the words on screen) and transcript (the words said) locate a moment;
/// the title is shared by every segment of a file and only says which file. A low title boost keeps a
/// title-only match below a segment whose own text matches, and the tie breaker still lets a title
/// match lift a segment that also matches in OCR or speech over its title-only siblings.
/// </summary>
public static class TextFieldBoosts
{
    public const double Title = 0.5, Transcript = 1.0, Ocr = 1.5, TieBreaker = 0.3;
}
