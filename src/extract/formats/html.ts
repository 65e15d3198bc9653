// HTML files: charset from BOM / <meta> / sniffing, then the shared HTML-to-sections walker.
import { readFile } from 'node:fs/promises';
import { register } from '../registry.js';
import { decodeBuffer } from '../decode.js';
import { htmlToSections, sniffHtmlCharset } from '../htmltext.js';

register(['html'], {
  version: '3',
  async extract(ctx) {
    const buf = await readFile(ctx.absPath);
    const { text, encoding } = decodeBuffer(buf, sniffHtmlCharset(buf) ?? undefined);
    if (encoding !== 'utf-8') ctx.warnings.push(`encoding: ${encoding}`);
    const { sections, title } = htmlToSections(text);
    // The <title> is often the best summary of a page; keep it when the body doesn't repeat it.
    if (title && !sections.some((s) => s.text.includes(title))) sections.unshift({ text: title, loc: {} });
    return { sections };
  },
});
