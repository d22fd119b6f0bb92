// The search page: plain DOM, no framework, no build step. Text from the server is only ever
// inserted as text nodes; highlights are rebuilt as <em> elements from the API's <em>…</em> markers.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { sourcesLoaded: false, lastHits: [] };

function fmtTime(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return (h > 0 ? h + ":" : "") + mm + ":" + String(sec).padStart(2, "0");
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", nbsp: "\u00a0" };

/** Decodes the HTML entities of an escaped highlight fragment into plain text (never parsed as HTML). */
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === "#") {
      const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return Object.prototype.hasOwnProperty.call(ENTITIES, e.toLowerCase()) ? ENTITIES[e.toLowerCase()] : m;
  });
}

/**
 * Appends a highlight fragment (HTML-escaped text with <em>…</em> marks, OpenSearch's "html" encoder)
 * to `parent`: the text becomes text nodes and each mark an <em> element, so nothing is parsed as HTML.
 */
function appendHighlighted(parent, marked) {
  const parts = String(marked).split(/(<em>|<\/em>)/);
  let inMark = false;
  for (const part of parts) {
    if (part === "<em>") { inMark = true; continue; }
    if (part === "</em>") { inMark = false; continue; }
    if (!part) continue;
    const text = decodeEntities(part);
    if (inMark) parent.appendChild(el("em", null, text));
    else parent.appendChild(document.createTextNode(text));
  }
}

