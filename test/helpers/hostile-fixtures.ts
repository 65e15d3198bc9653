// Generates hostile (and a few good) input files at test time, so no binary fixture is committed.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { crc32, createDeflateRaw, deflateRawSync, deflateSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data?: Buffer | string;
  /** Pre-compressed deflate data with its real crc/size (for the huge entries). */
  raw?: { deflated: Buffer; crc: number; size: number };
  /** Lie in the headers about the uncompressed size. */
  declaredSize?: number;
  /** Mark the entry encrypted (general-purpose flag bit 0); its data stays as it is. */
  encrypted?: boolean;
  /** Compression method in the headers (default 8, deflate; the data is deflated whatever this says). */
  method?: number;
}

/** A minimal ZIP writer. `centralOnly` adds central-directory records that reuse earlier local entries' data. */
export function buildZip(entries: ZipEntry[], centralOnly: { name: string; sameAs: number }[] = []): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const meta: { crc: number; csize: number; usize: number; offset: number; encrypted?: boolean; method?: number }[] = [];
  let offset = 0;
  const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
  // General-purpose flags: bit 11, a name with bytes past ASCII is UTF-8 (as OPC and every modern writer mark it);
  // bit 0, encrypted.
  const header = (sig: number, m: { crc: number; csize: number; usize: number; encrypted?: boolean; method?: number }, name: Buffer) =>
    Buffer.concat([u32(sig), ...(sig === 0x02014b50 ? [u16(20)] : []), u16(20), u16((name.some((b) => b > 0x7f) ? 0x0800 : 0) | (m.encrypted ? 1 : 0)), u16(m.method ?? 8), u16(0), u16(0x21),
      u32(m.crc), u32(m.csize), u32(m.usize), u16(name.length), u16(0)]);
  const centralRecord = (name: string, m: (typeof meta)[number]) => {
    const n = Buffer.from(name);
    return Buffer.concat([header(0x02014b50, m, n), u16(0), u16(0), u16(0), u32(0), u32(m.offset), n]);
  };
  for (const e of entries) {
    const name = Buffer.from(e.name);
    let deflated: Buffer, crc: number, size: number;
    if (e.raw) ({ deflated, crc, size } = e.raw);
    else {
      const data = Buffer.from(e.data ?? '');
      deflated = deflateRawSync(data);
      crc = crc32(data);
      size = data.length;
    }
    const m = { crc, csize: deflated.length, usize: e.declaredSize ?? size, offset, encrypted: e.encrypted, method: e.method };
    const local = Buffer.concat([header(0x04034b50, m, name), name, deflated]);
    parts.push(local);
    offset += local.length;
    meta.push(m);
    central.push(centralRecord(e.name, m));
  }
  for (const c of centralOnly) central.push(centralRecord(c.name, meta[c.sameAs]!));
  const cd = Buffer.concat(central);
  const eocd = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(central.length), u16(central.length), u32(cd.length), u32(offset), u16(0)]);
  return Buffer.concat([...parts, cd, eocd]);
}

/** Raw-deflates `size` bytes of zeros by streaming (≈2 MB out for 2 GB in), with the real CRC. */
export async function deflatedZeros(size: number): Promise<{ deflated: Buffer; crc: number; size: number }> {
  const chunk = Buffer.alloc(1 << 20);
  const d = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  d.on('data', (b: Buffer) => out.push(b));
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(piece, crc);
    if (!d.write(piece)) await once(d, 'drain');
  }
  d.end();
  await once(d, 'end');
  return { deflated: Buffer.concat(out), crc, size };
}

const CT = (parts: string) => `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>${parts}</Types>`;
const REL = (type: string, target: string) => `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="${target}"/></Relationships>`;

export function docxEntries(documentXml: string | ZipEntry['raw'], declaredSize?: number): ZipEntry[] {
  const doc: ZipEntry = typeof documentXml === 'string' ? { name: 'word/document.xml', data: documentXml } : { name: 'word/document.xml', raw: documentXml };
  return [
    { name: '[Content_Types].xml', data: CT('<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>') },
    { name: '_rels/.rels', data: REL('officeDocument', 'word/document.xml') },
    { ...doc, declaredSize },
  ];
}

