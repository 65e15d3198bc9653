// Token-aware chunking: packs pieces into chunks that never exceed the model's limit, with overlap.
import { createHash } from 'node:crypto';
import type { Chunk, Loc, Section, TokenCounter } from '../contracts/stages.js';
import { UsageError } from '../errors.js';
import { splitIntoPieces, type Piece } from './split.js';

export interface ChunkSettings {
  chunkTokens: number;
  chunkOverlap: number;
}

export class Chunker {
  private readonly special: number;
  private readonly budget: number;
  private readonly overlap: number;

  constructor(private readonly tokenizer: TokenCounter, settings: ChunkSettings) {
    if (settings.chunkOverlap >= settings.chunkTokens) {
      throw new UsageError(`chunk overlap (${settings.chunkOverlap}) must be smaller than chunk size (${settings.chunkTokens})`);
    }
    if (settings.chunkTokens > tokenizer.maxTokens) {
      throw new UsageError(`chunk size ${settings.chunkTokens} exceeds the model's maximum of ${tokenizer.maxTokens} tokens`);
    }
    this.special = tokenizer.countTokens('');
    this.budget = settings.chunkTokens - this.special;
    this.overlap = settings.chunkOverlap;
    if (this.budget < 8) throw new UsageError(`chunk size ${settings.chunkTokens} is too small for this model`);
  }

  private count = (text: string): number => this.tokenizer.countTokens(text) - this.special;

  chunk(sections: Section[]): Chunk[] {
    const chunks: Chunk[] = [];
    for (const group of groupByLoc(sections)) {
      const pieces = splitIntoPieces(group.text, this.budget, this.count);
      for (const text of this.pack(pieces)) this.emit(chunks, text, group.loc);
    }
    return chunks;
  }

  private pack(pieces: Piece[]): string[] {
    const out: string[] = [];
    let current: Piece[] = [];
    let tokens = 0;
    let fresh = 0; // pieces added since the last emit: a chunk of overlap alone is never emitted
    for (const piece of pieces) {
      if (tokens + piece.tokens > this.budget && fresh > 0) {
        out.push(join(current));
        current = this.tail(current, piece.tokens);
        tokens = current.reduce((n, p) => n + p.tokens, 0);
        fresh = 0;
      }
      current.push(piece);
      tokens += piece.tokens;
      fresh++;
    }
    if (fresh > 0) out.push(join(current));
    return out;
  }

  /** Trailing pieces of the previous chunk, up to the overlap, leaving room for the next piece. */
  private tail(previous: Piece[], nextTokens: number): Piece[] {
    const room = Math.min(this.overlap, this.budget - nextTokens);
    const kept: Piece[] = [];
    let used = 0;
    for (let i = previous.length - 1; i >= 0; i--) {
      const p = previous[i]!;
      if (used + p.tokens > room) break;
      kept.unshift(p);
      used += p.tokens;
    }
    return kept;
  }

  private emit(chunks: Chunk[], text: string, loc: Loc): void {
    const trimmed = text.trim();
    if (!trimmed) return;
    let tokens = this.tokenizer.countTokens(trimmed);
    if (tokens > this.tokenizer.maxTokens || tokens - this.special > this.budget) {
      // Joining can merge tokens differently than counting pieces apart: split in half and retry.
      const words = trimmed.split(/\s+/);
      if (words.length > 1) {
        const mid = Math.floor(words.length / 2);
        this.emit(chunks, words.slice(0, mid).join(' '), loc);
        this.emit(chunks, words.slice(mid).join(' '), loc);
        return;
      }
      tokens = Math.min(tokens, this.tokenizer.maxTokens);
    }
    chunks.push({ seq: chunks.length, text: trimmed, tokens, loc, sha256: sha256(trimmed) });
  }
}

function join(pieces: Piece[]): string {
  return pieces.map((p, i) => (i === 0 ? p.text : p.sep + p.text)).join('');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Consecutive sections at the same place (ignoring line numbers) are chunked together. */
function groupByLoc(sections: Section[]): { text: string; loc: Loc }[] {
  const groups: { text: string; loc: Loc; key: string }[] = [];
  for (const s of sections) {
    if (!s.text.trim()) continue;
    const { line: _line, ...place } = s.loc;
    const key = JSON.stringify(place);
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.text += '\n\n' + s.text;
    else groups.push({ text: s.text, loc: s.loc, key });
  }
  return groups;
}
