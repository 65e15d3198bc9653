// EPUB: zip (bomb-safe) -> container.xml -> OPF spine -> XHTML chapters through the HTML walker.
import { register } from '../registry.js';
import { withZip } from '../zip.js';
import { MAX_PART_BYTES, resolveTarget } from '../ooxml.js';
import { attrsOf, parseOrdered, walk } from '../xml.js';
import { htmlToSections } from '../htmltext.js';
import { FileError } from '../../errors.js';
import type { Section } from '../types.js';

register(['epub'], {
  version: '3',
  async extract(ctx) {
    return withZip(ctx, async (z) => {
      if (!z.has('META-INF/container.xml')) throw new FileError('failed', 'corrupt', 'epub without META-INF/container.xml');
      let opf: string | undefined;
      walk(parseOrdered(await z.readText('META-INF/container.xml', MAX_PART_BYTES)), (n, tag) => {
        if (tag === 'rootfile' && !opf) opf = attrsOf(n)['full-path'];
        return !opf;
      });
      if (!opf || !z.has(opf)) throw new FileError('failed', 'corrupt', 'epub: no OPF package document');
      const manifest = new Map<string, string>();
      const spine: string[] = [];
      walk(parseOrdered(await z.readText(opf, MAX_PART_BYTES)), (n, tag) => {
        const a = attrsOf(n);
        if (tag?.endsWith('item') && !tag.endsWith('itemref') && a.id && a.href) manifest.set(a.id, resolveTarget(opf!, decodeURIComponent(a.href)));
        if (tag?.endsWith('itemref') && a.idref && a.linear !== 'no') spine.push(a.idref);
        return true;
      });
      const sections: Section[] = [];
      for (const id of spine) {
        if (ctx.budget.exhausted) break;
        const part = manifest.get(id);
        if (!part || !z.has(part)) {
          ctx.warnings.push(`epub: spine item ${id} missing`);
          continue;
        }
        const { sections: secs } = htmlToSections(await z.readText(part, MAX_PART_BYTES));
        for (const s of secs) sections.push({ text: ctx.budget.take(s.text), loc: s.loc });
      }
      return { sections };
    });
  },
});
