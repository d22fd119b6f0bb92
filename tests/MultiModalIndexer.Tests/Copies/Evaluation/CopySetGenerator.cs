using System.Globalization;

namespace MultiModalIndexer.Copies.Evaluation;

/// <summary>One query of the evaluation set: where its copied excerpt came from (null for a negative).</summary>
public sealed record CopyQuery(string Name, string Path, string Transform, string? SourceVideo,
    double RefStart, double RefEnd, double QueryStart, double QueryEnd);

/// <summary>The generated library (plus the real clips of ../shared/media/video) and its queries.</summary>
public sealed record CopySet(string LibraryDir, string SharedVideoDir, IReadOnlyList<CopyQuery> Queries);

/// <summary>
/// Builds the copy-detection evaluation set with ffmpeg: library videos of varied content (slow pans
/// and zooms over photos, cut into shots; fractal, cellular automaton and test-pattern footage),
/// footage never put in the library for filler and negatives, and queries that each hold one
/// excerpt of a library video under one of the transforms (360p + CRF 32; 10 % crop plus
/// brightness/contrast; horizontal flip + CRF 34; letterboxed 240p; 1.25× speed; an overlaid logo
/// text + CRF 36) between two pieces of unrelated filler. Negatives are filler only. A second part
/// does the same with generated footage (<see cref="GeneratedFootage"/>): small lavfi clips in the
/// library, and negatives and filler of the same kinds never put there — look-alikes that must not
/// match. Deterministic; files already present are reused.
/// </summary>
public static class CopySetGenerator
{
    private static readonly string[] LibraryImages =
    [
        "skimage/astronaut.png", "skimage/chelsea.png", "skimage/coffee.png", "skimage/rocket.jpg", "darknet/dog.jpg", "darknet/horses.jpg",
        "skimage/motorcycle_left.png", "darknet/eagle.jpg", "skimage/hubble_deep_field.jpg", "skimage/retina.jpg", "darknet/giraffe.jpg", "skimage/camera.png",
    ];
    private static readonly string[] UnseenImages =
        ["darknet/kite.jpg", "darknet/person.jpg", "darknet/scream.jpg", "skimage/coins.png", "skimage/moon.png", "skimage/horse.png"];

    /// <summary>Generated (lavfi) clips put in the library beside the photo edits.</summary>
    public const int GeneratedLibraryClips = 20;

    public static readonly string[] Transforms = ["crf32", "crop", "hflip", "letterbox", "speed", "logo"];

