// Image dimensions from headers only (PNG, JPEG, GIF, BMP, WebP), so oversized images are refused before decoding.

export interface Size {
  width: number;
  height: number;
}

export function imageSize(b: Buffer): Size | undefined {
  try {
    if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
    if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
    if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
      const hdr = b.readUInt32LE(14);
      if (hdr === 12) return { width: b.readUInt16LE(18), height: b.readUInt16LE(20) };
      return { width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
    }
    if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return webpSize(b);
    if (b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  } catch {
    return undefined;
  }
  return undefined;
}

function webpSize(b: Buffer): Size | undefined {
  const kind = b.toString('latin1', 12, 16);
  if (kind === 'VP8X') return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (kind === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (kind === 'VP8 ') return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
  return undefined;
}

// Walks JPEG segments to the first SOFn marker (baseline, progressive, lossless...).
function jpegSize(b: Buffer): Size | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const m = b[i + 1]!;
    if (m === 0xff) {
      i++;
      continue;
    }
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return undefined;
}

/**
 * The resolution an image declares (PNG pHYs, JPEG JFIF or EXIF, BMP), in dots per inch; undefined when it says
 * none or an implausible one. Tesseract tunes line and noise removal by resolution and misjudges it when guessing.
 */
export function imageDpi(b: Buffer): number | undefined {
  try {
    let dpi: number | undefined;
    if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) dpi = pngDpi(b);
    else if (b[0] === 0xff && b[1] === 0xd8) dpi = jpegDpi(b);
    else if (b.length >= 46 && b[0] === 0x42 && b[1] === 0x4d && b.readUInt32LE(14) >= 40) dpi = b.readInt32LE(38) * 0.0254;
    return dpi !== undefined && dpi >= 50 && dpi <= 2400 ? Math.round(dpi) : undefined;
  } catch {
    return undefined;
  }
}

function pngDpi(b: Buffer): number | undefined {
  for (let i = 8; i + 12 <= b.length; ) {
    const len = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    if (type === 'pHYs' && len >= 9) return b[i + 16] === 1 ? b.readUInt32BE(i + 8) * 0.0254 : undefined;
    if (type === 'IDAT' || type === 'IEND') return undefined;
    i += 12 + len;
  }
  return undefined;
}

// JFIF's APP0 density, else EXIF's XResolution (IFD0 tag 0x011a with unit 0x0128).
function jpegDpi(b: Buffer): number | undefined {
  for (let i = 2; i + 4 < b.length && b[i] === 0xff; ) {
    const m = b[i + 1]!;
    if (m === 0xda || m === 0xd9) return undefined;
    const len = b.readUInt16BE(i + 2);
    const seg = b.subarray(i + 4, i + 2 + len);
    if (m === 0xe0 && seg.toString('latin1', 0, 5) === 'JFIF\0' && seg.length >= 12) {
      const units = seg[7];
      const x = seg.readUInt16BE(8);
      if (units === 1) return x;
      if (units === 2) return x * 2.54;
    }
    if (m === 0xe1 && seg.toString('latin1', 0, 6) === 'Exif\0\0') return exifDpi(seg.subarray(6));
    i += 2 + len;
  }
  return undefined;
}

function exifDpi(t: Buffer): number | undefined {
  const le = t.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
  const u32 = (o: number) => (le ? t.readUInt32LE(o) : t.readUInt32BE(o));
  const ifd = u32(4);
  let res: number | undefined;
  let unit = 2;
  for (let k = 0, n = u16(ifd); k < n; k++) {
    const e = ifd + 2 + k * 12;
    const tag = u16(e);
    if (tag === 0x011a) {
      const at = u32(e + 8);
      res = u32(at) / (u32(at + 4) || 1);
    } else if (tag === 0x0128) unit = u16(e + 8);
  }
  if (res === undefined) return undefined;
  return unit === 3 ? res * 2.54 : unit === 2 ? res : undefined;
}