export const docxBody = (inner: string, prolog = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>${prolog}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${inner}</w:t></w:r></w:p></w:body></w:document>`;

export function xlsxEntries(sheetXml: string | ZipEntry['raw'], sharedStrings?: string, declaredSize?: number): ZipEntry[] {
  const sheet: ZipEntry = typeof sheetXml === 'string' ? { name: 'xl/worksheets/sheet1.xml', data: sheetXml } : { name: 'xl/worksheets/sheet1.xml', raw: sheetXml };
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: CT('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' + (sharedStrings ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : '')) },
    { name: '_rels/.rels', data: REL('officeDocument', 'xl/workbook.xml') },
    { name: 'xl/workbook.xml', data: '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>' },
    { name: 'xl/_rels/workbook.xml.rels', data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>${sharedStrings ? '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' : ''}</Relationships>` },
    { ...sheet, declaredSize },
  ];
  if (sharedStrings) entries.push({ name: 'xl/sharedStrings.xml', data: sharedStrings });
  return entries;
}

export const sheetXml = (cells: string, dim = 'A1:A1', prolog = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="${dim}"/><sheetData>${cells}</sheetData></worksheet>`;

export function pptxEntries(slideXml: string): ZipEntry[] {
  return [
    { name: '[Content_Types].xml', data: CT('<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/><Override PartName="/ppt/slides/slide1.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.slide+xml"/>') },
    { name: '_rels/.rels', data: REL('officeDocument', 'ppt/presentation.xml') },
    { name: 'ppt/presentation.xml', data: '<?xml version="1.0" encoding="UTF-8"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>' },
    { name: 'ppt/_rels/presentation.xml.rels', data: REL('slide', 'slides/slide1.xml') },
    { name: 'ppt/slides/slide1.xml', data: slideXml },
  ];
}

export const slideXml = (inner: string, prolog = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>${prolog}<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${inner}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;

/** Billion laughs: 10 levels of 10× expansion ≈ 3 GB of "lol" if an entity expander is naive. */
export function laughsDoctype(root: string): string {
  let ents = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 10; i++) ents += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  return `<!DOCTYPE ${root} [${ents}]>`;
}
export const XXE_DOCTYPE = (root: string) => `<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`;

/** A PNG whose IHDR claims `w`×`h` pixels, with a tiny valid IDAT. */
export function pngHeader(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(4096))), chunk('IEND', Buffer.alloc(0))]);
}

/** A classic-xref PDF from object bodies (object n = objs[n-1]); offsets are computed so the xref is valid. */
export function buildPdf(objs: string[]): Buffer {
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offs: number[] = [];
  objs.forEach((body, i) => { offs.push(Buffer.byteLength(out, 'latin1')); out += `${i + 1} 0 obj\n${body}\nendobj\n`; });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offs.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>';
const CONTENT = (text: string) => { const s = `BT /F1 24 Tf 72 700 Td (${text}) Tj ET`; return `<< /Length ${s.length} >>\nstream\n${s}\nendstream`; };
const FONT = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
export const pdfSelfRefPages = () => buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>', PAGE, CONTENT('Loop'), FONT]);
export const pdfHugeCount = () => buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 100000000 >>', PAGE, CONTENT('Only page'), FONT]);
/**
 * One page of 100,000 one-letter runs, all "a", each at its own place (316 by 316 on a 3200-pt page): telling text
 * drawn over itself must not compare every run with every earlier one.
 */
export function pdfManyRuns(): Buffer {
  const side = 316;
  const runs: string[] = [];
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) runs.push(`BT /F1 2 Tf ${10 + c * 10} ${10 + r * 10} Td (a) Tj ET`);
  const s = runs.join('\n');
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 3200 3200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>';
  return buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, `<< /Length ${s.length} >>\nstream\n${s}\nendstream`, FONT]);
}
/** A one-page letter PDF whose content stream is `content`, with Helvetica as /F1 and `fonts` (dictionaries) as /F2, /F3.... */
export function onePagePdf(content: string, fonts: string[] = [], extra: string[] = []): Buffer {
  const names = fonts.map((_, i) => `/F${i + 2} ${6 + i} 0 R`).join(' ');
  return buildPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R ${names} >> >> >>`,
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    FONT,
    ...fonts,
    ...extra,
  ]);
}
/**
 * A three-page PDF cut short, as an interrupted download leaves it: its pages come first, then their contents, then
 * the page tree, catalog and cross-reference table; the cut falls inside the third page's contents, so all three are
 * lost and the third page with them. Each page says "<Ordinal> page survives".
 */
