#!/usr/bin/python3
"""Writes mmi-dashboards.ndjson (OpenSearch Dashboards saved objects) next to this script.

Saved objects embed JSON documents as strings (visState, panelsJSON, searchSourceJSON); building them
here with json.dumps keeps that escaping correct. Run: /usr/bin/python3 mappings/dashboards/build_dashboards.py
"""
import json
import os

SEG, VID = "mmi-segments", "mmi-videos"


def index_pattern(pid, title, time_field):
    return {"type": "index-pattern", "id": pid,
            "attributes": {"title": title, "timeFieldName": time_field},
            "references": [], "migrationVersion": {"index-pattern": "7.6.0"}}


def search_source():
    return json.dumps({"indexRefName": "kibanaSavedObjectMeta.searchSourceJSON.index",
                       "query": {"query": "", "language": "kuery"}, "filter": []})


def bar_params(kind):
    return {"type": kind, "grid": {"categoryLines": False},
            "categoryAxes": [{"id": "CategoryAxis-1", "type": "category", "position": "bottom", "show": True, "style": {},
                              "scale": {"type": "linear"}, "labels": {"show": True, "filter": True, "truncate": 100}, "title": {}}],
            "valueAxes": [{"id": "ValueAxis-1", "name": "LeftAxis-1", "type": "value", "position": "left", "show": True, "style": {},
                           "scale": {"type": "linear", "mode": "normal"},
                           "labels": {"show": True, "rotate": 0, "filter": False, "truncate": 100}, "title": {"text": "Count"}}],
            "seriesParams": [{"show": True, "type": "histogram" if kind == "histogram" else "line", "mode": "normal",
                              "data": {"label": "Count", "id": "1"}, "valueAxis": "ValueAxis-1",
                              "drawLinesBetweenPoints": True, "lineWidth": 2, "showCircles": True}],
            "addTooltip": True, "addLegend": False, "legendPosition": "right", "times": [], "addTimeMarker": False,
            "labels": {"show": False}, "thresholdLine": {"show": False, "value": 10, "width": 1, "style": "full", "color": "#E7664C"}}


COUNT = {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}}


def terms(field, size, schema="segment"):
    return {"id": "2", "enabled": True, "type": "terms", "schema": schema,
            "params": {"field": field, "size": size, "order": "desc", "orderBy": "1",
                       "otherBucket": False, "missingBucket": False}}


def vis(vid, title, vtype, aggs, params, pattern, description):
    state = {"title": title, "type": vtype, "aggs": aggs, "params": params}
    return {"type": "visualization", "id": vid,
            "attributes": {"title": title, "visState": json.dumps(state, ensure_ascii=False), "uiStateJSON": "{}",
                           "description": description, "version": 1,
                           "kibanaSavedObjectMeta": {"searchSourceJSON": search_source()}},
            "references": [{"name": "kibanaSavedObjectMeta.searchSourceJSON.index", "type": "index-pattern", "id": pattern}],
            "migrationVersion": {"visualization": "7.10.0"}}


visualizations = [
    vis("mmi-segments-per-video", "Segments per video", "histogram", [COUNT, terms("file_name", 25)],
        bar_params("histogram"), SEG, "Number of indexed segments (shots) per video file, top 25."),
    vis("mmi-indexing-over-time", "Videos indexed over time", "line",
        [COUNT, {"id": "2", "enabled": True, "type": "date_histogram", "schema": "segment",
                 "params": {"field": "indexed_at", "useNormalizedOpenSearchInterval": True, "scaleMetricValues": False,
                            "interval": "auto", "drop_partials": False, "min_doc_count": 1, "extended_bounds": {}}}],
        bar_params("line"), VID, "Video documents by indexed_at."),
    vis("mmi-languages", "Spoken languages", "pie", [COUNT, terms("language", 20)],
        {"type": "pie", "addTooltip": True, "addLegend": True, "legendPosition": "right", "isDonut": True,
         "labels": {"show": True, "values": True, "last_level": True, "truncate": 100}},
        SEG, "Segments by detected transcript language."),
    vis("mmi-top-ocr-terms", "Top on-screen (OCR) terms", "tagcloud", [COUNT, terms("ocr_text.terms", 60)],
        {"scale": "linear", "orientation": "single", "minFontSize": 14, "maxFontSize": 64, "showLabel": True},
        SEG, "Most frequent OCR terms (cjk analyzer: stop words removed, Han/Kana/Hangul as bigrams)."),
]

panels, refs = [], []
for i, v in enumerate(visualizations):
    panels.append({"version": "2.11.0", "gridData": {"x": (i % 2) * 24, "y": (i // 2) * 15, "w": 24, "h": 15, "i": str(i + 1)},
                   "panelIndex": str(i + 1), "embeddableConfig": {}, "panelRefName": f"panel_{i}"})
    refs.append({"name": f"panel_{i}", "type": "visualization", "id": v["id"]})

dashboard = {"type": "dashboard", "id": "mmi-overview",
             "attributes": {"title": "MultiModalIndexer overview", "hits": 0,
                            "description": "Segments per video, indexing over time, languages and top OCR terms.",
                            "panelsJSON": json.dumps(panels), "optionsJSON": json.dumps({"hidePanelTitles": False, "useMargins": True}),
                            "version": 1, "timeRestore": False,
                            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps({"query": {"language": "kuery", "query": ""}, "filter": []})}},
             "references": refs, "migrationVersion": {"dashboard": "7.9.3"}}

objects = [index_pattern(SEG, SEG, "indexed_at"), index_pattern(VID, VID, "indexed_at"), *visualizations, dashboard]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mmi-dashboards.ndjson")
with open(out, "w", encoding="utf-8") as f:
    for o in objects:
        f.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
print(f"wrote {len(objects)} saved objects to {out}")
