using System.Numerics.Tensors;
using System.Text;
using MultiModalIndexer.Documents;

namespace MultiModalIndexer.Bench.Cases.Store;

/// <summary>
/// Deterministic synthetic segments: 512-d random unit vectors and sentences drawn Zipf-like from a
/// ~4,000-word vocabulary (common English words + generated words), with ~10% Chinese transcripts.
/// </summary>
internal sealed class SyntheticCorpus
{
    private static readonly string[] Common =
    ("time person year way day thing man world life hand part child eye woman place work week case point government company " +
     "number group problem fact video camera meeting kitchen garden river mountain city street car train music dance game " +
     "school student teacher lesson book paper screen window door table chair phone computer network server data model " +
     "search index result question answer story news report market price money bank office project team plan idea design " +
     "light color sound voice picture image scene shot frame movie film clip audio speech text word line page title name " +
     "water fire earth air tree flower bird dog cat horse fish food coffee tea bread rice apple orange lunch dinner party " +
     "morning evening night winter summer spring autumn weather rain snow wind sun moon star sky sea beach island bridge " +
     "build make take give find tell ask show move play run walk talk think know want look use come go see open close " +
     "start stop turn help need feel try leave call keep begin seem hear write read learn change follow stand lose pay meet").Split(' ');

    private static readonly string[] Chinese =
    [
        "机器学习", "人工智能", "视频", "会议", "厨房", "花园", "河流", "城市", "音乐", "学生", "老师", "电脑", "网络",
        "数据", "模型", "搜索", "结果", "问题", "答案", "新闻", "市场", "价格", "项目", "团队", "设计", "颜色", "声音",
        "图片", "电影", "早上", "晚上", "冬天", "夏天", "天气", "下雨", "太阳", "月亮", "大海", "桥梁", "咖啡", "米饭",
        "我们", "今天", "讨论", "一下", "这个", "那个", "非常", "重要", "已经", "开始", "结束", "看到", "听到",
    ];

    public readonly string[] Vocabulary;
    private readonly double[] _cdf;
    private readonly Random _rng;

    public SyntheticCorpus(int seed)
    {
        _rng = new Random(seed);
        var words = new List<string>(Common);
        const string letters = "abcdefghiklmnoprstuvwy";
        var gen = new Random(7);
        while (words.Count < 4000)
        {
            int len = gen.Next(4, 10);
            var sb = new StringBuilder(len);
            for (int i = 0; i < len; i++) sb.Append(letters[gen.Next(letters.Length)]);
            words.Add(sb.ToString());
        }
        Vocabulary = words.Distinct().ToArray();
        _cdf = new double[Vocabulary.Length];
        double sum = 0;
        for (int i = 0; i < Vocabulary.Length; i++) { sum += 1.0 / (i + 10); _cdf[i] = sum; }
        for (int i = 0; i < _cdf.Length; i++) _cdf[i] /= sum;
    }

    public string Word()
    {
        int i = Array.BinarySearch(_cdf, _rng.NextDouble());
        return Vocabulary[i < 0 ? ~i : i];
    }

    public string EnglishSentence(int words)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++) { if (i > 0) sb.Append(' '); sb.Append(Word()); }
        return sb.Append('.').ToString();
    }

    public string ChineseSentence(int words)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < words; i++) sb.Append(Chinese[_rng.Next(Chinese.Length)]);
        return sb.Append('。').ToString();
    }

    public string ChineseWord() => Chinese[_rng.Next(Chinese.Length)];

    public float[] UnitVector()
    {
        var v = new float[512];
        for (int i = 0; i < v.Length; i++)
        {
            // Box-Muller: isotropic direction
            double u1 = 1.0 - _rng.NextDouble(), u2 = _rng.NextDouble();
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        float n = TensorPrimitives.Norm(v);
        TensorPrimitives.Divide(v, n, v);
        return v;
    }

    public int Next(int max) => _rng.Next(max);

    public (VideoDocument Video, List<SegmentDocument> Segments) Video(int index, int segments)
    {
        var videoId = DocumentIds.VideoId($"bench-{index}");
        bool chinese = index % 10 == 0;
        var title = chinese ? ChineseSentence(2) : EnglishSentence(3);
        var now = DateTimeOffset.UnixEpoch.AddDays(20000 + index % 365);
        var path = $"/media/{(index % 3 == 0 ? "nas" : "local")}/{index / 100:D4}/video{index:D6}.mp4";
        var segs = new List<SegmentDocument>(segments);
        for (int o = 0; o < segments; o++)
        {
            var transcript = chinese ? ChineseSentence(8 + Next(8)) : EnglishSentence(15 + Next(20)) + " " + EnglishSentence(10 + Next(10));
            segs.Add(new SegmentDocument
            {
                Id = DocumentIds.SegmentId(videoId, o), VideoId = videoId, Ordinal = o, SourcePath = path,
                Storage = index % 3 == 0 ? "nas" : "local", FileName = Path.GetFileName(path), Title = title,
                Start = o * 6.0, End = o * 6.0 + 2 + Next(8), KeyframeTimes = [o * 6.0 + 1], Transcript = transcript,
                OcrText = Next(3) == 0 ? EnglishSentence(3) : "", Vector = UnitVector(), Language = chinese ? "zh" : "en",
                IndexedAt = now,
            });
        }
        var video = new VideoDocument
        {
            Id = videoId, SourcePath = path, Storage = segs[0].Storage, FileName = segs[0].FileName, Title = title,
            Duration = segments * 6.0, SegmentCount = segments, Language = chinese ? "zh" : "en", IndexedAt = now,
        };
        return (video, segs);
    }
}
