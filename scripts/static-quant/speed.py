# Texts/s of ONNX models with one intra-op thread on 128 SciFact abstracts (~240 tokens): one text per run, and
# length-sorted batches of 16. Usage: python speed.py <model.onnx>... (tokenizer: $TOKENIZER, default the cached
# all-minilm-l6-v2 one; corpus: $CORPUS, default ../shared/eval/scifact/corpus.jsonl).
import json, os, sys, time, random, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
tok = Tokenizer.from_file(os.environ.get('TOKENIZER', os.path.expanduser('~/.cache/docproc/models/all-minilm-l6-v2/tokenizer.json'))); tok.no_truncation(); tok.no_padding()
texts = [json.loads(l) for l in open(os.environ.get('CORPUS', '../shared/eval/scifact/corpus.jsonl'))]
random.Random(5).shuffle(texts)
enc = [tok.encode((d.get('title','') + ' ' + d['text']).strip()).ids[:256] for d in texts[:128]]
def feeds(batch):
    L = max(len(x) for x in batch); a = np.zeros((len(batch), L), np.int64); m = np.zeros_like(a)
    for i, x in enumerate(batch): a[i, :len(x)] = x; m[i, :len(x)] = 1
    return {'input_ids': a, 'attention_mask': m, 'token_type_ids': np.zeros_like(a)}
for path in sys.argv[1:]:
    so = ort.SessionOptions(); so.intra_op_num_threads = 1; so.inter_op_num_threads = 1
    s = ort.InferenceSession(path, so, providers=['CPUExecutionProvider'])
    s.run(None, feeds(enc[:2]))
    t = time.perf_counter()
    for x in enc: s.run(None, feeds([x]))
    single = len(enc) / (time.perf_counter() - t)
    srt = sorted(enc, key=len); t = time.perf_counter()
    for i in range(0, len(srt), 16): s.run(None, feeds(srt[i:i+16]))
    batched = len(enc) / (time.perf_counter() - t)
    print(f'{path.split("/")[-2]:28s} single {single:6.1f}/s  batched16 {batched:6.1f}/s  tokens/text {sum(map(len,enc))/len(enc):.0f}')
