// Attachments of messages (.eml parts, .msg attachments): each is detected and read by its own format's extractor,
// inside the parent's child process and under the parent's limits (size cap, allowed types, character budget, depth).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileError } from '../errors.js';
import { detectType } from './detect.js';
import { getExtractor } from './registry.js';
import { msg } from './zip.js';
import type { ExtractContext, Section } from './types.js';

/** A message inside a message inside ... : deeper than this is listed, not read. */
export const MAX_ATTACHMENT_DEPTH = 5;
/** Attachments read per top-level document, all levels together. */
export const MAX_ATTACHMENTS = 100;

export interface Attachment {
  name: string;
  bytes: Buffer;
  /** Why it cannot be read, when its container already knows (reported as the warning). */
  unreadable?: string;
}

/** Names the attachment in its sections' loc.heading ("name › inner heading"). */
export function underAttachment(name: string, sections: Section[]): Section[] {
  const heading = (h?: string) => (h && h !== name ? `${name} › ${h}` : name);
  return sections.map((s) => ({ text: s.text, loc: { ...s.loc, heading: heading(s.loc.heading) } }));
}

/** Reads each attachment; a bad one becomes a warning on the parent, never the parent's failure. */
export async function extractAttachments(ctx: ExtractContext, attachments: Attachment[]): Promise<Section[]> {
  const out: Section[] = [];
  if (!attachments.length) return out;
  const depth = (ctx.depth ?? 0) + 1;
  const dir = await mkdtemp(path.join(tmpdir(), 'docproc-attachment-'));
  try {
    for (const [i, a] of attachments.entries()) {
      ctx.opts.signal?.throwIfAborted();
      const skip = whySkip(ctx, a, depth);
      if (skip) {
        ctx.warnings.push(`attachment ${a.name}: ${skip}`);
        continue;
      }
      ctx.attachmentsRead = (ctx.attachmentsRead ?? 0) + 1;
      // The extension is kept: detection uses it to tell text sub-types (csv, md, eml) apart.
      const file = path.join(dir, `${i}${safeExt(a.name)}`);
      await writeFile(file, a.bytes);
      // Read from the file from here on: held while an archive inside it is read, a member's bytes piled up level by
      // level (about 30 MB more a level for a 30 MB member).
      const size = a.bytes.length;
      a.bytes = Buffer.alloc(0);
      try {
        out.push(...underAttachment(a.name, await extractOne(ctx, file, a.name, size, depth)));
      } catch (e) {
        if (ctx.opts.signal?.aborted) throw e;
        ctx.warnings.push(`attachment ${a.name}: ${e instanceof FileError ? `${e.status}: ${e.message}` : `failed: ${msg(e)}`}`);
      } finally {
        await rm(file, { force: true });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

function whySkip(ctx: ExtractContext, a: Attachment, depth: number): string | undefined {
  if (a.unreadable) return a.unreadable;
  if (ctx.budget.exhausted) return 'not read: the character budget is spent';
  if (depth > MAX_ATTACHMENT_DEPTH) return `not read: nested deeper than ${MAX_ATTACHMENT_DEPTH} levels`;
  if ((ctx.attachmentsRead ?? 0) >= MAX_ATTACHMENTS) return `not read: more than ${MAX_ATTACHMENTS} attachments`;
  if (a.bytes.length > ctx.opts.maxFileBytes) return `skipped: size: ${a.bytes.length} bytes > ${ctx.opts.maxFileBytes}`;
  if (a.bytes.length === 0) return 'empty';
  return undefined;
}

async function extractOne(ctx: ExtractContext, file: string, name: string, size: number, depth: number): Promise<Section[]> {
  const det = await detectType(file);
  const ex = getExtractor(det.type);
  if (!ex) throw new FileError('skipped', 'type', `unsupported type ${det.type}`);
  if (!ctx.opts.allowedTypes.includes(det.type)) throw new FileError('skipped', 'type', `type ${det.type} not allowed`);
  const warnings: string[] = [];
  const sub: ExtractContext = { ...ctx, absPath: file, type: det.type, size, warnings, depth };
  try {
    return (await ex.extract(sub)).sections;
  } catch (e) {
    if (e instanceof FileError || ctx.opts.signal?.aborted) throw e;
    throw new FileError('failed', 'corrupt', `${det.type}: ${msg(e)}`);
  } finally {
    ctx.attachmentsRead = sub.attachmentsRead;
    for (const w of warnings) ctx.warnings.push(`attachment ${name}: ${w}`);
  }
}

function safeExt(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '';
}
