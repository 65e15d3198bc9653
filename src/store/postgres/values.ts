// Values crossing into Postgres: vectors in pgvector's binary format, and text Postgres accepts.

/**
 * pgvector's binary input (vector_recv): int16 dimensions, int16 unused, then float4s, all big-endian. Sent
 * as a Buffer, node-postgres binds it in binary format: exact floats, a quarter of the text form's bytes.
 */
export function vectorParam(v: Float32Array): Buffer {
  const b = Buffer.allocUnsafe(4 + 4 * v.length);
  b.writeInt16BE(v.length, 0);
  b.writeInt16BE(0, 2);
  for (let i = 0; i < v.length; i++) b.writeFloatBE(v[i]!, 4 + 4 * i);
  return b;
}

/** pgvector's text output, `[0.1,-2,3e-05]`: each element is float4's shortest exact form. */
export function parseVector(text: string): Float32Array {
  const inner = text.trim().slice(1, -1);
  return inner ? Float32Array.from(inner.split(','), Number) : new Float32Array(0);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text Postgres accepts: it refuses NUL in text and jsonb, and UTF-8 has no lone surrogates. NUL becomes a
 * space rather than nothing, so the words on either side stay two words, as SQLite's FTS5 tokenizer sees them.
 */
export function pgText(s: string): string {
  return s.replace(/\u0000/g, ' ').replace(LONE_SURROGATE, '\uFFFD');
}

/** JSON for a jsonb column, every string in it made acceptable (a heading or a warning may hold NUL). */
export function pgJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? pgText(v) : v));
}
