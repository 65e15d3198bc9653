// Integration: the real int8 models (fetched via Maven into a test home) against the Python reference vectors.
//
// The reference for texts over maxTokens is the windowed average (scripts/reference_embed.py header),
// implemented identically on both sides, so every sentence, including the long one, is compared at 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelOptions, loadEmbedder, type LoadedEmbedder } from '../../src/embed/index.js';
import { cosine } from '../../src/embed/pooling.js';
import { ModelError } from '../../src/errors.js';
import { silentLogger, type Logger } from '../../src/log.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOME = process.env['DOCPROC_TEST_HOME'] ?? join(tmpdir(), 'docproc-test-home');
const TOL = 1e-4;

interface RefSentence {
  text: string;
  tokens: number;
  windows: number;
  passage: number[];
  query?: number[];
  passageFp32?: number[];
  passageOtherCpu?: number[];
  queryOtherCpu?: number[];
}
interface RefDoc {
  model: string;
  maxTokens: number;
  sentences: RefSentence[];
}

function reference(model: string): RefDoc {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'data', 'embed', `reference-${model}.json`), 'utf8')) as RefDoc;
}

/**
 * Within TOL of the reference on every dim, or of the reference the same script gave on a CPU of another instruction
 * set: onnxruntime's int8 kernels put some vectors up to 5e-3 apart on AVX2-only and AVX-512/VNNI CPUs (Python and
 * Node alike), so those carry both references, and each is held to TOL.
 */
function assertClose(got: Float32Array, want: number[], label: string, otherCpu?: number[]): void {
  assert.equal(got.length, want.length, `${label}: dims`);
  const worstOf = (ref: number[]) => {
    let worst = 0;
    for (let d = 0; d < ref.length; d++) worst = Math.max(worst, Math.abs(got[d]! - ref[d]!));
    return worst;
  };
  const worst = Math.min(worstOf(want), otherCpu ? worstOf(otherCpu) : Infinity);
  assert.ok(worst <= TOL, `${label}: max |diff| ${worst.toExponential(2)} > ${TOL}`);
}

async function load(model: string, extra: Partial<Parameters<typeof defaultModelOptions>[0]> = {}): Promise<LoadedEmbedder> {
  return loadEmbedder(defaultModelOptions({ home: HOME, model, sources: ['maven'], device: 'cpu', connectTimeoutMs: 10_000, ...extra }));
}

for (const model of ['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q']) {
  test(`${model}: matches the Python reference within ${TOL} on every dim`, async () => {
    const ref = reference(model);
    const e = await load(model);
    try {
      assert.equal(e.dims, 384);
      assert.equal(e.maxTokens, ref.maxTokens);
      assert.match(e.modelSha256, /^[0-9a-f]{64}$/);
      const texts = ref.sentences.map((s) => s.text);
      ref.sentences.forEach((s) => assert.equal(e.countTokens(s.text), s.tokens, `tokens of ${s.text.slice(0, 30)}`));
      assert.ok(ref.sentences.some((s) => s.windows > 1), 'fixture has a text over the limit');
      const vs = await e.embed(texts, 'passage');
      ref.sentences.forEach((s, i) => assertClose(vs[i]!, s.passage, `passage ${i}`, s.passageOtherCpu));
      if (ref.sentences[0]?.query) {
        const qs = await e.embed(texts, 'query');
        ref.sentences.forEach((s, i) => assertClose(qs[i]!, s.query!, `query ${i}`, s.queryOtherCpu));
      }
      // Order is restored after length sorting, and a text's vector does not depend on its neighbours.
      const shuffled = [...texts].reverse();
      const again = await e.embed(shuffled, 'passage');
      shuffled.forEach((_, i) => {
        const s = ref.sentences[texts.length - 1 - i]!;
        assertClose(again[i]!, s.passage, `reversed ${i}`, s.passageOtherCpu);
      });
      assert.deepEqual(await e.embed([], 'passage'), []);
    } finally {
      await e.close();
    }
  });
}

test('all-minilm-l6-v2-q: int8 vectors stay within cosine 0.95 of the fp32 model', async () => {
  const ref = reference('all-minilm-l6-v2-q');
  const e = await load('all-minilm-l6-v2-q');
  try {
    const vs = await e.embed(ref.sentences.map((s) => s.text), 'passage');
    ref.sentences.forEach((s, i) => {
      const c = cosine(vs[i]!, s.passageFp32!);
      assert.ok(c >= 0.95, `sentence ${i}: cosine ${c}`);
    });
  } finally {
    await e.close();
  }
});

test('--model-dir: a sentence-transformers layout with CLS pooling config gives the registry vectors', async () => {
  const cached = await load('bge-small-en-v1.5-q');
  const info = cached.info;
  await cached.close();
  const dir = join(tmpdir(), `docproc-modeldir-${process.pid}`);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  mkdirSync(join(dir, '1_Pooling'), { recursive: true });
  symlinkSync(join(info.path, 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
  symlinkSync(join(info.path, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: 384, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }));
  writeFileSync(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 512 }));
  const e = await load('ignored', { modelDir: dir });
  try {
    assert.equal(e.info.pooling, 'cls');
    assert.equal(e.maxTokens, 512);
    assert.equal(e.modelSha256, info.sha256);
    const ref = reference('bge-small-en-v1.5-q');
    const vs = await e.embed(ref.sentences.map((s) => s.text), 'passage');
    ref.sentences.forEach((s, i) => assertClose(vs[i]!, s.passage, `model-dir ${i}`, s.passageOtherCpu));
  } finally {
    await e.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('device: auto falls back to CPU; cuda without the CUDA provider is a ModelError naming the fix', async () => {
  const auto = await load('all-minilm-l6-v2-q', { device: 'auto' });
  const autoDevice = auto.device;
  await auto.close();
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) } as Logger;
  let cuda: LoadedEmbedder | undefined;
  try {
    cuda = await load('all-minilm-l6-v2-q', { device: 'cuda', log });
  } catch (err) {
    assert.ok(err instanceof ModelError, String(err));
    assert.match(`${err.message} ${err.hint ?? ''}`, /ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci/);
    assert.match(err.hint ?? '', /onnxruntime-gpu wheel of the same version/);
    assert.equal(autoDevice, 'cpu');
    // The int8 model's CUDA caveat comes before the provider is even tried.
    assert.match(warnings.join('\n'), /int8\) model: slower on CUDA/);
    return;
  }
  // A machine with the CUDA provider: an explicit --device cuda is obeyed with a warning, while auto keeps a
  // dynamically quantised model on the CPU (slower on CUDA, and its vectors differ from the CPU's).
  assert.equal(cuda.device, 'cuda');
  assert.match(warnings.join('\n'), /int8\) model: slower on CUDA/);
  assert.equal(autoDevice, 'cpu');
  await cuda.close();
});
