using MultiModalIndexer.Stores.Query;

namespace MultiModalIndexer.Tests.Search;

public class CjkAnalyzerTests
{
    private static List<string> Terms(string s) => CjkAnalyzer.Analyze(s).Select(t => t.Term).ToList();

    [Fact]
    public void HanRuns_BecomeOverlappingBigrams() =>
        Assert.Equal(["机器", "器学", "学习"], Terms("机器学习"));

    [Fact]
    public void LoneCjkCharacter_StaysUnigram() => Assert.Equal(["中", "文"], Terms("中 文"));

    [Fact]
    public void PunctuationSplitsCjkRuns() => Assert.Equal(["你好", "世界"], Terms("你好，世界。"));

    [Fact]
    public void KanaAndHangul_AreBigrammed()
    {
        Assert.Equal(["テレ", "レビ"], Terms("テレビ"));
        Assert.Equal(["テレ", "レビ"], Terms("ﾃﾚﾋﾞ".Normalize(System.Text.NormalizationForm.FormKC))); // half-width folds
        Assert.Equal(["한국", "국어"], Terms("한국어"));
    }

    [Fact]
    public void MixedScripts_SplitAtScriptBoundaries() =>
        Assert.Equal(["我爱", "nlp", "模型"], Terms("我爱NLP模型"));

    [Fact]
    public void LatinWords_AreLowerCasedAndFolded() =>
        Assert.Equal(["hello", "world", "cafe", "abc", "2024"], Terms("Hello, Wörld! Café ＡＢＣ 2024"));

    [Fact]
    public void StopWordsAndSyntax_AreDropped() =>
        Assert.Equal(["cat", "dog"], Terms("the \"cat\" AND NOT (dog*) : ^ ~"));

    [Fact]
    public void Offsets_PointIntoTheOriginal()
    {
        var text = "Ok 机器学习!";
        foreach (var t in CjkAnalyzer.Analyze(text))
            Assert.Equal(t.Term, text[t.Start..t.End].ToLowerInvariant());
    }

    [Fact]
    public void QueryTerms_AreDistinctAndCapped()
    {
        Assert.Equal(["a1", "b2"], CjkAnalyzer.QueryTerms("a1 b2 a1"));
        var many = string.Join(' ', Enumerable.Range(0, 200).Select(i => "w" + i));
        Assert.Equal(SearchLimits.MaxQueryTerms, CjkAnalyzer.QueryTerms(many).Count);
    }

    [Fact]
    public void SurrogatePairsAndControlChars_DoNotBreakAnalysis()
    {
        Assert.Equal(["𠀀𠀁"], Terms("𠀀𠀁")); // extension B ideographs
        Assert.Equal(["ab"], Terms("\0ab\uD800"));
        Assert.Equal(["x"], Terms("😀x😀"));
    }
}

public class HighlighterTests
{
    [Fact]
    public void WrapsMatches_AndEscapesTheRest()
    {
        var frags = Highlighter.Highlight("<b>Volcano</b> & volcanoes", new HashSet<string> { "volcano" });
        Assert.Equal(["&lt;b&gt;<em>Volcano</em>&lt;/b&gt; &amp; volcanoes"], frags);
    }

    [Fact]
    public void ChineseBigramMatches_MergeIntoOneSpan()
    {
        var terms = new HashSet<string>(CjkAnalyzer.QueryTerms("机器学习"));
        Assert.Equal(["今天讨论<em>机器学习</em>的原理"], Highlighter.Highlight("今天讨论机器学习的原理", terms));
    }

    [Fact]
    public void LongText_IsCutIntoWindows()
    {
        var text = string.Join(' ', Enumerable.Repeat("filler", 60)) + " target " + string.Join(' ', Enumerable.Repeat("filler", 60));
        var frag = Assert.Single(Highlighter.Highlight(text, new HashSet<string> { "target" }));
        Assert.StartsWith("…", frag);
        Assert.EndsWith("…", frag);
        Assert.Contains("<em>target</em>", frag);
        Assert.True(frag.Length < 200);
    }

    [Fact]
    public void NoMatch_NoFragments() => Assert.Empty(Highlighter.Highlight("nothing", new HashSet<string> { "x" }));
}

public class SearchRequestValidatorTests
{
    private static readonly float[] Unit = Enumerable.Range(0, 512).Select(i => i == 0 ? 1f : 0f).ToArray();

    [Fact]
    public void Hybrid_DegradesToTheSubQueryThatHasInput()
    {
        Assert.Equal(SearchMode.Text, SearchRequestValidator.Validate(new SearchRequest { Query = "x" }).Mode);
        Assert.Equal(SearchMode.Vector, SearchRequestValidator.Validate(new SearchRequest { QueryVector = Unit }).Mode);
        Assert.Equal(SearchMode.Hybrid, SearchRequestValidator.Validate(new SearchRequest { Query = "x", QueryVector = Unit }).Mode);
    }

    [Fact]
    public void CandidateCount_IsAtLeast100_AndCoversThePage()
    {
        Assert.Equal(100, SearchRequestValidator.Validate(new SearchRequest { Query = "x" }).CandidateCount);
        Assert.Equal(150, SearchRequestValidator.Validate(new SearchRequest { Query = "x", From = 50, Size = 100 }).CandidateCount);
    }

    [Fact]
    public void TextModeIgnoresVector_VectorModeIgnoresText()
    {
        var t = SearchRequestValidator.Validate(new SearchRequest { Query = "x", QueryVector = Unit, Mode = SearchMode.Text });
        Assert.Null(t.Vector);
        var v = SearchRequestValidator.Validate(new SearchRequest { Query = "x", QueryVector = Unit, Mode = SearchMode.Vector });
        Assert.Null(v.Text);
        Assert.Empty(v.Terms);
    }

    [Fact]
    public void QueryAtTheLimit_IsAccepted_OneMoreIsNot()
    {
        SearchRequestValidator.Validate(new SearchRequest { Query = new string('a', SearchLimits.MaxQueryChars) });
        Assert.Throws<SearchValidationException>(() => SearchRequestValidator.Validate(new SearchRequest { Query = new string('a', SearchLimits.MaxQueryChars + 1) }));
    }
}
