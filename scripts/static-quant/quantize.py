# Statically quantised export of an fp32 sentence-transformers ONNX model (issue 12: is a batch-invariant int8
# export faster?). Measured: not faster than the dynamic int8 model (README, "The model"), so no registry entry.
#   python3 -m venv /tmp/qenv && /tmp/qenv/bin/pip install onnxruntime==1.20.1 onnx tokenizers numpy
#   docproc models pull all-minilm-l6-v2   (the fp32 model; its folder holds model.onnx and tokenizer.json)
#   /tmp/qenv/bin/python scripts/static-quant/quantize.py <fp32 dir>/model.onnx <out dir>/model.onnx \
#     ../shared/eval/scifact/corpus.jsonl minmax qop 200   (then copy tokenizer.json beside the output)
import json, sys, random, numpy as np, onnx
from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType, CalibrationMethod
from onnxruntime.quantization.shape_inference import quant_pre_process
from tokenizers import Tokenizer

src, out, corpus, method, fmt = sys.argv[1:6]
tok = Tokenizer.from_file(src.rsplit('/', 1)[0] + '/tokenizer.json')
tok.no_truncation(); tok.no_padding()
texts = []
with open(corpus) as f:
    for line in f:
        d = json.loads(line); texts.append((d.get('title', '') + ' ' + d['text']).strip())
random.Random(1).shuffle(texts)
calib = texts[:int(sys.argv[6]) if len(sys.argv) > 6 else 300]

class Reader(CalibrationDataReader):
    def __init__(self):
        self.it = iter(calib)
    def get_next(self):
        t = next(self.it, None)
        if t is None: return None
        ids = tok.encode(t).ids[:256]
        a = np.array([ids], dtype=np.int64)
        return {'input_ids': a, 'attention_mask': np.ones_like(a), 'token_type_ids': np.zeros_like(a)}

pre = out + '.pre.onnx'
quant_pre_process(src, pre, skip_symbolic_shape=True)
m = onnx.load(pre)
inits = {i.name for i in m.graph.initializer}
# Linear layers only: MatMul/Gemm whose weight is a constant. Attention's activation-by-activation MatMuls stay fp32.
nodes = [n.name for n in m.graph.node if n.op_type in ('MatMul', 'Gemm') and any(i in inits for i in n.input)]
print('quantizing', len(nodes), 'linear nodes of', sum(1 for n in m.graph.node if n.op_type == 'MatMul'), 'MatMul')
quantize_static(pre, out, Reader(), quant_format=QuantFormat.QDQ if fmt == 'qdq' else QuantFormat.QOperator,
    op_types_to_quantize=['MatMul', 'Gemm'], nodes_to_quantize=nodes, per_channel=True,
    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
    calibrate_method={'minmax': CalibrationMethod.MinMax, 'pct': CalibrationMethod.Percentile, 'entropy': CalibrationMethod.Entropy}[method],
    extra_options={'CalibPercentile': 99.999} if method == 'pct' else {})
print('wrote', out)
