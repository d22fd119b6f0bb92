#!/usr/bin/python3
"""Writes a tiny, deterministic Whisper export that sherpa-onnx's Whisper loader accepts.

No Whisper weights can be had on this machine, so the speech tests run the real sherpa-onnx
binding on this stand-in. It has exactly the interface of scripts/whisper/export-onnx.py in
sherpa-onnx (the file layout users download as <name>-encoder.onnx / -decoder.onnx / -tokens.txt):

  encoder  mel float [n_audio, n_mels, T]                      (T is 3000 for real exports;
                                                                 dynamic here, sherpa may pass less)
           -> n_layer_cross_k, n_layer_cross_v float [n_text_layer, n_audio, 1, n_text_state]
  decoder  tokens int64 [n_audio, n_tokens],
           in_n_layer_self_k_cache, in_n_layer_self_v_cache float [n_text_layer, n_audio, n_text_ctx, n_text_state],
           n_layer_cross_k, n_layer_cross_v, offset int64 [1]
           -> logits float [n_audio, n_tokens, n_vocab], out_n_layer_self_k_cache, out_n_layer_self_v_cache
  metadata on the encoder: the keys export-onnx.py writes (n_mels, n_text_layer, sot, eot, ...,
           sot_sequence, all_language_tokens/codes as comma-separated lists), with the real
           multilingual token ids (sot 50258, eot 50257, no_timestamps 50363, 99 languages).
  tokens   "<base64 of the token bytes> <id>" per line, like sherpa's <name>-tokens.txt.

Behaviour (deterministic, so tests know the transcript):
  * the encoder counts the mel frames that carry audio (sherpa zero-pads the rest) and passes that
    count to the decoder through the cross-attention tensors;
  * the decoder is a lookup table on the last input token: sot -> the language token (language
    auto-detection picks it), no_timestamps -> first word, word i -> word i+1, last word -> eot;
  * regions with at most --long-frames audio frames (100 per second) say --short, longer ones
    --long. Words are split on spaces; text without spaces (CJK) is split per character.

Usage: make_whisper_fixture.py OUTDIR [--short TEXT] [--long TEXT] [--long-frames N] [--language CODE]
Writes OUTDIR/fixture-encoder.onnx, fixture-decoder.onnx, fixture-tokens.txt (a few KB each).
"""
import argparse
import base64
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# The real multilingual Whisper vocabulary layout (openai/whisper tokenizer.py).
N_VOCAB = 51865
EOT, SOT = 50257, 50258
LANGUAGE_CODES = (
    "en zh de es ru ko fr ja pt tr pl ca nl ar sv it id hi fi vi he uk el ms cs ro da hu ta no th ur hr bg "
    "lt la mi ml cy sk te fa lv bn sr az sl kn et mk br eu is hy ne mn bs kk sq sw gl mr pa si km sn yo so "
    "af oc ka be tg sd gu am yi lo uz fo ht ps tk nn mt sa lb my bo tl mg as tt haw ln ha ba jw su"
).split()
LANGUAGE_TOKENS = [SOT + 1 + i for i in range(len(LANGUAGE_CODES))]  # 50259 .. 50357
TRANSLATE, TRANSCRIBE, SOT_LM, SOT_PREV, NO_SPEECH, NO_TIMESTAMPS = 50358, 50359, 50360, 50361, 50362, 50363

N_MELS, N_AUDIO_CTX, N_AUDIO_STATE = 80, 1500, 8
N_TEXT_LAYER, N_TEXT_CTX, N_TEXT_STATE = 2, 448, 8
OPSET = 13
FIRST_WORD_ID = 1000  # ordinary BPE range, far from the special tokens


def split_words(text):
    words = text.split()
    if len(words) == 1 and any(ord(c) > 0x2E80 for c in text):  # CJK: one token per character
        return list(text)
    return [" " + w for w in words]  # Whisper BPE words carry their leading space


def build_vocab(phrases):
    vocab = {}
    for words in phrases:
        for w in words:
            if w not in vocab:
                vocab[w] = FIRST_WORD_ID + len(vocab)
    return vocab


