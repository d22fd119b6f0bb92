#!/usr/bin/python3
"""Writes a tiny, deterministic SenseVoice export that sherpa-onnx's SenseVoice loader accepts.

Interface (sherpa-onnx offline-sense-voice-model.cc / offline-recognizer-sense-voice-impl.h):
  x float [N, T, 560] (80 fbank bins x LFR window 7), x_length int32 [N], language int32 [N],
  text_norm int32 [N]  ->  logits float [N, T + 4, vocab_size]
  metadata: vocab_size, blank_id, lfr_window_size, lfr_window_shift, normalize_samples, with_itn,
  without_itn, lang_auto/zh/en/ja/ko/yue (the real model's language input ids), neg_mean and
  inv_stddev (560 comma-separated floats each); tokens.txt is "<symbol> <id>" per line.
sherpa decodes the logits with CTC greedy search and reads the first four tokens as language,
emotion, event and ITN tag; the rest is the text.

Behaviour: frame k emits token k of <|lang|> <|NEUTRAL|> <|Speech|> <|withitn or woitn|> PHRASE,
then blanks. <|lang|> follows the language input (auto -> zh). PHRASE is split per character.

Usage: make_sensevoice_fixture.py OUTDIR [--phrase TEXT]  ->  OUTDIR/model.onnx, OUTDIR/tokens.txt
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# Language input ids of the real SenseVoice export (sherpa-onnx scripts/sense-voice/export-onnx.py).
LANG_INPUT = {"auto": 0, "zh": 3, "en": 4, "yue": 7, "ja": 11, "ko": 12}
WITH_ITN, WITHOUT_ITN = 14, 15
FEAT = 560


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--phrase", default="大家好我的名字是")
    a = ap.parse_args()

    specials = ["<unk>", "<s>", "</s>", "<|zh|>", "<|en|>", "<|yue|>", "<|ja|>", "<|ko|>",
                "<|NEUTRAL|>", "<|Speech|>", "<|withitn|>", "<|woitn|>"]
    chars = []
    for c in a.phrase:
        if c not in chars:
            chars.append(c)
    vocab = specials + chars
    vid = {s: i for i, s in enumerate(vocab)}
    for x, y in zip(a.phrase, a.phrase[1:]):
        if x == y:
            raise SystemExit("CTC collapses repeated neighbours: use a phrase without doubled characters")
    V = len(vocab)

    # language input id -> language token; text_norm input id -> itn token
    lang_table = np.full(16, vid["<|zh|>"], dtype=np.int64)
    for code, i in LANG_INPUT.items():
        if code != "auto":
            lang_table[i] = vid[f"<|{code}|>"]
    itn_table = np.full(16, vid["<|woitn|>"], dtype=np.int64)
    itn_table[WITH_ITN] = vid["<|withitn|>"]
    body = np.array([vid["<|NEUTRAL|>"], vid["<|Speech|>"]], dtype=np.int64)
    text = np.array([vid[c] for c in a.phrase] + [0], dtype=np.int64)  # trailing blank

    i64, f32, i32 = TensorProto.INT64, TensorProto.FLOAT, TensorProto.INT32
    inputs = [
        helper.make_tensor_value_info("x", f32, ["N", "T", FEAT]),
        helper.make_tensor_value_info("x_length", i32, ["N"]),
        helper.make_tensor_value_info("language", i32, ["N"]),
        helper.make_tensor_value_info("text_norm", i32, ["N"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", f32, ["N", "T4", V])]
    inits = [
        numpy_helper.from_array(lang_table, "lang_table"),
        numpy_helper.from_array(itn_table, "itn_table"),
        numpy_helper.from_array(body, "body"),
        numpy_helper.from_array(text, "text"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
        numpy_helper.from_array(np.array([2], dtype=np.int64), "two"),
        numpy_helper.from_array(np.array(0, dtype=np.int64), "zero_s"),
        numpy_helper.from_array(np.array(1, dtype=np.int64), "one_s"),
        numpy_helper.from_array(np.array(4, dtype=np.int64), "four_s"),
        numpy_helper.from_array(np.array(len(text) - 1, dtype=np.int64), "last_s"),
        numpy_helper.from_array(np.array([V], dtype=np.int64), "depth"),
        numpy_helper.from_array(np.array([0.0, 10.0], dtype=np.float32), "onehot_values"),
    ]
    nodes = [
        # prefix tokens: <|lang|> <|NEUTRAL|> <|Speech|> <|itn|>
        helper.make_node("Cast", ["language"], ["lang64"], to=i64),
        helper.make_node("Slice", ["lang64", "zero", "one"], ["lang0"]),
        helper.make_node("Gather", ["lang_table", "lang0"], ["lang_tok"]),
        helper.make_node("Cast", ["text_norm"], ["tn64"], to=i64),
        helper.make_node("Slice", ["tn64", "zero", "one"], ["tn0"]),
        helper.make_node("Gather", ["itn_table", "tn0"], ["itn_tok"]),
        helper.make_node("Concat", ["lang_tok", "body", "itn_tok"], ["prefix"], axis=0),  # [4]
        # frames 4.. : the phrase, then blanks
        helper.make_node("Shape", ["x"], ["xshape"]),
        helper.make_node("Slice", ["xshape", "one", "two"], ["T1"]),
        helper.make_node("Squeeze", ["T1", "zero"], ["T"]),
        helper.make_node("Range", ["zero_s", "T", "one_s"], ["pos"]),
        helper.make_node("Min", ["pos", "last_s"], ["pos_c"]),
        helper.make_node("Gather", ["text", "pos_c"], ["text_tok"]),
        helper.make_node("Concat", ["prefix", "text_tok"], ["seq"], axis=0),  # [T + 4]
        helper.make_node("OneHot", ["seq", "depth", "onehot_values"], ["frame_logits"], axis=-1),  # [T+4, V]
        helper.make_node("Unsqueeze", ["frame_logits", "zero"], ["logits1"]),
        helper.make_node("Shape", ["x_length"], ["n"]),
        helper.make_node("Concat", ["n", "one", "one"], ["expand_shape"], axis=0),
        helper.make_node("Expand", ["logits1", "expand_shape"], ["logits"]),
    ]
    graph = helper.make_graph(nodes, "sensevoice_fixture", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mmi-fixture")
    meta = {
        "model_type": "sense_voice_ctc", "comment": "fixture", "vocab_size": V, "blank_id": 0,
        "lfr_window_size": 7, "lfr_window_shift": 6, "normalize_samples": 0,
        "with_itn": WITH_ITN, "without_itn": WITHOUT_ITN,
        **{f"lang_{k}": v for k, v in LANG_INPUT.items()},
        "neg_mean": ",".join(["0"] * FEAT), "inv_stddev": ",".join(["1"] * FEAT),
    }
    for k, v in meta.items():
        p = model.metadata_props.add()
        p.key, p.value = k, str(v)
    onnx.checker.check_model(model)
    os.makedirs(a.outdir, exist_ok=True)
    onnx.save(model, os.path.join(a.outdir, "model.onnx"))
    with open(os.path.join(a.outdir, "tokens.txt"), "w", encoding="utf-8") as f:
        for i, s in enumerate(vocab):
            f.write(f"{s} {i}\n")


if __name__ == "__main__":
    main()
