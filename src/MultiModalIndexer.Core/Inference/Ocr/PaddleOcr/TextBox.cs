namespace MultiModalIndexer.Inference.Ocr.PaddleOcr;

/// <summary>A point in image pixel coordinates (pixel centres at integers).</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>
/// A detected text box: a rotated rectangle as its corners in reading order (top-left, top-right,
/// bottom-right, bottom-left, the order PaddleOCR's get_mini_boxes gives) and the detector's mean
/// probability inside it.
/// </summary>
public sealed record TextBox(PointF[] Corners, float Score)
{
    public float Width => Math.Max(Dist(Corners[0], Corners[1]), Dist(Corners[2], Corners[3]));
    public float Height => Math.Max(Dist(Corners[0], Corners[3]), Dist(Corners[1], Corners[2]));
    public float Top => Corners.Min(p => p.Y);
    public float Bottom => Corners.Max(p => p.Y);
    public float Left => Corners.Min(p => p.X);
    public float Right => Corners.Max(p => p.X);

    /// <summary>Pixel bounds in an image <paramref name="scale"/> times smaller than the one the box was found in, clamped to <paramref name="w"/>×<paramref name="h"/>.</summary>
    public OcrBox Bounds(float scale, int w, int h) => new(
        Math.Clamp((int)MathF.Floor(Left / scale), 0, w), Math.Clamp((int)MathF.Floor(Top / scale), 0, h),
        Math.Clamp((int)MathF.Ceiling(Right / scale), 0, w), Math.Clamp((int)MathF.Ceiling(Bottom / scale), 0, h));

    internal static float Dist(PointF a, PointF b) => MathF.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}

/// <summary>Plane geometry of DB post-processing: convex hull, minimum-area rectangle, corner order.</summary>
internal static class BoxGeometry
{
    /// <summary>A rotated rectangle: centre, unit axis along its first side, and half extents along the axis and its normal.</summary>
    internal readonly record struct RotatedRect(float Cx, float Cy, float Ux, float Uy, float HalfA, float HalfB)
    {
        public float SideA => 2 * HalfA;
        public float SideB => 2 * HalfB;
        public float ShortSide => 2 * MathF.Min(HalfA, HalfB);

        /// <summary>The same rectangle grown by <paramref name="d"/> on every side.</summary>
        public RotatedRect Grow(float d) => this with { HalfA = HalfA + d, HalfB = HalfB + d };

        public bool Contains(float x, float y, float tolerance)
        {
            var dx = x - Cx; var dy = y - Cy;
            var a = dx * Ux + dy * Uy;
            var b = -dx * Uy + dy * Ux;
            return MathF.Abs(a) <= HalfA + tolerance && MathF.Abs(b) <= HalfB + tolerance;
        }

        public PointF[] Corners()
        {
            var (ax, ay) = (Ux * HalfA, Uy * HalfA);
            var (bx, by) = (-Uy * HalfB, Ux * HalfB);
            return OrderCorners([
                new(Cx - ax - bx, Cy - ay - by), new(Cx + ax - bx, Cy + ay - by),
                new(Cx + ax + bx, Cy + ay + by), new(Cx - ax + bx, Cy - ay + by)]);
        }
    }

    /// <summary>Andrew's monotone chain; points may repeat. Counter-clockwise hull without collinear points.</summary>
    public static List<PointF> ConvexHull(List<PointF> points)
    {
        var pts = points.Distinct().OrderBy(p => p.X).ThenBy(p => p.Y).ToArray();
        if (pts.Length < 3) return [.. pts];
        var hull = new PointF[pts.Length * 2];
        var k = 0;
        for (var i = 0; i < pts.Length; i++)
        {
            while (k >= 2 && Cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) k--;
            hull[k++] = pts[i];
        }
        for (int i = pts.Length - 2, lower = k + 1; i >= 0; i--)
        {
            while (k >= lower && Cross(hull[k - 2], hull[k - 1], pts[i]) <= 0) k--;
            hull[k++] = pts[i];
        }
        return [.. hull.AsSpan(0, k - 1)];
    }

    private static float Cross(PointF o, PointF a, PointF b) => (a.X - o.X) * (b.Y - o.Y) - (a.Y - o.Y) * (b.X - o.X);

    /// <summary>
    /// Minimum-area enclosing rectangle of a convex hull (one side lies on a hull edge, so every edge
    /// direction is tried), like OpenCV's minAreaRect. A hull of one or two points gives a zero-width rectangle.
    /// </summary>
    public static RotatedRect MinAreaRect(List<PointF> hull)
    {
        if (hull.Count == 0) return default;
        if (hull.Count == 1) return new(hull[0].X, hull[0].Y, 1, 0, 0, 0);
        var best = default(RotatedRect);
        var bestArea = float.MaxValue;
        for (var i = 0; i < hull.Count; i++)
        {
            var p = hull[i]; var q = hull[(i + 1) % hull.Count];
            var len = TextBox.Dist(p, q);
            if (len < 1e-6f) continue;
            float ux = (q.X - p.X) / len, uy = (q.Y - p.Y) / len;
            float minA = float.MaxValue, maxA = float.MinValue, minB = float.MaxValue, maxB = float.MinValue;
            foreach (var r in hull)
            {
                var a = r.X * ux + r.Y * uy;
                var b = -r.X * uy + r.Y * ux;
                minA = MathF.Min(minA, a); maxA = MathF.Max(maxA, a);
                minB = MathF.Min(minB, b); maxB = MathF.Max(maxB, b);
            }
            var area = (maxA - minA) * (maxB - minB);
            if (area >= bestArea) continue;
            bestArea = area;
            float ca = (minA + maxA) / 2, cb = (minB + maxB) / 2;
            best = new RotatedRect(ca * ux - cb * uy, ca * uy + cb * ux, ux, uy, (maxA - minA) / 2, (maxB - minB) / 2);
        }
        return best;
    }

    /// <summary>PaddleOCR's corner order: of the two left-most corners the upper is top-left, of the two right-most the upper is top-right.</summary>
    public static PointF[] OrderCorners(PointF[] c)
    {
        var s = c.OrderBy(p => p.X).ToArray();
        var (tl, bl) = s[0].Y <= s[1].Y ? (s[0], s[1]) : (s[1], s[0]);
        var (tr, br) = s[2].Y <= s[3].Y ? (s[2], s[3]) : (s[3], s[2]);
        return [tl, tr, br, bl];
    }
}