function clip(text, max) {
  const t = (text || "").replace(/\s+/g, " ").trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

const MATCH_LABELS = { ocr: "on screen", speech: "said", title: "title match", visual: "visual match", none: "match" };

/** The snippets of a hit: the matched line with its time first, then highlighted transcript/OCR fragments. */
function snippetsOf(hit) {
  const out = [];
  if (hit.matchedLine) {
    // The line that matched and when it starts: what the player jumps to.
    const kind = `${MATCH_LABELS[hit.matchedBy] || "match"} ${fmtTime(hit.moment)}`;
    if (hit.matchedLineHighlight) out.push({ kind, marked: hit.matchedLineHighlight });
    else out.push({ kind, plain: clip(hit.matchedLine, 220) });
    return out;
  }
  if (hit.transcriptHighlights && hit.transcriptHighlights.length) out.push({ kind: "said", marked: hit.transcriptHighlights.join(" … ") });
  if (hit.ocrHighlights && hit.ocrHighlights.length) out.push({ kind: "on screen", marked: hit.ocrHighlights.join(" … ") });
  if (out.length) return out;
  // Label by what actually matched: a title-only hit is a "title match", "visual match" only when CLIP matched.
  if (hit.matchedBy === "title") out.push({ kind: "title match", plain: clip(hit.video.title || "", 120) });
  else if (hit.matchedBy === "visual") out.push({ kind: "visual match", plain: "" });
  else if (hit.transcript) out.push({ kind: "said", plain: clip(hit.transcript, 220) });
  else if (hit.ocr) out.push({ kind: "on screen", plain: clip(hit.ocr, 220) });
  return out;
}

function renderSnippet(p, hit) {
  p.textContent = "";
  const parts = snippetsOf(hit);
  if (!parts.length) { p.appendChild(el("span", "kind", MATCH_LABELS[hit.matchedBy] || "match")); return; }
  parts.forEach((s, i) => {
    if (i > 0) p.appendChild(el("br"));
    p.appendChild(el("span", "kind", s.kind));
    if (s.plain !== undefined) p.appendChild(document.createTextNode(s.plain));
    else appendHighlighted(p, s.marked);
  });
}

function renderHit(hit, index) {
  const li = el("li", "hit");
  li.tabIndex = 0;
  li.dataset.segment = hit.segmentId;
  li.setAttribute("aria-label", `${hit.video.title} at ${fmtTime(momentOf(hit))}`);

  const thumb = el("div", "thumb");
  if (hit.thumbnailUrl) {
    const img = el("img");
    img.loading = "lazy";
    img.alt = "";
    img.src = hit.thumbnailUrl;
    img.addEventListener("error", () => { img.remove(); thumb.appendChild(el("div", "noimg", "no preview")); });
    thumb.appendChild(img);
  } else {
    thumb.appendChild(el("div", "noimg", "no preview"));
  }
  thumb.appendChild(el("span", "play"));
  thumb.appendChild(el("span", "time", `${fmtTime(hit.start)} – ${fmtTime(hit.end)}`));
  li.appendChild(thumb);

  const body = el("div", "body");
  body.appendChild(el("div", "title", hit.video.title || hit.video.fileName));
  const meta = el("div", "meta");
  meta.appendChild(el("span", "tag", hit.video.source));
  if (hit.video.available === false) meta.appendChild(el("span", "tag", "unavailable (disk or folder missing)"));
  meta.appendChild(el("span", "tag", `#${index + 1} · score ${hit.score.toFixed(3)}`));
  body.appendChild(meta);
  const p = el("p", "snippet");
  renderSnippet(p, hit);
  body.appendChild(p);
  li.appendChild(body);

  const open = () => play(hit, li);
  li.addEventListener("click", open);
  li.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
  return li;
}

/** Where a hit plays from: its moment (the matched line's start), else its segment start. */
function momentOf(hit) {
  return typeof hit.moment === "number" ? hit.moment : hit.start;
}

/** Plays the hit's video from its moment: src carries #t=moment, and currentTime is set once seekable. */
function play(hit, li) {
  document.querySelectorAll(".hit.playing").forEach((x) => x.classList.remove("playing"));
  if (li) li.classList.add("playing");
  const video = $("video");
  const base = "/media/" + encodeURIComponent(hit.video.id);
  const start = momentOf(hit);
  const seek = () => {
    try { video.currentTime = start; } catch (_) { /* not seekable yet */ }
    video.play().catch(() => { /* autoplay may be refused; the controls still work */ });
  };
  if (video.dataset.base === base && video.readyState >= 1) {
    seek();
  } else {
    video.dataset.base = base;
    video.addEventListener("loadedmetadata", seek, { once: true });
    video.src = `${base}#t=${start}`;
    video.load();
  }
  video.dataset.start = String(start);
  $("player-title").textContent = hit.video.title || hit.video.fileName;
  $("player-time").textContent = `${fmtTime(start)} (segment ${fmtTime(hit.start)} – ${fmtTime(hit.end)}) · ${hit.video.path}`;
  renderSnippet($("player-snippet"), hit);
  $("player").hidden = false;
  $("player").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

// One request from the page: the parsed JSON, or null after the reason is shown in `summary`.
async function postForJson(url, init, summary) {
  let res;
  try {
    res = await fetch(url, init);
  } catch (e) {
    summary.classList.add("error");
    summary.textContent = "The daemon is not reachable.";
    return null;
  }
  if (!res.ok) {
    summary.classList.add("error");
    summary.textContent = await problemText(res);
    return null;
  }
  return res.json();
}

async function problemText(res) {
  try {
    const p = await res.json();
    return p.detail || p.title || `HTTP ${res.status}`;
  } catch (_) {
    return `HTTP ${res.status}`;
  }
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const query = $("q").value.trim();
  const summary = $("summary");
  summary.classList.remove("error");
  if (!query) { $("results").textContent = ""; $("empty").hidden = false; summary.textContent = ""; return; }
  const body = { query, mode: $("mode").value, size: 24, collapse: false };
  if ($("source").value) body.source = $("source").value;
  summary.textContent = "Searching…";
  const t0 = performance.now();
  const data = await postForJson("/api/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, summary);
  if (!data) return;
  const ms = Math.round(performance.now() - t0);
  state.lastHits = data.hits;
  const list = $("results");
  list.textContent = "";
  data.hits.forEach((h, i) => list.appendChild(renderHit(h, i)));
  $("empty").hidden = data.hits.length > 0;
  summary.textContent = data.hits.length
    ? `${data.total} moment${data.total === 1 ? "" : "s"} found · ${ms} ms`
    : `Nothing found for “${query}”.`;
  const params = new URLSearchParams({ q: query, mode: body.mode });
  if (body.source) params.set("source", body.source);
  history.replaceState(null, "", "?" + params.toString());
}

/** Starts a video element at a time once its metadata is loaded (or at once when it already is). */
function playFrom(video, src, t) {
  const seek = () => {
    try { video.currentTime = t; } catch (_) { /* not seekable yet */ }
    video.play().catch(() => { /* autoplay may be refused; the controls still work */ });
  };
  if (video.dataset.src === src && video.readyState >= 1) { seek(); return; }
  video.dataset.src = src;
  video.addEventListener("loadedmetadata", seek, { once: true });
  video.src = src;
  video.load();
}

/** One copied span: the library video and the uploaded clip side by side, both from the matched time. */
function renderCopy(m, clipUrl) {
  const li = el("li", "copy");
  const head = el("div", "copy-head",
    `${m.video} · ${fmtTime(m.start)}–${fmtTime(m.end)} ⇄ clip ${fmtTime(m.queryStart)}–${fmtTime(m.queryEnd)} · score ${m.score.toFixed(2)}${m.mirrored ? " · mirrored" : ""}`);
  const pair = el("div", "copy-pair");
  const ref = el("video"); ref.controls = true; ref.muted = true; ref.preload = "none";
  const mine = el("video"); mine.controls = true; mine.muted = true; mine.preload = "none";
  pair.append(ref, mine);
  const both = el("button", "ghost", "Play both from the match");
  both.type = "button";
  both.addEventListener("click", () => {
    playFrom(ref, "/media/" + encodeURIComponent(m.videoId), m.start);
    playFrom(mine, clipUrl, m.queryStart);
  });
  li.append(head, pair, both);
  return li;
}

async function searchClip(ev) {
  if (ev) ev.preventDefault();
  const file = $("clip").files[0];
  const summary = $("clip-summary");
  summary.classList.remove("error");
  if (!file) { summary.textContent = "Choose a video clip first."; return; }
  if (state.clipUrl) URL.revokeObjectURL(state.clipUrl);
  state.clipUrl = URL.createObjectURL(file);
  const form = new FormData();
  form.append("video", file);
  summary.textContent = "Looking for copies…";
  const t0 = performance.now();
  const data = await postForJson("/api/search/video", { method: "POST", body: form }, summary);
  if (!data) return;
  const list = $("copies");
  list.textContent = "";
  data.matches.forEach((m) => list.appendChild(renderCopy(m, state.clipUrl)));
  summary.textContent = data.matches.length
    ? `${data.matches.length} copied span${data.matches.length === 1 ? "" : "s"} · ${Math.round(performance.now() - t0)} ms`
    : "No copy of this clip in the library.";
}

function describeStatus(s) {
  const ix = s.indexing;
  if (!s.ready) return { cls: "bad", text: s.storeUnavailable ? `Store not ready: ${s.storeUnavailable}` : "Store not ready" };
  const totals = s.store ? `${s.store.videos} videos · ${s.store.segments} moments` : "";
  if (ix && ix.running) {
    const file = ix.currentFile ? ix.currentFile.split("/").pop() : "…";
    const pct = ix.currentFileProgress != null ? ` ${Math.round(ix.currentFileProgress * 100)}%` : "";
    const rate = ix.mediaSecondsPerSecond ? ` · ${ix.mediaSecondsPerSecond.toFixed(1)}× real time` : "";
    return { cls: "busy", text: `Indexing ${file}${pct}${rate}${totals ? " · " + totals : ""}` };
  }
  if (s.crawl && s.crawl.running) return { cls: "busy", text: `Crawling ${s.crawl.scope || ""}${totals ? " · " + totals : ""}` };
  const failed = ix && ix.sources ? ix.sources.reduce((a, x) => a + x.failed, 0) : 0;
  return { cls: "ok", text: (totals || "Ready") + (failed ? ` · ${failed} failed` : "") };
}

async function refreshStatus() {
  const box = $("status");
  try {
    const res = await fetch("/api/status", { cache: "no-store" });
    if (!res.ok) throw new Error(await problemText(res));
    const s = await res.json();
    const d = describeStatus(s);
    box.className = "status " + d.cls;
    $("status-text").textContent = d.text;
    box.title = d.text;
    if (!state.sourcesLoaded) {
      const select = $("source");
      const names = new Set(s.sources.map((x) => x.name));
      if (s.store && s.store.segmentsByStorage) Object.keys(s.store.segmentsByStorage).forEach((n) => names.add(n));
      [...names].sort().forEach((n) => { const o = el("option", null, n); o.value = n; select.appendChild(o); });
      state.sourcesLoaded = true;
      const wanted = new URLSearchParams(location.search).get("source");
      if (wanted && names.has(wanted)) select.value = wanted;
    }
    setTimeout(refreshStatus, d.cls === "busy" ? 2000 : 6000);
  } catch (e) {
    box.className = "status bad";
    $("status-text").textContent = "Daemon not reachable";
    setTimeout(refreshStatus, 6000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", search);
  $("clip-search").addEventListener("submit", searchClip);
  $("mode").addEventListener("change", () => { if ($("q").value.trim()) search(); });
  $("source").addEventListener("change", () => { if ($("q").value.trim()) search(); });
  $("player-close").addEventListener("click", () => {
    const v = $("video");
    v.pause();
    $("player").hidden = true;
    document.querySelectorAll(".hit.playing").forEach((x) => x.classList.remove("playing"));
  });
  const params = new URLSearchParams(location.search);
  if (params.get("mode")) $("mode").value = params.get("mode");
  $("empty").hidden = false;
  refreshStatus();
  if (params.get("q")) { $("q").value = params.get("q"); search(); }
});
