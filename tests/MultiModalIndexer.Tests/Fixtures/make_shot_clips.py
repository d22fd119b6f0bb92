#!/usr/bin/env python3
"""Generate edited clips with known shot boundaries, made like real edits.

Each clip chains 4-6 shots from ffmpeg lavfi sources (testsrc2, mandelbrot, life, cellauto,
gradients, smptebars, colour + moving drawtext) and real photos (slow zoompan), joined by hard
cuts, dissolves (xfade) and fades through black (xfade=fadeblack); single white frames are
flashed inside shots (not boundaries). Writes <out>/clipNN.mp4 and <out>/truth.json:
{"clipNN.mp4": [{"t": seconds, "kind": "cut"|"dissolve"|"fade"}, ...]}. Stdlib only.

usage: make_shot_clips.py OUT_DIR [--count N] [--seed S] [--images DIR] [--size WxH]
"""
import argparse, json, os, random, subprocess, sys

FPS = 25

def source(kind, d, size, rng, images):
    """(input args, filter producing [out]) for a shot of d seconds."""
    w, h = size
    if kind == "testsrc2":
        return [], f"testsrc2=s={w}x{h}:r={FPS}:d={d}"
    if kind == "mandelbrot":
        return [], f"mandelbrot=s={w}x{h}:r={FPS}:start_scale={rng.uniform(1.5, 3):.2f}:end_scale=0.3,trim=duration={d}"
    if kind == "life":
        cols = rng.choice([("#00ff00", "#002200"), ("#ffffff", "#000000"), ("#ffcc00", "#331100"), ("#55aaff", "#001133")])
        return [], (f"life=s={w//2}x{h//2}:r={FPS}:ratio={rng.uniform(0.08, 0.3):.2f}:seed={rng.randint(1, 9999)}:"
                    f"life_color={cols[0]}:death_color={cols[1]}:mold=10:mold_color=#404040,scale={w}:{h}:flags=neighbor,trim=duration={d}")
    if kind == "cellauto":
        return [], f"cellauto=s={w}x{h}:r={FPS}:rule={rng.choice([18, 30, 90, 110, 150])}:random_fill_ratio={rng.uniform(0.2, 0.6):.2f}:seed={rng.randint(1, 9999)},trim=duration={d}"
    if kind == "gradients":
        return [], f"gradients=s={w}x{h}:r={FPS}:speed={rng.uniform(0.01, 0.03):.3f}:seed={rng.randint(1, 9999)}:d={d}"
    if kind == "smptebars":
        return [], (f"smptebars=s={w}x{h}:r={FPS}:d={d},drawtext=fontfile=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:"
                    f"text='CH {rng.randint(1, 99)}':fontsize={h//6}:fontcolor=white:x='mod(t*40,{w})':y={h//3}")
    if kind == "color":
        c = "#%02x%02x%02x" % (rng.randint(30, 225), rng.randint(30, 225), rng.randint(30, 225))
        return [], (f"color=c={c}:s={w}x{h}:r={FPS}:d={d},drawtext=fontfile=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc:"
                    f"text='Scene {rng.randint(1, 999)}':fontsize={h//5}:fontcolor=white:x='(w-tw)/2+20*sin(t)':y='h/3+t*8'")
    if kind == "photo":
        img = rng.choice(images)
        frames = int(round(d * FPS))
        zin = rng.random() < 0.7
        step = rng.uniform(0.0008, 0.002)
        z = f"min(1+{step:.5f}*on,1.6)" if zin else f"max(1.5-{step:.5f}*on,1)"
        return (["-i", img],
                f"scale={w*4}:{h*4}:force_original_aspect_ratio=increase,crop={w*4}:{h*4},"
                f"zoompan=z='{z}':d={frames}:x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':s={w}x{h}:fps={FPS}")
    raise ValueError(kind)

KINDS = ["testsrc2", "mandelbrot", "life", "cellauto", "gradients", "smptebars", "color", "photo", "photo", "photo"]

