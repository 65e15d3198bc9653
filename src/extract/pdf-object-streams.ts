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

/** Inflated bytes allowed for one object stream and for all of a file's together: a hostile file may hold many. */
export const MAX_OBJECT_STREAM_BYTES = 16 * 1024 * 1024;
export const MAX_OBJECT_STREAMS_TOTAL = 64 * 1024 * 1024;

const OBJ_STM = /\/Type[ \t\r\n\f\0]*\/ObjStm(?![A-Za-z0-9#])/;
const INT = (key: string) => new RegExp(`/${key}[ \\t\\r\\n\\f\\0]+(\\d{1,10})(?![0-9.]|[ \\t\\r\\n\\f\\0]+\\d+[ \\t\\r\\n\\f\\0]+R)`);
const N = INT('N');
const FIRST = INT('First');
// Only Flate without a predictor (or no filter) is read: that is what writers use for object streams.
const FILTER = /\/Filter[ \t\r\n\f\0]*(\[[^\]]*\]|\/[A-Za-z0-9]+)/;
const PREDICTOR = /\/Predictor[ \t\r\n\f\0]+(\d+)/;
const MAX_OBJECTS = 100_000;
const MAX_OBJECT_NUMBER = 8_388_607;

export const isObjectStream = (dict: string) => OBJ_STM.test(dict);

/**
 * The objects of the object stream whose dictionary is `dict` and whose data starts at `dataStart` (just past the
 * `stream` keyword) in `buf`: empty when its filter is not read here, its data does not inflate or its index does not
 * add up. A stream cut short gives the objects wholly inside what inflates. `budget.left` is the inflated bytes still
 * allowed; what this stream inflates is taken from it.
 */
export function streamedObjects(buf: Buffer, dict: string, dataStart: number, budget: { left: number }): StreamedObject[] {
  const n = Number(N.exec(dict)?.[1] ?? NaN);
  const first = Number(FIRST.exec(dict)?.[1] ?? NaN);
  if (!(n > 0 && n <= MAX_OBJECTS) || !(first >= 0) || !readableFilter(dict) || budget.left <= 0) return [];
  const start = skipEol(buf, dataStart);
  const end = buf.indexOf('endstream', start, 'latin1');
  const raw = buf.subarray(start, end < 0 ? buf.length : end);
  let data: Buffer;
  try {
    data = FILTER.test(dict)
      ? inflateSync(raw, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: Math.min(MAX_OBJECT_STREAM_BYTES, budget.left) })
      : raw;
  } catch {
    return [];
  }
  budget.left -= data.length;
  return readIndex(data.toString('latin1'), n, first, end >= 0);
}

function readableFilter(dict: string): boolean {
  const f = FILTER.exec(dict)?.[1];
  if (f === undefined) return true;
  const names = f.match(/\/[A-Za-z0-9]+/g) ?? [];
  if (names.length !== 1 || !['/FlateDecode', '/Fl'].includes(names[0]!)) return false;
  return Number(PREDICTOR.exec(dict)?.[1] ?? 1) <= 1;
}

/** The stream's objects, by the index of `n` number/offset pairs that precedes them; only what is wholly there. */
function readIndex(text: string, n: number, first: number, whole: boolean): StreamedObject[] {
  const index = text.slice(0, Math.min(first, text.length)).trim().split(/[ \t\r\n\f\0]+/);
  const pairs: { num: number; at: number }[] = [];
  for (let i = 0; i + 1 < index.length && pairs.length < n; i += 2) {
    const num = Number(index[i]);
    const at = first + Number(index[i + 1]);
    if (!Number.isInteger(num) || num <= 0 || num > MAX_OBJECT_NUMBER || !Number.isInteger(at) || at < (pairs.at(-1)?.at ?? first)) break;
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