def encoder_model():
    mel = helper.make_tensor_value_info("mel", TensorProto.FLOAT, ["n_audio", N_MELS, "T"])
    k = helper.make_tensor_value_info("n_layer_cross_k", TensorProto.FLOAT, [N_TEXT_LAYER, "n_audio", 1, N_TEXT_STATE])
    v = helper.make_tensor_value_info("n_layer_cross_v", TensorProto.FLOAT, [N_TEXT_LAYER, "n_audio", 1, N_TEXT_STATE])
    inits = [
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_mel"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "axis_time"),
        numpy_helper.from_array(np.array(1e-3, dtype=np.float32), "eps"),
        numpy_helper.from_array(np.array([1, -1, 1, 1], dtype=np.int64), "shape_1n11"),
        numpy_helper.from_array(np.array([N_TEXT_LAYER, 1, 1, N_TEXT_STATE], dtype=np.int64), "shape_expand"),
    ]
    nodes = [
        helper.make_node("Abs", ["mel"], ["abs"]),
        helper.make_node("ReduceSum", ["abs", "axis_mel"], ["energy"], keepdims=0),  # [n_audio, T]
        helper.make_node("Greater", ["energy", "eps"], ["has_audio"]),
        helper.make_node("Cast", ["has_audio"], ["has_audio_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceSum", ["has_audio_f", "axis_time"], ["frames"], keepdims=1),  # [n_audio, 1]
        helper.make_node("Reshape", ["frames", "shape_1n11"], ["frames4"]),
        helper.make_node("Expand", ["frames4", "shape_expand"], ["n_layer_cross_k"]),
        helper.make_node("Neg", ["n_layer_cross_k"], ["n_layer_cross_v"]),
    ]
    graph = helper.make_graph(nodes, "whisper_fixture_encoder", [mel], [k, v], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mmi-fixture")


def decoder_model(keys, next_short, next_long, long_frames):
    i64, f32 = TensorProto.INT64, TensorProto.FLOAT
    cache_shape = [N_TEXT_LAYER, "n_audio", N_TEXT_CTX, N_TEXT_STATE]
    inputs = [
        helper.make_tensor_value_info("tokens", i64, ["n_audio", "n_tokens"]),
        helper.make_tensor_value_info("in_n_layer_self_k_cache", f32, cache_shape),
        helper.make_tensor_value_info("in_n_layer_self_v_cache", f32, cache_shape),
        helper.make_tensor_value_info("n_layer_cross_k", f32, [N_TEXT_LAYER, "n_audio", "n_audio_ctx", N_TEXT_STATE]),
        helper.make_tensor_value_info("n_layer_cross_v", f32, [N_TEXT_LAYER, "n_audio", "n_audio_ctx", N_TEXT_STATE]),
        helper.make_tensor_value_info("offset", i64, [1]),
    ]
    outputs = [
        helper.make_tensor_value_info("logits", f32, ["n_audio", "n_tokens", N_VOCAB]),
        helper.make_tensor_value_info("out_n_layer_self_k_cache", f32, cache_shape),
        helper.make_tensor_value_info("out_n_layer_self_v_cache", f32, cache_shape),
    ]
    inits = [
        numpy_helper.from_array(np.array(keys, dtype=np.int64), "keys"),
        numpy_helper.from_array(np.array(next_short, dtype=np.int64), "next_short"),
        numpy_helper.from_array(np.array(next_long, dtype=np.int64), "next_long"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis_last"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "zero"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
        numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "shape_n1"),
        numpy_helper.from_array(np.array(float(long_frames), dtype=np.float32), "long_frames"),
        numpy_helper.from_array(np.array([N_VOCAB], dtype=np.int64), "depth"),
        numpy_helper.from_array(np.array([0.0, 10.0], dtype=np.float32), "onehot_values"),
    ]
    nodes = [
        # frames with audio, as counted by the encoder: cross_k[0, :, 0, 0] -> [n_audio, 1]
        helper.make_node("Slice", ["n_layer_cross_k", "zero", "one", "zero"], ["k_layer0"]),
        helper.make_node("ReduceMax", ["k_layer0"], ["frames_all"], axes=[0, 2, 3], keepdims=0),  # [n_audio]
        helper.make_node("Reshape", ["frames_all", "shape_n1"], ["frames"]),
        helper.make_node("Greater", ["frames", "long_frames"], ["is_long"]),  # [n_audio, 1]
        # table lookup on each input token
        helper.make_node("Unsqueeze", ["tokens", "axis_last"], ["tokens3"]),  # [n_audio, n_tokens, 1]
        helper.make_node("Equal", ["tokens3", "keys"], ["hit"]),  # [n_audio, n_tokens, K]
        helper.make_node("Cast", ["hit"], ["hit_i"], to=TensorProto.INT32),
        helper.make_node("ArgMax", ["hit_i"], ["row"], axis=-1, keepdims=0),  # unknown tokens -> row 0 (eot)
        helper.make_node("Gather", ["next_short", "row"], ["pred_short"]),
        helper.make_node("Gather", ["next_long", "row"], ["pred_long"]),
        helper.make_node("Where", ["is_long", "pred_long", "pred_short"], ["pred"]),
        helper.make_node("OneHot", ["pred", "depth", "onehot_values"], ["logits"], axis=-1),
        helper.make_node("Identity", ["in_n_layer_self_k_cache"], ["out_n_layer_self_k_cache"]),
        helper.make_node("Identity", ["in_n_layer_self_v_cache"], ["out_n_layer_self_v_cache"]),
    ]
    graph = helper.make_graph(nodes, "whisper_fixture_decoder", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mmi-fixture")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--short", default="ask not what your country")
    ap.add_argument("--long", default="and so my fellow americans")
    ap.add_argument("--long-frames", type=int, default=250)
    ap.add_argument("--language", default="en")
    a = ap.parse_args()
    if a.language not in LANGUAGE_CODES:
        raise SystemExit(f"unknown language {a.language}")

    short_words, long_words = split_words(a.short), split_words(a.long)
    for words in (short_words, long_words):
        if len(set(words)) != len(words):
            raise SystemExit("each phrase needs distinct words (the decoder is a lookup on the last token)")
    vocab = build_vocab([short_words, long_words])

    keys = [-1, SOT, NO_TIMESTAMPS] + list(vocab.values())
    def chain(words):
        nxt = {SOT: LANGUAGE_TOKENS[LANGUAGE_CODES.index(a.language)], NO_TIMESTAMPS: vocab[words[0]]}
        for w, w2 in zip(words, words[1:]):
            nxt[vocab[w]] = vocab[w2]
        nxt[vocab[words[-1]]] = EOT
        return [nxt.get(k, EOT) for k in keys]

    os.makedirs(a.outdir, exist_ok=True)
    enc = encoder_model()
    meta = {
        "model_type": "whisper-fixture", "version": "1", "maintainer": "MultiModalIndexer tests",
        "n_mels": N_MELS, "n_audio_ctx": N_AUDIO_CTX, "n_audio_state": N_AUDIO_STATE, "n_audio_head": 1,
        "n_audio_layer": 1, "n_vocab": N_VOCAB, "n_text_ctx": N_TEXT_CTX, "n_text_state": N_TEXT_STATE,
        "n_text_head": 1, "n_text_layer": N_TEXT_LAYER,
        "sot_sequence": f"{SOT},{LANGUAGE_TOKENS[0]},{TRANSCRIBE}",
        "all_language_tokens": ",".join(map(str, LANGUAGE_TOKENS)),
        "all_language_codes": ",".join(LANGUAGE_CODES),
        "sot": SOT, "sot_index": 0, "eot": EOT, "blank_id": 220, "is_multilingual": 1,
        "no_speech": NO_SPEECH, "non_speech_tokens": "", "transcribe": TRANSCRIBE, "translate": TRANSLATE,
        "sot_prev": SOT_PREV, "sot_lm": SOT_LM, "no_timestamps": NO_TIMESTAMPS,
    }
    for key, value in meta.items():
        p = enc.metadata_props.add()
        p.key, p.value = key, str(value)
    onnx.checker.check_model(enc)
    onnx.save(enc, os.path.join(a.outdir, "fixture-encoder.onnx"))

    dec = decoder_model(keys, chain(short_words), chain(long_words), a.long_frames)
    onnx.checker.check_model(dec)
    onnx.save(dec, os.path.join(a.outdir, "fixture-decoder.onnx"))

    with open(os.path.join(a.outdir, "fixture-tokens.txt"), "w", encoding="utf-8") as f:
        # " " (id 220) as in the real vocabulary, then the phrase words.
        f.write(f"{base64.b64encode(b' ').decode()} 220\n")
        for word, i in sorted(vocab.items(), key=lambda kv: kv[1]):
            f.write(f"{base64.b64encode(word.encode('utf-8')).decode()} {i}\n")


if __name__ == "__main__":
    main()
