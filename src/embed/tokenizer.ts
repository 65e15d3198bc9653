// Wraps @huggingface/tokenizers: token counts with special tokens, and splitting long texts into model-sized windows.
//
// tokenizer.json's own truncation/padding settings are ignored on purpose (the pure-JS tokenizer does not
// apply them, and langchain4j's MiniLM file says 128 where sentence-transformers uses 256): docproc
// applies maxTokens itself, identically to scripts/reference_embed.py.
import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { ModelError } from '../errors.js';

const RECENT_ENCODINGS = 4096;
const CACHED_WORDS = 200_000;
// Space, tab and line breaks: the BERT normalizer turns them into spaces (it drops other control characters), and its
// pre-tokenizer always splits there, so a text's ids are its words' ids, each word encoded apart.
const PLAIN_SPACE = /[ \t\n\r]+/;

export class TextTokenizer {
  /** Special tokens around a single sequence, e.g. [CLS] / [SEP] for BERT. */
  readonly prefixIds: number[];
  readonly suffixIds: number[];

  /** Whether encoding word by word is exact: BERT normalisation and pre-tokenisation (every model docproc lists). */
  private readonly byWord: boolean;

  private constructor(private readonly tok: Tokenizer, json: TokenizerJson) {
    this.byWord = json.normalizer?.type === 'BertNormalizer' && json.pre_tokenizer?.type === 'BertPreTokenizer' &&
      json.model?.type === 'WordPiece' && !(json.added_tokens ?? []).some((t) => /\s/.test(t.content ?? ''));
    const full = tok.encode('a').ids;
    const content = tok.encode('a', { add_special_tokens: false }).ids;
    const at = findSub(full, content);
    if (at < 0) throw new ModelError('cannot locate the special tokens of this tokenizer');
    this.prefixIds = full.slice(0, at);
    this.suffixIds = full.slice(at + content.length);
  }

  static async fromFile(path: string): Promise<TextTokenizer> {
    try {
      const json = JSON.parse(await readFile(path, 'utf8')) as TokenizerJson;
      return new TextTokenizer(new Tokenizer(json as object, {}), json);
    } catch (err) {
      if (err instanceof ModelError) throw err;
      throw new ModelError(`cannot load tokenizer ${path}: ${(err as Error).message}`, undefined, err);
    }
  }

  // Tokenizers where word-by-word is not exact keep the last few thousand encodings: the chunker counts a chunk's
  // tokens and the embedder then encodes the same text, so a chunk is encoded once.
  private readonly recent = new Map<string, number[]>();

  /** Ids of the text with the special tokens around it. */
  private encode(text: string): number[] {
    if (this.byWord) return [...this.prefixIds, ...this.contentIds(text), ...this.suffixIds];
    const hit = this.recent.get(text);
    if (hit) return hit;
    const ids = this.tok.encode(text).ids;
    if (this.recent.size >= RECENT_ENCODINGS) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(text, ids);
    return ids;
  }

  /**
   * Ids of the text without special tokens. For BERT tokenizers, the concatenation of its words' ids, each distinct
   * word encoded once: the chunker counts every sentence and the model needs every chunk, and full encodings took
   * 1.5 s of a 1,000-abstract ingest's main thread, which shares the cores with the model. Same ids (tested).
   */
  private contentIds(text: string): number[] {
    if (!this.byWord) return this.tok.encode(text, { add_special_tokens: false }).ids;
    const out: number[] = [];
    for (const word of text.split(PLAIN_SPACE)) if (word) for (const id of this.wordIds(word)) out.push(id);
    return out;
  }

  private readonly words = new Map<string, number[]>();

  private wordIds(word: string): number[] {
    const known = this.words.get(word);
    if (known) return known;
    const ids = this.tok.encode(word, { add_special_tokens: false }).ids;
    if (this.words.size >= CACHED_WORDS) this.words.clear();
    this.words.set(word, ids);
    return ids;
  }

  /** Tokens of the text once encoded, special tokens included. */
  countTokens(text: string): number {
    if (!this.byWord) return this.encode(text).length;
    let n = this.prefixIds.length + this.suffixIds.length;
    for (const word of text.split(PLAIN_SPACE)) if (word) n += this.wordIds(word).length;
    return n;
  }

  /**
   * The id sequences to run for one text. A text that fits is one sequence: the tokenizer's
   * encoding of prefix + text. A longer text is never silently truncated: its content tokens are cut
   * into consecutive, non-overlapping windows that fill maxTokens, each wrapped in the special tokens
   * and started by the prefix's tokens (so every window of a bge query carries the instruction). The
   * caller embeds every window and averages the normalised vectors, then re-normalises.
   */
  segments(text: string, maxTokens: number, prefix = ''): number[][] {
    const whole = this.encode(prefix + text);
    if (whole.length <= maxTokens) return [[...whole]];
    const ptoks = prefix ? this.contentIds(prefix) : [];
    const body = this.contentIds(text);
    const width = maxTokens - this.prefixIds.length - this.suffixIds.length - ptoks.length;
    if (width < 1) throw new ModelError(`maxTokens ${maxTokens} leaves no room for text after the special tokens and prefix`);
    const out: number[][] = [];
    for (let i = 0; i < body.length; i += width) {
      out.push([...this.prefixIds, ...ptoks, ...body.slice(i, i + width), ...this.suffixIds]);
    }
    return out;
  }
}

interface TokenizerJson {
  added_tokens?: Array<{ content?: string }>;
  normalizer?: { type?: string } | null;
  pre_tokenizer?: { type?: string } | null;
  model?: { type?: string };
}

function findSub(hay: number[], needle: number[]): number {
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((v, j) => hay[i + j] === v)) return i;
  }
  return -1;
}
