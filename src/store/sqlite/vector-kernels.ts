// The vector first pass's loops (sign scores, top-m selection), in WebAssembly (source: vector-kernels.wat; bytes: vector-kernels-bytes.ts).
// WebAssembly runs at full speed from its first call, where the same loops in JavaScript start interpreted: a
// one-shot `docproc search` paid ~35 ms of warm-up on 100k chunks. Scores are float64, summed in the order the
// JavaScript used, so they are bit-identical to it.
import { VECTOR_KERNELS_WASM } from './vector-kernels-bytes.js';

interface Kernels {
  memory: WebAssembly.Memory;
  signScores(table: number, codes: number, n: number, words: number, out: number): void;
  selectTop(scores: number, keep: number, n: number, m: number, hist: number, buckets: number, ids: number): number;
}

let kernels: Kernels | undefined;

function instance(): Kernels {
  kernels ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(VECTOR_KERNELS_WASM, 'base64'))).exports as unknown as Kernels;
  return kernels;
}

const PAGE = 65536;
const align8 = (n: number): number => (n + 7) & ~7;

/** Grows the module's memory to at least `bytes`; views taken before a grow are detached, so take them after. */
function reserve(k: Kernels, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * Scores sign codes against a query's lookup table (per code byte, 256 float32 sums), block by block, into one
 * float64 score per slot, then picks the best. One scorer per scan: it lays out the module's memory once (table,
 * one block of codes, scores, the keep mask, the histogram, the picked ids) and owns it until the scan ends.
 */
export class SignScorer {
  private readonly k = instance();
  private readonly codesAt: number;
  private readonly scoresAt: number;
  private readonly keepAt: number;
  private readonly histAt: number;
  private readonly idsAt: number;

  constructor(table: Float32Array, private readonly words: number, private readonly blockSlots: number, private readonly slots: number) {
    this.codesAt = align8(table.byteLength);
    this.scoresAt = align8(this.codesAt + blockSlots * words * 4);
    this.keepAt = this.scoresAt + slots * 8;
    this.histAt = align8(this.keepAt + slots);
    this.idsAt = this.histAt + HISTOGRAM_BUCKETS * 4;
    reserve(this.k, this.idsAt + slots * 4);
    new Float32Array(this.k.memory.buffer, 0, table.length).set(table);
    this.keep().fill(0);
  }

  /** Scores one block's codes (blockSlots × words × 4 bytes) into the slots from `firstSlot`. */
  score(codes: Uint8Array, firstSlot: number): void {
    new Uint8Array(this.k.memory.buffer, this.codesAt, codes.length).set(codes);
    this.k.signScores(0, this.codesAt, this.blockSlots, this.words, this.scoresAt + firstSlot * 8);
  }

  /** Every slot's score (slots never scored hold garbage: the keep mask says which count). */
  scores(): Float64Array {
    return new Float64Array(this.k.memory.buffer, this.scoresAt, this.slots);
  }

  /** One byte per slot, all 0 at first: the caller sets 1 where a slot holds a vector that may compete. */
  keep(): Uint8Array {
    return new Uint8Array(this.k.memory.buffer, this.keepAt, this.slots);
  }

  /**
   * The ids of the m best scores among the kept slots, ties to the lower id (what a bounded heap fed in id order
   * keeps). A histogram of the scores finds the bucket the m-th best falls in; only the slots from there up are
   * sorted.
   */
  top(m: number): number[] {
    const n = this.k.selectTop(this.scoresAt, this.keepAt, this.slots, m, this.histAt, HISTOGRAM_BUCKETS, this.idsAt);
    const scores = this.scores();
    return Array.from(new Int32Array(this.k.memory.buffer, this.idsAt, n)).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, m);
  }
}

const HISTOGRAM_BUCKETS = 4096;
