using MultiModalIndexer.Inference.Clip;
using MultiModalIndexer.Inference.Models;

namespace MultiModalIndexer.Tests.Clip;

public class ClipTokenizerTests
{
    private static readonly Lazy<ClipTokenizer> Tok = new(() => ClipTokenizer.Load(ClipFixtures.Vocabulary));

    [Fact]
    public void The_issue_example_gives_the_published_ids()
    {
        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407], Tok.Value.Tokenize("a photo of a cat"));
    }

    [Fact]
    public void Published_ids_from_independent_implementations()
    {
        // elixir-nx/bumblebee test/bumblebee/text/clip_tokenizer_test.exs (openai/clip-vit-base-patch32).
        Assert.Equal([49406, 320, 1125, 539, 320, 2368, 49407], Tok.Value.Tokenize("a photo of a cat"));
        Assert.Equal([49406, 320, 1125, 539, 320, 1929, 49407], Tok.Value.Tokenize("a photo of a dog"));
    }

    [Fact]
    public void Ids_match_OpenAIs_algorithm_on_English_punctuation_digits_accents_and_Chinese()
    {
        var failures = new List<string>();
        foreach (var (text, ids) in ClipTokenizerExpectations.Cases)
        {
            var got = Tok.Value.Tokenize(text);
            if (!got.SequenceEqual(ids))
                failures.Add($"{text}\n  expected {string.Join(' ', ids)}\n  got      {string.Join(' ', got)}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {ClipTokenizerExpectations.Cases.Length} differ:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Chinese_characters_become_byte_level_pieces()
    {
        // 猫 is three UTF-8 bytes; it is not a whole vocabulary entry, so BPE leaves byte-level pieces.
        var ids = Tok.Value.Tokenize("猫");
        Assert.Equal(49406, ids[0]);
        Assert.Equal(49407, ids[^1]);
        Assert.InRange(ids.Length - 2, 1, 3);
        Assert.Equal("猫 ", Tok.Value.Decode(ids[1..^1]));
    }

    [Fact]
    public void Long_text_is_truncated_to_77_keeping_EOT()
    {
        var ids = Tok.Value.Tokenize(string.Join(' ', Enumerable.Repeat("word", 200)));
        Assert.Equal(77, ids.Length);
        Assert.Equal(49406, ids[0]);
        Assert.Equal(49407, ids[^1]);
        Assert.All(ids[1..^1], id => Assert.Equal(ids[1], id));
    }

    [Fact]
    public void Empty_text_is_SOT_EOT()
    {
        Assert.Equal([49406, 49407], Tok.Value.Tokenize(""));
        Assert.Equal([49406, 49407], Tok.Value.Tokenize(" \t\n "));
    }

    [Fact]
    public void Html_is_unescaped_twice_like_the_original()
    {
        Assert.Equal(Tok.Value.Tokenize("a & b"), Tok.Value.Tokenize("a &amp;amp; b"));
        Assert.Equal(Tok.Value.Tokenize("<b>"), Tok.Value.Tokenize("&lt;b&gt;"));
    }

    [Fact]
    public void Missing_vocabulary_is_a_typed_error_naming_the_file()
    {
        var e = Assert.Throws<ModelMissingException>(() => ClipTextEncoder.LoadTokenizer("/nonexistent/bpe_simple_vocab_16e6.txt.gz"));
        Assert.Contains("bpe_simple_vocab_16e6.txt.gz", e.Message);
        Assert.Contains("./mmi models sync", e.Message);
    }

    [Fact]
    public void Corrupt_vocabulary_is_a_typed_error()
    {
        var dir = Common.TestPaths.NewScratchDir("vocab");
        var bad = Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz");
        File.WriteAllBytes(bad, [0x1f, 0x8b, 1, 2, 3, 4, 5]);
        var e = Assert.Throws<ModelCorruptException>(() => ClipTextEncoder.LoadTokenizer(bad));
        Assert.Contains(bad, e.Message);
        var notGz = Path.Combine(dir, "short.txt");
        File.WriteAllText(notGz, "#version\nh e\n");
        Assert.Throws<ModelCorruptException>(() => ClipTextEncoder.LoadTokenizer(notGz));
    }
}
