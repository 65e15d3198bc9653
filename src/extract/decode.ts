// Character-encoding detection and decoding for text-like formats (txt, md, csv, html, eml...).
import iconv from 'iconv-lite';
import chardet from 'chardet';

export interface Detected {
  encoding: string;
  /** Bytes of BOM to skip. */
  bomLength: number;
}

/** A Unicode form the bytes say they are in: by a byte order mark, or UTF-16/32 without one by the pattern of NULs. */
function unicodeForm(b: Buffer): Detected | undefined {
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return { encoding: 'utf-32le', bomLength: 4 };
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) return { encoding: 'utf-32be', bomLength: 4 };
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const nul = nulPattern(b);
  return nul ? { encoding: nul, bomLength: 0 } : undefined;
}

/**
 * Bytes in a Unicode form (see unicodeForm) decoded as such, anything else as `fallback`: UTF-8 for a document's XML
 * parts (XPS writes its pages in UTF-16), Latin-1 for sniffing a file's type from its head.
 */
export function decodeUnicode(b: Buffer, fallback: 'utf8' | 'latin1' = 'utf8'): string {
  const d = unicodeForm(b.subarray(0, 4096));
  return d ? iconv.decode(b.subarray(d.bomLength), d.encoding, { stripBOM: true }) : b.toString(fallback);
}

/** Detects the encoding from a sample (the file's first bytes). */
export function detectEncoding(sample: Buffer, declared?: string): Detected {
  const b = sample;
  const form = unicodeForm(b);
  if (form) return form;
  if (declared) {
    const d = normaliseName(declared);
    // A declared UTF-16 in an 8-bit-looking file is a lie (common in saved web pages).
    if (d && iconv.encodingExists(d) && !d.startsWith('utf-16') && !d.startsWith('utf-32')) {
      if (d !== 'utf-8' || isValidUtf8(b)) return { encoding: d, bomLength: 0 };
    }
  }
  if (isValidUtf8(b)) return { encoding: 'utf-8', bomLength: 0 };
  return { encoding: guess8bit(b), bomLength: 0 };
}

/** Decodes a whole buffer (for formats that are small enough to hold). */
export function decodeBuffer(buf: Buffer, declared?: string): { text: string; encoding: string } {
  const d = detectEncoding(buf.subarray(0, 256 * 1024), declared);
  return { text: iconv.decode(buf.subarray(d.bomLength), d.encoding, { stripBOM: true }), encoding: d.encoding };
}

export function getDecoder(encoding: string): { write(b: Buffer): string; end(): string | undefined } {
  return iconv.getDecoder(encoding, { stripBOM: true });
}

// UTF-16/32 without BOM: lots of NULs in a regular pattern.
export function nulPattern(b: Buffer): string | undefined {
  const n = Math.min(b.length, 4096) & ~3;
  if (n < 8) return undefined;
  const z = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (b[i] === 0) z[i % 4]!++;
  const q = n / 4;
  if (z[1]! > q * 0.9 && z[2]! > q * 0.9 && z[3]! > q * 0.9 && z[0]! < q * 0.1) return 'utf-32le';
  if (z[0]! > q * 0.9 && z[1]! > q * 0.9 && z[2]! > q * 0.9 && z[3]! < q * 0.1) return 'utf-32be';
  const odd = z[1]! + z[3]!;
  const even = z[0]! + z[2]!;
  if (odd > n * 0.3 && even < n * 0.05) return 'utf-16le';
  if (even > n * 0.3 && odd < n * 0.05) return 'utf-16be';
  return undefined;
}

/** Strict UTF-8 validation; a multi-byte sequence cut off at the end of the sample is tolerated. */
export function isValidUtf8(b: Buffer): boolean {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    let len: number;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) len = 3;
    else if (c >= 0xf0 && c <= 0xf4) len = 4;
    else return false;
    if (i + len > n) return n - i < 4 && n >= 4096; // truncated sample tail
    for (let k = 1; k < len; k++) if ((b[i + k]! & 0xc0) !== 0x80) return false;
    i += len;
  }
  return true;
}

function guess8bit(b: Buffer): string {
  if (looksCp866(b)) return 'cp866';
  let g: string | null = null;
  try {
    g = chardet.detect(b);
  } catch {
    g = null;
  }
  const name = g ? normaliseName(g) : undefined;
  // Latin-1 is a subset of Windows-1252 in practice (0x80-0x9F are never C1 controls in real text).
  if (!name || name === 'iso-8859-1' || name === 'utf-8' || name === 'ascii' || !iconv.encodingExists(name)) return 'windows-1252';
  return name;
}

/**
 * Russian text from DOS (code page 866), which chardet does not know: it took a poem for Greek (windows-1253) at 16%
 * confidence. Decoded as CP866, nine in ten of its non-ASCII bytes must be Cyrillic letters, in words of Cyrillic
 * alone (Latin-1 French decodes its é, è and à as Cyrillic too, but inside Latin words: "cafщ"), and Russian's ten
 * commonest letters must be at least 40% of them (they are 60-65% of Russian; Windows-1251 Russian read as CP866 is
 * Cyrillic too, but its commonest letters come out as others: "о" as "ю", "е" as "х").
 */
function looksCp866(b: Buffer): boolean {
  let high = 0;
  let control = 0;
  for (const x of b) {
    if (x >= 0x80) high++;
    else if (x < 0x09 || (x > 0x0d && x < 0x20)) control++;
  }
  // Binary data is not text in any code page.
  if (high < 16 || control > b.length / 100) return false;
  const text = iconv.decode(b, 'cp866');
  const letters = text.match(/\p{Script=Cyrillic}/gu)?.length ?? 0;
  if (letters < 0.9 * high || (text.match(/[оеаинтсрвлОЕАИНТСРВЛ]/gu)?.length ?? 0) < 0.4 * letters) return false;
  let cyrillic = 0;
  let mixed = 0;
  for (const w of text.match(/\p{L}+/gu) ?? []) {
    if (!/\p{Script=Cyrillic}/u.test(w)) continue;
    cyrillic++;
    if (/\p{Script=Latin}/u.test(w)) mixed++;
  }
  return mixed <= 0.05 * cyrillic;
}

function normaliseName(n: string): string | undefined {
  const s = n.trim().toLowerCase().replace(/^["']|["']$/g, '');
  if (!s) return undefined;
  if (s === 'utf8') return 'utf-8';
  if (s === 'latin1' || s === 'iso-8859-1' || s === 'us-ascii' || s === 'ascii') return 'windows-1252';
  return s;
}