def make_clip(path, rng, images, size):
    n = rng.randint(4, 6)
    kinds = []
    for _ in range(n):
        k = rng.choice(KINDS)
        while kinds and k == kinds[-1] and k != "photo":
            k = rng.choice(KINDS)
        kinds.append(k)
    durs = [round(rng.uniform(2.2, 4.5), 2) for _ in range(n)]
    inputs, chains = [], []
    photos = list(images)
    rng.shuffle(photos)
    for i, (k, d) in enumerate(zip(kinds, durs)):
        if k == "photo":
            # distinct photo per shot in a clip so a cut is always a change of picture
            img = photos.pop() if photos else rng.choice(images)
            args, f = source(k, d, size, random.Random(rng.random()), [img])
            inputs += args
            chains.append((f"[{len(inputs)//2 - 1}:v]" + f, d))
        else:
            args, f = source(k, d, size, rng, images)
            chains.append((f, d))
    graph = []
    for i, (f, d) in enumerate(chains):
        graph.append(f"{f},fps={FPS},format=yuv420p,setsar=1,settb=AVTB,trim=duration={d},setpts=PTS-STARTPTS[s{i}]")
    truth = []
    cur, length = "s0", durs[0]
    for i in range(1, n):
        r = rng.random()
        out = f"j{i}"
        if r < 0.45:
            graph.append(f"[{cur}][s{i}]concat=n=2:v=1:a=0[{out}]")
            truth.append({"t": round(length, 3), "kind": "cut"})
            length += durs[i]
        else:
            dur = round(rng.uniform(0.6, 1.6), 2)
            trans = "fadeblack" if r < 0.7 else ("fade" if r < 0.85 else "dissolve")
            off = round(length - dur, 3)
            graph.append(f"[{cur}][s{i}]xfade=transition={trans}:duration={dur}:offset={off}[{out}]")
            truth.append({"t": round(off + dur / 2, 3), "kind": "fadeblack" if trans == "fadeblack" else "dissolve"})
            length = off + durs[i]
        cur = out
    # Single white frames inside shots, away from boundaries: not boundaries.
    flashes = []
    for _ in range(rng.randint(1, 3)):
        for _try in range(20):
            t = round(rng.uniform(0.6, length - 0.6) * FPS) / FPS
            if all(abs(t - b["t"]) > 1.2 for b in truth) and all(abs(t - f) > 0.5 for f in flashes):
                flashes.append(t)
                break
    if flashes:
        en = "+".join(f"eq(n,{int(round(t * FPS))})" for t in flashes)
        graph.append(f"[{cur}]drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='{en}'[fin]")
        cur = "fin"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for j in range(0, len(inputs), 2):
        cmd += ["-i", inputs[j + 1]]
    cmd += ["-filter_complex", ";".join(graph), "-map", f"[{cur}]", "-c:v", "libx264", "-preset", "veryfast",
            "-crf", "23", "-pix_fmt", "yuv420p", "-r", str(FPS), path]
    subprocess.run(cmd, check=True)
    return {"boundaries": truth, "flashes": flashes, "shots": kinds, "length": round(length, 3)}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--images", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "media", "images"))
    ap.add_argument("--size", default="320x180")
    a = ap.parse_args()
    size = tuple(int(x) for x in a.size.split("x"))
    images = []
    for root, _, files in os.walk(a.images):
        images += [os.path.join(root, f) for f in sorted(files) if f.lower().endswith((".jpg", ".png"))]
    if not images:
        sys.exit(f"no images under {a.images}")
    images.sort()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    truth = {}
    for i in range(a.count):
        name = f"clip{i:02d}.mp4"
        truth[name] = make_clip(os.path.join(a.out, name), random.Random(rng.random()), images, size)
    with open(os.path.join(a.out, "truth.json"), "w") as f:
        json.dump(truth, f, indent=1)

if __name__ == "__main__":
    main()
