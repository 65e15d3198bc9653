// Zip archives: each member is read by its own format's extractor, as a message's attachment is (in the same child
// process, under the same size cap, allowed types, character budget and nesting depth), one member at a time, in the
// archive's order; a member's sections are headed by its path in the archive. Folders, hidden files and macOS resource
// forks (__MACOSX/) are passed over, as the directory walk passes over hidden files.
import { register } from '../registry.js';
import { withZip, type ZipArchive } from '../zip.js';
import { extractAttachments, MAX_ATTACHMENT_DEPTH, MAX_ATTACHMENTS, type Attachment } from '../attachments.js';
import { FileError } from '../../errors.js';
import type { ExtractContext, Section } from '../types.js';

// Unreadable members named one by one in the warnings, at most; the rest are counted.
const MAX_NAMED_UNREAD = 20;

register(['zip'], {
  version: '1',
  async extract(ctx) {
    return withZip(ctx, async (z) => {
      const names = z.names().filter(isDocument);
      async function* members(): AsyncGenerator<Attachment> {
        for (const name of names) yield await member(z, name, ctx.opts.maxFileBytes);
      }
      return { sections: await readMembers(ctx, members(), names.length) };
    });
  },
});

/**
 * Reads an archive's members one at a time, each as an attachment, until the character budget or the attachment cap
 * is reached; then one warning says what was left (`count` members in all, where the archive knows it).
 */
export async function readMembers(ctx: ExtractContext, members: AsyncIterable<Attachment> | Iterable<Attachment>, count?: number): Promise<Section[]> {
  const sections: Section[] = [];
  if ((ctx.depth ?? 0) + 1 > MAX_ATTACHMENT_DEPTH) {
    // Nothing in it would be read: say so once, before a member is inflated.
    ctx.warnings.push(`${ctx.type}: members not read: nested deeper than ${MAX_ATTACHMENT_DEPTH} levels`);
    return sections;
  }
  let i = 0;
  let unread = 0;
  for await (const m of members) {
    // One line for what is left, not a warning a member: an archive may hold thousands.
    const over = ctx.budget.exhausted ? 'the character budget is spent' : (ctx.attachmentsRead ?? 0) >= MAX_ATTACHMENTS ? `${MAX_ATTACHMENTS} members were read` : undefined;
    if (over) {
      const left = count === undefined ? 'further members' : `${count - i} more member${count - i > 1 ? 's' : ''}`;
      ctx.warnings.push(`${ctx.type}: ${left} not read: ${over}`);
      break;
    }
    i++;
    // Members that cannot be read (encrypted, too large, empty) are warnings, the first few by name, then one count.
    if ((m.unreadable || !m.bytes.length) && ++unread > MAX_NAMED_UNREAD) continue;
    sections.push(...(await extractAttachments(ctx, [m])));
  }
  if (unread > MAX_NAMED_UNREAD) ctx.warnings.push(`${ctx.type}: ${unread - MAX_NAMED_UNREAD} more members not read (encrypted, empty or over the size cap)`);
  return sections;
}

/** A member worth reading: not a folder, a hidden file (any part of its path), or a macOS resource fork. */
export function isDocument(name: string): boolean {
  if (name.endsWith('/')) return false;
  const parts = name.split('/');
  return parts[0] !== '__MACOSX' && !parts.some((p) => p.startsWith('.'));
}

/**
 * A member's bytes, inflated under the archive's caps (one that lies about its size fails the archive, as a bomb); a
 * member that is empty, over the size cap, encrypted, or cannot be inflated (a method yauzl lacks, a short entry) is
 * listed with the reason, and nothing more is read of it.
 */
async function member(z: ZipArchive, name: string, maxBytes: number): Promise<Attachment> {
  const none = Buffer.alloc(0);
  try {
    const declared = z.declaredSize(name);
    if (declared === 0) return { name, bytes: none };
    if (declared > maxBytes) return { name, bytes: none, unreadable: `skipped: size: ${declared} bytes > ${maxBytes}` };
    return { name, bytes: await z.read(name, maxBytes) };
  } catch (e) {
    if (!(e instanceof FileError) || e.reason === 'zip-bomb') throw e;
    return { name, bytes: none, unreadable: e.reason === 'encrypted' ? 'encrypted: password-protected zip entry' : `${e.status}: ${e.message}` };
  }
}
