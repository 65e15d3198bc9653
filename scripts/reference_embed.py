# Python reference embeddings (onnxruntime + tokenizers) that docproc's TS embedder is tested against.
#
# Usage: python scripts/reference_embed.py --model-dir DIR [--out test/data/embed]
#   DIR holds the files extracted from the langchain4j jars:
#   all-minilm-l6-v2-q.onnx, all-minilm-l6-v2-q-tokenizer.json, all-minilm-l6-v2.onnx,
#   bge-small-en-v1.5-q.onnx, bge-small-en-v1.5-q-tokenizer.json
#
# Behaviour mirrors src/embed exactly (this file is the spec the TS tests check):
# - the tokenizer.json's own truncation/padding settings are ignored (langchain4j's MiniLM
#   file pads/truncates to 128, which is not what sentence-transformers does);
# - a text whose tokens (special tokens included) exceed maxTokens is NOT truncated: its
#   content tokens are cut into consecutive, non-overlapping windows of maxTokens minus the
#   special tokens, each window is wrapped in the special tokens, embedded, pooled and
#   L2-normalised; the window vectors are averaged and the mean is L2-normalised again;
# - pooling is mean over the attention mask (MiniLM) or the first token (BGE, CLS);
# - queries get the model's query prefix; for windowed queries the prefix tokens start every window.
import argparse
import json
import os

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

LONG = " ".join(
    f"Paragraph {i}: the quick brown fox number {i} jumps over {i * 7 % 13} lazy dogs near the river bank, "
    f"while sensors record temperature {i * 3 % 40} degrees and humidity {i * 11 % 100} percent."
    for i in range(40)
)
SENTENCES = [
    "Hello world",
    "The cat sits on the mat.",
    "Docproc ingests documents, chunks them and stores embeddings in SQLite for semantic search.",
    "Café, naïve façade, Ångström and crème brûlée — accents everywhere.",
    "東京は日本の首都です。机器学习很有趣。",
    "Emoji test 🚀🔥 with mixed text 😀 and symbols ∑ ≠ ∞.",
    "A somewhat longer passage about databases: SQLite is an embedded relational database engine "
    "that stores the whole database in a single file, which makes it ideal for local tools, "
    "desktop applications and command line programs that need durable structured storage.",
    LONG,
]
MODELS = {
    "all-minilm-l6-v2-q": dict(onnx="all-minilm-l6-v2-q.onnx", tok="all-minilm-l6-v2-q-tokenizer.json",
                               pooling="mean", max_tokens=256, query_prefix="",
                               fp32="all-minilm-l6-v2.onnx"),
    "bge-small-en-v1.5-q": dict(onnx="bge-small-en-v1.5-q.onnx", tok="bge-small-en-v1.5-q-tokenizer.json",
                                pooling="cls", max_tokens=512,
                                query_prefix="Represent this sentence for searching relevant passages: ",
                                fp32=None),
}


def specials(tok):
    full = tok.encode("a", add_special_tokens=True).ids
    content = tok.encode("a", add_special_tokens=False).ids
    for i in range(len(full) - len(content) + 1):
        if full[i:i + len(content)] == content:
            return full[:i], full[i + len(content):]
    raise RuntimeError("cannot locate special tokens")


def segments(tok, text, max_tokens, prefix):
    pre, suf = specials(tok)
    whole = tok.encode(prefix + text, add_special_tokens=True).ids
    if len(whole) <= max_tokens:
        return [whole]
    ptoks = tok.encode(prefix, add_special_tokens=False).ids if prefix else []
    body = tok.encode(text, add_special_tokens=False).ids
    width = max_tokens - len(pre) - len(suf) - len(ptoks)
    return [pre + ptoks + body[i:i + width] + suf for i in range(0, len(body), width)]


def embed_ids(sess, ids, pooling):
    names = [i.name for i in sess.get_inputs()]
    arr = np.array([ids], dtype=np.int64)
    feed = {"input_ids": arr, "attention_mask": np.ones_like(arr)}
    if "token_type_ids" in names:
        feed["token_type_ids"] = np.zeros_like(arr)
    out = sess.run(None, feed)[0][0].astype(np.float64)  # [seq, dims]
    v = out[0] if pooling == "cls" else out.mean(axis=0)
    return v / max(np.linalg.norm(v), 1e-12)


def embed(sess, tok, text, cfg, prefix):
    vecs = [embed_ids(sess, s, cfg["pooling"]) for s in segments(tok, text, cfg["max_tokens"], prefix)]
    v = np.mean(vecs, axis=0)
    return v / max(np.linalg.norm(v), 1e-12)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", required=True)
    ap.add_argument("--out", default="test/data/embed")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    for name, cfg in MODELS.items():
        tok = Tokenizer.from_file(os.path.join(a.model_dir, cfg["tok"]))
        tok.no_truncation()
        tok.no_padding()
        sess = ort.InferenceSession(os.path.join(a.model_dir, cfg["onnx"]), opts, providers=["CPUExecutionProvider"])
        rnd = lambda v: [round(float(x), 6) for x in v]
        entries = []
        for s in SENTENCES:
            e = {"text": s, "tokens": len(tok.encode(s).ids),
                 "windows": len(segments(tok, s, cfg["max_tokens"], "")),
                 "passage": rnd(embed(sess, tok, s, cfg, ""))}
            if cfg["query_prefix"]:
                e["query"] = rnd(embed(sess, tok, s, cfg, cfg["query_prefix"]))
            entries.append(e)
        if cfg["fp32"]:
            fsess = ort.InferenceSession(os.path.join(a.model_dir, cfg["fp32"]), opts,
                                         providers=["CPUExecutionProvider"])
            for e in entries:
                e["passageFp32"] = rnd(embed(fsess, tok, e["text"], cfg, ""))
        doc = {"model": name, "pooling": cfg["pooling"], "maxTokens": cfg["max_tokens"],
               "longTextRule": "windowed-average (see scripts/reference_embed.py header)",
               "onnxruntime": ort.__version__, "sentences": entries}
        path = os.path.join(a.out, f"reference-{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
