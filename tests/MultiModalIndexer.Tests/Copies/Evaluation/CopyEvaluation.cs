namespace MultiModalIndexer.Copies.Evaluation;

/// <summary>One query's verdict under the rule.</summary>
public sealed record CopyVerdict(CopyQuery Query, CopyMatch? First, bool Correct, double RefIoU, double QueryIoU);

/// <summary>
/// Scores answers the way: a positive is a true positive when the first match is the right
/// video and both spans overlap the truth with IoU ≥ 0.5 (else a false negative, and also a false
/// positive when something wrong was reported first); a negative is right when nothing matches
/// (else a false positive).
/// </summary>
public sealed record CopyScore(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives, IReadOnlyList<CopyVerdict> Verdicts)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static CopyScore Of(IEnumerable<(CopyQuery Query, IReadOnlyList<CopyMatch> Matches)> answers)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0;
        var verdicts = new List<CopyVerdict>();
        foreach (var (q, matches) in answers)
        {
            var first = matches.Count > 0 ? matches[0] : null;
            if (q.SourceVideo is null)
            {
                if (first is null) tn++; else fp++;
                verdicts.Add(new CopyVerdict(q, first, first is null, 0, 0));
                continue;
            }
            if (first is null)
            {
                fn++;
                verdicts.Add(new CopyVerdict(q, null, false, 0, 0));
                continue;
            }
            var sameVideo = SameVideo(first.Video, q.SourceVideo);
            var refIoU = sameVideo ? IoU(first.Start, first.End, q.RefStart, q.RefEnd) : 0;
            var qIoU = IoU(first.QueryStart, first.QueryEnd, q.QueryStart, q.QueryEnd);
            var ok = sameVideo && refIoU >= 0.5 && qIoU >= 0.5;
            if (ok) tp++;
            else { fn++; fp++; }
            verdicts.Add(new CopyVerdict(q, first, ok, refIoU, qIoU));
        }
        return new CopyScore(tp, fp, fn, tn, verdicts);
    }

    /// <summary>Whether two paths name the same video file.</summary>
    public static bool SameVideo(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    public static double IoU(double a0, double a1, double b0, double b1)
    {
        var inter = Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0));
        var union = Math.Max(a1, b1) - Math.Min(a0, b0);
        return union <= 0 ? 0 : inter / union;
    }
}