    // Test classes run in parallel and share one cached set: one generator at a time in a process.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<CopySet> GenerateAsync(string sharedDir, string outDir, string ffmpeg = "ffmpeg", CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct);
        try
        {
            return await GenerateUnlockedAsync(sharedDir, outDir, ffmpeg, ct);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<CopySet> GenerateUnlockedAsync(string sharedDir, string outDir, string ffmpeg, CancellationToken ct)
    {
        var images = Path.Combine(sharedDir, "media", "images");
        var shared = Path.Combine(sharedDir, "media", "video");
        var lib = Directory.CreateDirectory(Path.Combine(outDir, "library")).FullName;
        var work = Directory.CreateDirectory(Path.Combine(outDir, "work")).FullName;
        var qdir = Directory.CreateDirectory(Path.Combine(outDir, "queries")).FullName;

        // Library: four edits of three 8 s shots, and three synthetic sources.
        for (var v = 0; v < 4; v++)
        {
            var target = Path.Combine(lib, $"edit{v}.mp4");
            if (File.Exists(target)) continue;
            var shots = new List<string>();
            for (var s = 0; s < 3; s++)
            {
                var shot = Path.Combine(work, $"edit{v}-shot{s}.mp4");
                await PanAsync(ffmpeg, Path.Combine(images, LibraryImages[v * 3 + s]), shot, zoomIn: s % 2 == 0, drift: s - 1, ct);
                shots.Add(shot);
            }
            await RunAsync(ffmpeg, ["-i", shots[0], "-i", shots[1], "-i", shots[2], "-filter_complex", "concat=n=3:v=1:a=0",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", target], ct);
        }
        await LavfiAsync(ffmpeg, "mandelbrot=s=640x360:r=25:start_scale=3", 12, Path.Combine(lib, "fractal.mp4"), ct);
        await LavfiAsync(ffmpeg, "life=s=640x360:r=25:seed=7:mold=10:life_color=#00ff00:death_color=#aa00aa", 12, Path.Combine(lib, "life.mp4"), ct);
        await LavfiAsync(ffmpeg, "testsrc2=s=640x360:r=25", 12, Path.Combine(lib, "pattern.mp4"), ct);

        var unseen = await UnseenAsync(images, work, ffmpeg, ct);

        string L(string name) => Path.Combine(lib, name);
        string S(string name) => Path.Combine(shared, name);
        var plan = new (string Src, double Start, double Dur, string T)[]
        {
            (L("edit0.mp4"), 3, 8, "crf32"), (S("big_buck_bunny_0_30.webm"), 14, 6, "crf32"),
            (S("big_buck_bunny_0_30.webm"), 10, 8, "crop"), (L("edit3.mp4"), 13, 8, "crop"),
            (L("edit1.mp4"), 12, 8, "hflip"), (L("fractal.mp4"), 2, 7, "hflip"),
            (S("testvideo.mp4"), 5, 10, "letterbox"), (L("edit2.mp4"), 2, 8, "letterbox"),
            (L("edit2.mp4"), 6, 10, "speed"), (S("issue-195-aspect-ratio.mp4"), 8, 10, "speed"),
            (L("edit0.mp4"), 14, 8, "logo"), (S("vsr_test2.mp4"), 1, 6, "logo"),
        };
        var queries = new List<CopyQuery>();
        for (var i = 0; i < plan.Length; i++)
        {
            var (src, start, dur, t) = plan[i];
            var name = $"q{i:D2}-{t}-{Path.GetFileNameWithoutExtension(src)}.mp4";
            var path = Path.Combine(qdir, name);
            const double fillA = 5, fillB = 4;
            var qdur = t == "speed" ? dur / 1.25 : dur;
            if (!File.Exists(path))
                await QueryAsync(ffmpeg, src, start, dur, t, unseen[i % unseen.Count], fillA, unseen[(i + 3) % unseen.Count], fillB, path, ct);
            queries.Add(new CopyQuery(name, path, t, src, start, start + dur, fillA, fillA + qdur));
        }
        // Negatives: unseen footage only, under the same transforms.
        for (var i = 0; i < 4; i++)
        {
            var t = Transforms[(i * 2 + 1) % Transforms.Length];
            var name = $"n{i}-{t}.mp4";
            var path = Path.Combine(qdir, name);
            if (!File.Exists(path))
                await QueryAsync(ffmpeg, unseen[(i + 5) % unseen.Count], 1, 6, t, unseen[i], 4, unseen[(i + 2) % unseen.Count], 4, path, ct);
            queries.Add(new CopyQuery(name, path, t, null, 0, 0, 0, 0));
        }

        // Generated footage, as in a library of "a few hundred generated videos": small lavfi clips in the
        // library, and unseen clips of the same kinds (other seeds, other zoom points) as filler and negatives.
        var generated = await GeneratedFootage.GenerateAsync(lib, GeneratedFootage.Pool.Library, 0, GeneratedLibraryClips, 10, 320, 180, ffmpeg, ct);
        var lookalikes = await GeneratedFootage.GenerateAsync(work, GeneratedFootage.Pool.Unseen, 0, 10, 10, 320, 180, ffmpeg, ct);
        // One excerpt per transform, of the kinds a frame hash can follow (life and cellular automata are noise
        // or stripes whose low frequencies stay put: no 64-bit DCT hash localises them).
        int[] picks = [5, 8, 14, 10, 3, 15];
        for (var i = 0; i < picks.Length; i++)
        {
            var t = Transforms[i];
            var src = generated[picks[i]];
            var name = $"g{i}-{t}-{Path.GetFileNameWithoutExtension(src)}.mp4";
            var path = Path.Combine(qdir, name);
            double start = 2, dur = 5 + i % 3, fillA = 4, fillB = 3;
            if (!File.Exists(path))
                await QueryAsync(ffmpeg, src, start, dur, t, lookalikes[i], fillA, lookalikes[(i + 4) % lookalikes.Count], fillB, path, ct);
            queries.Add(new CopyQuery(name, path, t, src, start, start + dur, fillA, fillA + (t == "speed" ? dur / 1.25 : dur)));
        }
        for (var i = 0; i < 6; i++)
        {
            var t = Transforms[(i + 3) % Transforms.Length];
            var name = $"gn{i}-{t}.mp4";
            var path = Path.Combine(qdir, name);
            if (!File.Exists(path))
                await QueryAsync(ffmpeg, lookalikes[(i + 7) % lookalikes.Count], 2, 5, t, lookalikes[(i + 2) % lookalikes.Count], 4,
                    lookalikes[(i + 5) % lookalikes.Count], 3, path, ct);
            queries.Add(new CopyQuery(name, path, t, null, 0, 0, 0, 0));
        }
        return new CopySet(lib, shared, queries);
    }

    /// <summary>Footage never put in the library, for filler and negatives: pans over unseen photos, life and a cellular automaton.</summary>
    private static async Task<List<string>> UnseenAsync(string images, string work, string ffmpeg, CancellationToken ct)
    {
        var unseen = new List<string>();
        for (var i = 0; i < UnseenImages.Length; i++)
        {
            var u = Path.Combine(work, $"unseen{i}.mp4");
            await PanAsync(ffmpeg, Path.Combine(images, UnseenImages[i]), u, zoomIn: i % 2 == 1, drift: (i % 3) - 1, ct);
            unseen.Add(u);
        }
        var life2 = Path.Combine(work, "unseen-life.mp4");
        await LavfiAsync(ffmpeg, "life=s=640x360:r=25:seed=99:mold=5", 8, life2, ct);
        unseen.Add(life2);
        var cells = Path.Combine(work, "unseen-cells.mp4");
        await LavfiAsync(ffmpeg, "cellauto=s=640x360:r=25:rule=110", 8, cells, ct);
        unseen.Add(cells);
        return unseen;
    }

    /// <summary>
    /// A held-out set on real footage, never used to set a threshold: for every clip of
    /// ../shared/media/video and every transform, an excerpt of random start and length (4-12 s)
    /// between two random pieces of unseen filler; and as many negatives as transforms times two, of
    /// unseen footage only (photo pans and generated look-alikes). The library is the one
    /// <see cref="GenerateAsync"/> makes in <paramref name="setDir"/>. Deterministic per seed.
    /// </summary>
    /// <param name="shortest">Shortest excerpt (seconds).</param>
    /// <param name="longest">Longest excerpt (seconds; at most the clip's length less half a second).</param>
    public static async Task<CopySet> HeldOutAsync(string sharedDir, string setDir, int seed, double shortest = 4, double longest = 12,
        string ffmpeg = "ffmpeg", CancellationToken ct = default)
    {
        var set = await GenerateAsync(sharedDir, setDir, ffmpeg, ct);
        await Gate.WaitAsync(ct);
        try
        {
            var work = Path.Combine(setDir, "work");
            var qdir = Directory.CreateDirectory(Path.Combine(setDir, shortest == 4 && longest == 12 ? $"heldout-{seed}" : string.Create(CultureInfo.InvariantCulture, $"heldout-{seed}-{shortest}-{longest}s"))).FullName;
            var filler = await UnseenAsync(Path.Combine(sharedDir, "media", "images"), work, ffmpeg, ct);
            filler.AddRange(await GeneratedFootage.GenerateAsync(work, GeneratedFootage.Pool.Unseen, 0, 10, 10, 320, 180, ffmpeg, ct));
            var rng = new Random(seed);
            var queries = new List<CopyQuery>();
            var probe = new MultiModalIndexer.Media.MediaProbe(new MultiModalIndexer.Media.MediaOptions());
            var sources = Directory.GetFiles(set.SharedVideoDir).Where(f => f.EndsWith(".mp4", StringComparison.Ordinal) || f.EndsWith(".webm", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList();
            foreach (var src in sources)
            {
                var duration = (await probe.ProbeAsync(src, ct)).Duration;
                foreach (var t in Transforms)
                {
                    var dur = Math.Round(shortest + rng.NextDouble() * Math.Max(0, Math.Min(longest, duration - 0.5) - shortest), 1);
                    var start = Math.Round(rng.NextDouble() * (duration - 0.3 - dur), 1);
                    double fillA = Math.Round(2 + 4 * rng.NextDouble(), 1), fillB = Math.Round(2 + 4 * rng.NextDouble(), 1);
                    var a = filler[rng.Next(filler.Count)];
                    var b = filler[rng.Next(filler.Count)];
                    var name = $"h-{t}-{Path.GetFileNameWithoutExtension(src)}.mp4";
                    var path = Path.Combine(qdir, name);
                    if (!File.Exists(path)) await QueryAsync(ffmpeg, src, start, dur, t, a, fillA, b, fillB, path, ct);
                    queries.Add(new CopyQuery(name, path, t, src, start, start + dur, fillA, fillA + (t == "speed" ? dur / 1.25 : dur)));
                }
            }
            for (var i = 0; i < 2 * Transforms.Length; i++)
            {
                var t = Transforms[i % Transforms.Length];
                var name = $"hn{i:D2}-{t}.mp4";
                var path = Path.Combine(qdir, name);
                string core = filler[rng.Next(filler.Count)], a = filler[rng.Next(filler.Count)], b = filler[rng.Next(filler.Count)];
                var dur = 4 + rng.Next(5);
                if (!File.Exists(path)) await QueryAsync(ffmpeg, core, 1, dur, t, a, 3, b, 3, path, ct);
                queries.Add(new CopyQuery(name, path, t, null, 0, 0, 0, 0));
            }
            return set with { Queries = queries };
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A slow zoom and drift over a photo: 8 s, 640×360, 25 fps.</summary>
    private static Task PanAsync(string ffmpeg, string image, string output, bool zoomIn, int drift, CancellationToken ct)
    {
        if (File.Exists(output)) return Task.CompletedTask;
        var z = zoomIn ? "1+0.002*on" : "1.4-0.002*on";
        var dx = (0.5 * drift).ToString(CultureInfo.InvariantCulture);
        return RunAsync(ffmpeg, ["-loop", "1", "-framerate", "25", "-t", "8", "-i", image, "-vf",
            $"scale=1280:-2,zoompan=z='{z}':x='iw/2-(iw/zoom/2)+{dx}*on':y='ih/2-(ih/zoom/2)':d=1:s=640x360:fps=25,setsar=1,format=yuv420p",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", output], ct);
    }

    private static Task LavfiAsync(string ffmpeg, string source, double seconds, string output, CancellationToken ct) =>
        File.Exists(output) ? Task.CompletedTask : RunAsync(ffmpeg, ["-f", "lavfi", "-i", source, "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", output], ct);

    internal static Task QueryAsync(string ffmpeg, string src, double start, double dur, string transform, string fillerA, double fillA,
        string fillerB, double fillB, string output, CancellationToken ct)
    {
        var (vf, w, h, crf) = transform switch
        {
            "crf32" => ("scale=-2:360", 640, 360, 32),
            "crop" => ("crop=iw*0.9:ih*0.9,eq=brightness=0.08:contrast=1.25,scale=640:360", 640, 360, 23),
            "hflip" => ("hflip,scale=640:360", 640, 360, 34),
            "letterbox" => ("scale=320:180,pad=320:240:0:30:black", 320, 240, 28),
            "speed" => ("setpts=PTS/1.25,fps=25,scale=640:360", 640, 360, 23),
            "logo" => ("scale=640:360,drawtext=text='MyChannel':fontcolor=white:fontsize=40:x=w-tw-20:y=20:box=1:boxcolor=black@0.5", 640, 360, 36),
            _ => throw new ArgumentException($"unknown transform {transform}"),
        };
        var inv = CultureInfo.InvariantCulture;
        var norm = $"scale={w}:{h},setsar=1,fps=25,format=yuv420p";
        return RunAsync(ffmpeg, ["-ss", start.ToString(inv), "-t", dur.ToString(inv), "-i", src,
            "-t", fillA.ToString(inv), "-i", fillerA, "-t", fillB.ToString(inv), "-i", fillerB, "-filter_complex",
            $"[0:v]{vf},{norm}[x];[1:v]{norm}[a];[2:v]{norm}[b];[a][x][b]concat=n=3:v=1:a=0[o]",
            "-map", "[o]", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", crf.ToString(inv), output], ct);
    }

    private static Task RunAsync(string ffmpeg, IEnumerable<string> args, CancellationToken ct) =>
        GeneratedFootage.RunAsync(ffmpeg, args.SkipLast(1), args.Last(), ct);
}
