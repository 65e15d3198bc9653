// Helpers for OOXML packages: relationship parts and target resolution.
import path from 'node:path';
import type { ZipArchive } from './zip.js';
import { attrsOf, parseOrdered, walk } from './xml.js';

export interface Rel {
  id: string;
  type: string;
  target: string;
}

// Parts of office documents are small; anything bigger than this is not a plausible XML part.
export const MAX_PART_BYTES = 64 * 1024 * 1024;

/** Reads `<dir>/_rels/<name>.rels` of a part; targets resolved to zip paths. */
export async function readRels(z: ZipArchive, part: string): Promise<Rel[]> {
  const relsPath = path.posix.join(path.posix.dirname(part), '_rels', path.posix.basename(part) + '.rels');
  if (!z.has(relsPath)) return [];
  const doc = parseOrdered(await z.readText(relsPath, MAX_PART_BYTES));
  const out: Rel[] = [];
  walk(doc, (n, tag) => {
    if (tag !== 'Relationship') return true;
    const a = attrsOf(n);
    if (a.Id && a.Target && a.TargetMode !== 'External') {
      out.push({ id: a.Id, type: a.Type ?? '', target: resolveTarget(part, a.Target) });
    }
    return false;
  });
  return out;
}

export function resolveTarget(fromPart: string, target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return path.posix.normalize(path.posix.join(path.posix.dirname(fromPart), target));
}
