using MultiModalIndexer.Inference.Ocr.PaddleOcr;

namespace MultiModalIndexer.Tests.Ocr;

/// <summary>DB post-processing geometry: hull, minimum-area rectangle, corner order.</summary>
public sealed class PaddleOcrGeometryTests
{
    [Fact]
    public void Min_area_rect_of_a_rotated_rectangle_recovers_its_sides()
    {
        // A 40×10 rectangle turned 30°, sampled densely: the fitted rectangle has the same sides.
        var a = MathF.PI / 6;
        var pts = new List<PointF>();
        for (var u = -20f; u <= 20; u += 0.5f)
            for (var v = -5f; v <= 5; v += 0.5f)
                pts.Add(new(100 + u * MathF.Cos(a) - v * MathF.Sin(a), 50 + u * MathF.Sin(a) + v * MathF.Cos(a)));
        var r = BoxGeometry.MinAreaRect(BoxGeometry.ConvexHull(pts));
        var (longSide, shortSide) = (Math.Max(r.SideA, r.SideB), Math.Min(r.SideA, r.SideB));
        Assert.InRange(longSide, 39.5f, 40.5f);
        Assert.InRange(shortSide, 9.5f, 10.5f);
        Assert.InRange(r.Cx, 99.5f, 100.5f);
        Assert.InRange(r.Cy, 49.5f, 50.5f);
        // Unclip by d grows both sides by 2d.
        var g = r.Grow(3);
        Assert.InRange(Math.Min(g.SideA, g.SideB), 15.5f, 16.5f);
    }

    [Fact]
    public void Corners_are_top_left_top_right_bottom_right_bottom_left()
    {
        var c = BoxGeometry.OrderCorners([new(10, 20), new(50, 22), new(9, 5), new(51, 7)]);
        Assert.Equal(new PointF(9, 5), c[0]);
        Assert.Equal(new PointF(51, 7), c[1]);
        Assert.Equal(new PointF(50, 22), c[2]);
        Assert.Equal(new PointF(10, 20), c[3]);
    }

    [Fact]
    public void Hull_of_collinear_or_single_points_is_degenerate_not_an_error()
    {
        Assert.Equal(0, BoxGeometry.MinAreaRect(BoxGeometry.ConvexHull([new(1, 1)])).ShortSide);
        Assert.Equal(0, BoxGeometry.MinAreaRect(BoxGeometry.ConvexHull([new(1, 1), new(5, 1), new(9, 1)])).ShortSide, 3);
    }
}
