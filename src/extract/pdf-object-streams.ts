// Objects kept in compressed object streams (PDF 1.5 and later: Word, LibreOffice and pdfTeX put most dictionaries
// there, pages, fonts and resources included). A reader finds them through the cross-reference stream, which is
// written last and so is the first thing a cut takes; pdf.js's recovery, which reads a file object by object, does not
// look inside them. Each object stream that survives, whole or in part, is inflated and its objects are read from its
// own index, for the salvage to write them out again as plain objects.
import { constants, inflateSync } from 'node:zlib';

export interface StreamedObject {
  num: number;
  /** The object as written in the stream (a dictionary, array, number...; never a stream). */
  body: string;
}

/** Inflated bytes allowed for one object stream and for all of a file's together; streams tried at most. A hostile
 * file may hold thousands of streams, each cut or inflating past its cap: every try is charged, read or not. */
export const MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024;
export const MAX_OBJECT_STREAMS_TOTAL = 64 * 1024 * 1024;
export const MAX_OBJECT_STREAMS = 4096;

export interface StreamBudget {
  /** Inflated bytes still allowed. */
  left: number;
  /** Streams that may still be tried. */
  streams: number;
}

export const newStreamBudget = (): StreamBudget => ({ left: MAX_OBJECT_STREAMS_TOTAL, streams: MAX_OBJECT_STREAMS });

const OBJ_STM = /\/Type[ \t\r\n\f\0]*\/ObjStm(?![A-Za-z0-9#])/;
const INT = (key: string) => new RegExp(`/${key}[ \\t\\r\\n\\f\\0]+(\\d{1,10})(?![0-9.]|[ \\t\\r\\n\\f\\0]+\\d+[ \\t\\r\\n\\f\\0]+R)`);
const N = INT('N');
const FIRST = INT('First');
const LENGTH = INT('Length');
// Only Flate without a predictor (or no filter) is read: that is what writers use for object streams.
const FILTER = /\/Filter[ \t\r\n\f\0]*(\[[^\]]*\]|\/[A-Za-z0-9]+)/;
const PREDICTOR = /\/Predictor[ \t\r\n\f\0]+(\d+)/;
const MAX_OBJECTS = 100_000;
// Deflate's largest expansion: a 258-byte match for every two bits of input, about 1032 to 1.
const MAX_DEFLATE_RATIO = 1032;
/** The format's largest object number: past it a number is damage, not an object. */
export const MAX_OBJECT_NUMBER = 8_388_607;

export const isObjectStream = (dict: string) => OBJ_STM.test(dict);

/**
 * The objects of the object stream whose dictionary is `dict` and whose data starts at `dataStart` (just past the
 * `stream` keyword) in `buf`, and ends by `limit` (the next object's header, or the end of the file): empty when its
 * filter is not read here, its data does not inflate or its index does not add up. A stream cut short gives the
 * objects wholly inside what inflates. What the stream inflates, or could have, is taken from `budget`.
 */
export function streamedObjects(buf: Buffer, dict: string, dataStart: number, limit: number, budget: StreamBudget): StreamedObject[] {
  const n = Number(N.exec(dict)?.[1] ?? NaN);
  const first = Number(FIRST.exec(dict)?.[1] ?? NaN);
  if (!(n > 0 && n <= MAX_OBJECTS) || !(first >= 0) || !readableFilter(dict) || budget.left <= 0 || budget.streams <= 0) return [];
  budget.streams--;
  const { raw, whole } = streamData(buf, dict, skipEol(buf, dataStart), limit);
  const cap = Math.min(MAX_OBJECT_STREAM_BYTES, budget.left);
  let data: Buffer;
  try {
    data = FILTER.test(dict) ? inflateSync(raw, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: cap }) : raw;
  } catch {
    // What it may have inflated before failing: no more than deflate's largest ratio allows. Charging the whole cap
    // let four damaged streams of a few bytes each stop every later stream, the file's pages with them.
    budget.left -= Math.min(cap, raw.length * MAX_DEFLATE_RATIO);
    return [];
  }
  budget.left -= Math.max(data.length, raw.length);
  if (data.length > cap || first >= data.length) return [];
  return readIndex(data.toString('latin1'), n, first, whole);
}

/** The stream's bytes: by its /Length where that is a number inside `limit`, else up to `endstream` or `limit`. */
function streamData(buf: Buffer, dict: string, start: number, limit: number): { raw: Buffer; whole: boolean } {
  const length = Number(LENGTH.exec(dict)?.[1] ?? NaN);
  if (length >= 0 && start + length <= limit) return { raw: buf.subarray(start, start + length), whole: true };
  const span = buf.subarray(start, Math.max(start, limit));
  const end = span.indexOf('endstream', 0, 'latin1');
  return end < 0 ? { raw: span, whole: false } : { raw: span.subarray(0, end), whole: true };
}

function readableFilter(dict: string): boolean {
  const f = FILTER.exec(dict)?.[1];
  if (f === undefined) return true;
  const names = f.match(/\/[A-Za-z0-9]+/g) ?? [];
  if (names.length !== 1 || !['/FlateDecode', '/Fl'].includes(names[0]!)) return false;
  return Number(PREDICTOR.exec(dict)?.[1] ?? 1) <= 1;
}

const INDEX_NUMBER = /[ \t\r\n\f\0]*(\d{1,10})/y;

/** The stream's objects, by the index of `n` number/offset pairs that precedes them; only what is wholly there. */
function readIndex(text: string, n: number, first: number, whole: boolean): StreamedObject[] {
  // Read number by number, at most 2n of them before `first`: the index is never split as a whole.
  const numbers: number[] = [];
  INDEX_NUMBER.lastIndex = 0;
  for (let m; numbers.length < 2 * n && INDEX_NUMBER.lastIndex < first && (m = INDEX_NUMBER.exec(text)); ) numbers.push(Number(m[1]));
  const pairs: { num: number; at: number }[] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) {
    const num = numbers[i]!;
    const at = first + numbers[i + 1]!;
    if (num <= 0 || num > MAX_OBJECT_NUMBER || at < (pairs.at(-1)?.at ?? first)) break;
    pairs.push({ num, at });
  }
  const out: StreamedObject[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const { num, at } = pairs[i]!;
    const next = pairs[i + 1]?.at;
    // The last object runs to the end of the data: in a stream cut short it may be cut too, and is left out.
    if (next === undefined && whole && pairs.length === n && text.length >= at) out.push({ num, body: text.slice(at).trim() });
    else if (next !== undefined && next <= text.length) out.push({ num, body: text.slice(at, next).trim() });
    else break;
  }
  return out.filter((o) => o.body.length > 0);
}

function skipEol(buf: Buffer, at: number): number {
  if (buf[at] === 0x0d && buf[at + 1] === 0x0a) return at + 2;
  return buf[at] === 0x0a || buf[at] === 0x0d ? at + 1 : at;
}