export function pdfCutShort(): Buffer {
  const page = (n: number) => `<< /Type /Page /Parent 8 0 R /MediaBox [0 0 612 792] /Contents ${n + 4} 0 R /Resources << /Font << /F1 1 0 R >> >> >>`;
  const words = ['First', 'Second', 'Third'];
  const objs = [FONT, page(1), page(2), page(3), ...words.map((w) => CONTENT(`${w} page survives`)), '<< /Type /Pages /Kids [2 0 R 3 0 R 4 0 R] /Count 3 >>', '<< /Type /Catalog /Pages 8 0 R >>'];
  let out = '%PDF-1.4\n';
  objs.forEach((body, i) => { out += `${i + 1} 0 obj\n${body}\nendobj\n`; });
  return Buffer.from(out.slice(0, out.indexOf('Third page survives') + 5), 'latin1');
}
export const pdfGood = () => buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', PAGE, CONTENT('Hello from a good PDF'), FONT]);

/**
 * A page whose only content is a blank 7000 x 7000 grey image (49 megapixels in a 50 KB stream) and the word "Scan":
 * decoded and drawn whole, such an image takes pdf.js past a gigabyte.
 */
export function pdfHugeImage(): Buffer {
  const side = 7000;
  const pixels = deflateSync(Buffer.alloc(side * side, 0xff)).toString('latin1');
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>';
  const draw = 'q 612 0 0 792 0 0 cm /Im1 Do Q BT /F1 24 Tf 72 700 Td (Scan) Tj ET';
  const image = `<< /Type /XObject /Subtype /Image /Width ${side} /Height ${side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length ${pixels.length} >>\nstream\n${pixels}\nendstream`;
  return buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`, FONT, image]);
}

/** Streams a single-line text file of `bytes` bytes (no newline at all) without holding it in memory. */
export async function writeHugeLine(path: string, bytes: number): Promise<void> {
  const chunk = Buffer.from('lorem ipsum dolor sit amet '.repeat(40000));
  const ws = createWriteStream(path);
  for (let left = bytes; left > 0; left -= chunk.length) {
    if (!ws.write(left >= chunk.length ? chunk : chunk.subarray(0, left))) await once(ws, 'drain');
  }
  ws.end();
  await once(ws, 'finish');
}

export async function makeTmpDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'docproc-hostile-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export { writeFile };

/**
 * A scanned page (a grey JPEG drawn full page) under an invisible text layer (render mode 3) of punctuation soup, as a font
 * with no usable Unicode map leaves it: the text must come from OCR. With `layer` given, that layer instead.
 */
export function pdfUnreadableLayer(jpeg: Buffer, width: number, height: number, layer = '!"#$ !"%&\'!()$*$+#*\'!*,-./01&2234%5-./016'.repeat(6)): Buffer {
  return pdfScanWithText(jpeg, width, height, layer, '3 Tr', 140);
}

/**
 * A scan drawn over the page (all of it, or `drawnWidth` of its 612 points) with one visible line of text stamped across
 * its top (a court filing's header).
 */
export const pdfStampedScan = (jpeg: Buffer, width: number, height: number, stamp: string, drawnWidth = 612): Buffer =>
  pdfScanWithText(jpeg, width, height, stamp, '0 Tr', 280, drawnWidth);

/**
 * The same stamped scan, the scan wrapped in a Form XObject scaled 2× (as stamping tools wrap the page they stamp): the
 * picture is drawn at half size inside the form and fills the page.
 */
export function pdfStampedScanInForm(jpeg: Buffer, width: number, height: number, stamp: string): Buffer {
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 290] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 7 0 R >> >> >>';
  const draw = `q /Fm1 Do Q BT 0 Tr /F1 10 Tf 20 280 Td (${stamp.replace(/[\\()]/g, (c) => `\\${c}`)}) Tj ET`;
  const inner = 'q 306 0 0 145 0 0 cm /Im1 Do Q';
  const image = `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n${jpeg.toString('latin1')}\nendstream`;
  const form = `<< /Type /XObject /Subtype /Form /BBox [0 0 306 145] /Matrix [2 0 0 2 0 0] /Resources << /XObject << /Im1 6 0 R >> >> /Length ${inner.length} >>\nstream\n${inner}\nendstream`;
  return buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`, FONT, image, form]);
}

function pdfScanWithText(jpeg: Buffer, width: number, height: number, text: string, renderMode: string, y: number, drawnWidth = 612): Buffer {
  const page = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 290] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>';
  const escaped = text.replace(/[\\()]/g, (c) => `\\${c}`);
  const draw = `q ${drawnWidth} 0 0 290 0 0 cm /Im1 Do Q BT ${renderMode} /F1 10 Tf 20 ${y} Td (${escaped}) Tj ET`;
  const image = `<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length ${jpeg.length} >>\nstream\n${jpeg.toString('latin1')}\nendstream`;
  return buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>', page, `<< /Length ${draw.length} >>\nstream\n${draw}\nendstream`, FONT, image]);
}
