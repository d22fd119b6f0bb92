#!/usr/bin/python3
"""TEST FIXTURES, not models: small deterministic ONNX graphs with the real CLIP interfaces.

They know nothing but colours. The image encoders average the (de-normalised) pixels, compare the mean
RGB with eight colour prototypes and emit a soft mix of eight fixed orthonormal directions in 512-d. The
text encoders look each token id up in a table that is non-zero only for the ids of the colour words
(computed here from the real CLIP vocabulary), so "red" lands on the red direction through the real
tokenizer and the real ORT session. Outputs are deliberately NOT unit length: normalising is the
product's job.

Written (run with Debian /usr/bin/python3: python3-onnx + python3-numpy):
  fixture-image-xenova.onnx   pixel_values float[N,3,224,224] -> image_embeds float[N,512]
  fixture-image-openai.onnx   input float[1,3,224,224]        -> output float[1,512]
  fixture-image-fixed2.onnx   pixel_values float[2,3,224,224] -> image_embeds float[2,512] (fixed batch 2)
  fixture-text-xenova.onnx    input_ids int64[N,S], attention_mask int64[N,S] -> text_embeds float[N,512]
  fixture-text-openai.onnx    input int32[1,77]               -> output float[1,512]
  fixture-text-states.onnx    input_ids int32[N,S]            -> last_hidden_state float[N,S,512] (causal
                              running sum, so only the EOT position holds the whole query)
Usage: make_clip_fixtures.py OUTDIR BPE_VOCAB_GZ
"""
import gzip
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)
STD = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)
COLOURS = [  # name, RGB in [0,1]
    ("red", (1, 0, 0)), ("green", (0, 1, 0)), ("blue", (0, 0, 1)), ("yellow", (1, 1, 0)),
    ("orange", (1, 0.5, 0)), ("purple", (0.5, 0, 0.5)), ("white", (1, 1, 1)), ("black", (0, 0, 0)),
]
DIM = 512
OPSET = 17


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def clip_vocab(path):
    merges = gzip.open(path).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
    vocab = list(bytes_to_unicode().values())
    vocab = vocab + [v + "</w>" for v in vocab]
    vocab += ["".join(m.split()) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {v: i for i, v in enumerate(vocab)}


def directions():
    rng = np.random.default_rng(1234)
    q, _ = np.linalg.qr(rng.standard_normal((DIM, len(COLOURS) + 1)))
    return q.T.astype(np.float32)  # [K+1, 512] orthonormal rows; the last one is "no colour"


def save(nodes, inits, inputs, outputs, path, convention):
    g = helper.make_graph(nodes, "clip_fixture", inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mmi-test-fixture")
    m.ir_version = 8
    helper.set_model_props(m, {"mmi.fixture": "true", "clip.convention": convention})
    onnx.checker.check_model(m)
    onnx.save(m, path)


def image_model(path, in_name, out_name, batch, convention):
    e = directions()
    protos = np.array([c for _, c in COLOURS], np.float32)
    inits = [
        numpy_helper.from_array(STD.reshape(1, 3), "std"),
        numpy_helper.from_array(MEAN.reshape(1, 3), "mean"),
        numpy_helper.from_array(protos, "protos"),
        numpy_helper.from_array(np.array(-30.0, np.float32), "temp"),
        numpy_helper.from_array(e[: len(COLOURS)] * 3.0, "emb"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
    ]
    nodes = [
        helper.make_node("ReduceMean", [in_name], ["m"], axes=[2, 3], keepdims=0),  # [N,3] normalised
        helper.make_node("Mul", ["m", "std"], ["m1"]),
        helper.make_node("Add", ["m1", "mean"], ["rgb"]),                            # [N,3] in [0,1]
        helper.make_node("Unsqueeze", ["rgb", "one"], ["rgb3"]),                     # [N,1,3]
        helper.make_node("Sub", ["rgb3", "protos"], ["d"]),                          # [N,K,3]
        helper.make_node("Mul", ["d", "d"], ["d2"]),
        helper.make_node("ReduceSum", ["d2", "two"], ["dist"], keepdims=0),          # [N,K]
        helper.make_node("Mul", ["dist", "temp"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["w"], axis=1),
        helper.make_node("MatMul", ["w", "emb"], [out_name]),                        # [N,512]
    ]
    inits.append(numpy_helper.from_array(np.array([2], np.int64), "two"))
    save(nodes, inits,
         [helper.make_tensor_value_info(in_name, TensorProto.FLOAT, [batch, 3, 224, 224])],
         [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [batch, DIM])], path, convention)


def colour_table(vocab):
    """[49408, K+1]: colour word ids → their colour; every token also adds a little 'no colour'."""
    k = len(COLOURS)
    t = np.zeros((49408, k + 1), np.float32)
    for i, (name, _) in enumerate(COLOURS):
        t[vocab[name + "</w>"], i] = 1.0
    t[:, k] = 0.05
    t[0, k] = 0.0  # id 0 is the OpenAI padding value: contributes nothing
    return t


def text_model(path, vocab, in_name, in_type, out_name, shape, mask, convention):
    e = directions()
    inits = [numpy_helper.from_array(colour_table(vocab), "table"), numpy_helper.from_array(e * 2.0, "emb"),
             numpy_helper.from_array(np.array([1], np.int64), "axis1"), numpy_helper.from_array(np.array([2], np.int64), "axis2")]
    nodes = [helper.make_node("Gather", ["table", in_name], ["f"], axis=0)]             # [N,S,K+1]
    inputs = [helper.make_tensor_value_info(in_name, in_type, shape)]
    feat = "f"
    if mask:
        inputs.append(helper.make_tensor_value_info("attention_mask", TensorProto.INT64, shape))
        nodes += [helper.make_node("Cast", ["attention_mask"], ["mf"], to=TensorProto.FLOAT),
                  helper.make_node("Unsqueeze", ["mf", "axis2"], ["mf3"]),
                  helper.make_node("Mul", ["f", "mf3"], ["fm"])]
        feat = "fm"
    nodes += [helper.make_node("ReduceSum", [feat, "axis1"], ["s"], keepdims=0),          # [N,K+1]
              helper.make_node("MatMul", ["s", "emb"], [out_name])]
    save(nodes, inits, inputs, [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [shape[0], DIM])], path, convention)


def text_states_model(path, vocab):
    e = directions()
    inits = [numpy_helper.from_array(colour_table(vocab), "table"), numpy_helper.from_array(e * 2.0, "emb"),
             numpy_helper.from_array(np.array(1, np.int64), "axis1")]
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["f"], axis=0),            # [N,S,K+1]
             helper.make_node("CumSum", ["f", "axis1"], ["c"]),                            # causal running sum
             helper.make_node("MatMul", ["c", "emb"], ["last_hidden_state"])]              # [N,S,512]
    save(nodes, inits, [helper.make_tensor_value_info("input_ids", TensorProto.INT32, ["batch", "sequence"])],
         [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", DIM])], path, "hidden-states")


def main():
    out, bpe = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    vocab = clip_vocab(bpe)
    for name, _ in COLOURS:
        assert name + "</w>" in vocab, name
    image_model(os.path.join(out, "fixture-image-xenova.onnx"), "pixel_values", "image_embeds", "batch", "xenova")
    image_model(os.path.join(out, "fixture-image-openai.onnx"), "input", "output", 1, "openai")
    image_model(os.path.join(out, "fixture-image-fixed2.onnx"), "pixel_values", "image_embeds", 2, "xenova-fixed-batch-2")
    text_model(os.path.join(out, "fixture-text-xenova.onnx"), vocab, "input_ids", TensorProto.INT64, "text_embeds", ["batch", "sequence"], True, "xenova")
    text_model(os.path.join(out, "fixture-text-openai.onnx"), vocab, "input", TensorProto.INT32, "output", [1, 77], False, "openai")
    text_states_model(os.path.join(out, "fixture-text-states.onnx"), vocab)
    with open(os.path.join(out, "colours.txt"), "w") as f:
        for name, rgb in COLOURS:
            f.write(f"{name} {vocab[name + '</w>']} {' '.join(str(c) for c in rgb)}\n")


if __name__ == "__main__":
    main()
