// Walks the roots: recursive, skips hidden files, .git and node_modules and --ignore globs, never leaves a root.
import fs from 'node:fs';
import path from 'node:path';
import type { SourceFile } from './types.js';
import { compileGlobs } from './glob.js';

export const DEFAULT_IGNORES = ['.git', 'node_modules', '.*'];

export interface DiscoverOptions {
  ignore: string[];
  followSymlinks: boolean;
  /** Files the index itself writes (the database, its WAL) are never ingested. */
  exclude?: string[];
}

export interface Discovered {
  root: string;
  /** A single file was named: nothing under its folder may be pruned. */
  singleFile: boolean;
  files: SourceFile[];
  /** Paths skipped on the way, with reasons: reported, never silent. */
  skipped: { path: string; root: string; relPath: string; reason: string }[];
}

export function discover(rootArg: string, opts: DiscoverOptions): Discovered {
  const root = path.resolve(rootArg);
  const out: Discovered = { root, singleFile: false, files: [], skipped: [] };
  const hidden = compileGlobs(DEFAULT_IGNORES);
  // The user's own ignore rules are reported (skipped: ignored); hidden files and .git/node_modules are not.
  const ignored = compileGlobs([...opts.ignore, ...readIgnoreFile(root)]);
  const excluded = new Set((opts.exclude ?? []).map((p) => path.resolve(p)));
  const realRoot = fs.realpathSync(root);
  const st = fs.statSync(root);
  if (st.isFile()) {
    // A single file: its root is its folder, so relPath is its name.
    const dir = path.dirname(root);
    out.root = dir;
    out.singleFile = true;
    out.files.push(toSource(root, dir, st));
    return out;
  }
  const seenDirs = new Set<string>();
  const walk = (dir: string): void => {
    let entries: Entry[];
    try {
      // Buffer names: decoded as UTF-8 by Node, a Latin-1 `caf\xE9.txt` becomes `caf\uFFFD.txt`, which no stat
      // can find, and the file vanished without a word. We decode ourselves and report what we can't.
      entries = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' }).map(decodeEntry);
    } catch (err) {
      const rel = path.relative(root, dir).split(path.sep).join('/');
      out.skipped.push({ path: dir, root, relPath: rel, reason: `unreadable-directory: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { dirent: e, name, valid } of entries) {
      const abs = path.join(dir, name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (hidden(rel) || excluded.has(abs)) continue;
      if (ignored(rel)) {
        out.skipped.push({ path: abs, root, relPath: rel, reason: 'ignored' });
        continue;
      }
      if (!valid) {
        // Paths are strings from here to the index, so such a file can't be read or stored. It is reported (and so
        // never pruned); a folder is reported once and not entered, since every path below it is just as undecodable.
        if (e.isSymbolicLink() && !opts.followSymlinks) continue;
        out.skipped.push({ path: abs, root, relPath: rel, reason: 'invalid-filename-encoding' });
        continue;
      }
      let target: fs.Stats;
      if (e.isSymbolicLink()) {
        if (!opts.followSymlinks) continue;
        try {
          const real = fs.realpathSync(abs);
          if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
            out.skipped.push({ path: abs, root, relPath: rel, reason: 'symlink-outside-root' });
            continue;
          }
          target = fs.statSync(abs);
          if (target.isDirectory() && seenDirs.has(real)) continue; // a link cycle
        } catch {
          out.skipped.push({ path: abs, root, relPath: rel, reason: 'broken-symlink' });
          continue;
        }
      } else {
        try {
          target = fs.statSync(abs);
        } catch {
          continue; // vanished between readdir and stat
        }
      }
      if (target.isDirectory()) {
        const real = fs.realpathSync(abs);
        if (seenDirs.has(real)) continue; // already walked through a link: one path per file
        seenDirs.add(real);
        walk(abs);
      } else if (target.isFile()) out.files.push(toSource(abs, root, target, rel));
      // A FIFO would block the reader forever and a device never ends: never opened, but said, as every skip is.
      else out.skipped.push({ path: abs, root, relPath: rel, reason: 'not-a-regular-file' });
    }
  };
  seenDirs.add(realRoot);
  walk(root);
  return out;
}

interface Entry {
  dirent: fs.Dirent<Buffer>;
  /** The name as text; where the bytes are not UTF-8, a display form with the bad bytes escaped (`caf\xE9.txt`). */
  name: string;
  valid: boolean;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeEntry(dirent: fs.Dirent<Buffer>): Entry {
  try {
    return { dirent, name: strictUtf8.decode(dirent.name), valid: true };
  } catch {
    return { dirent, name: escapeInvalidUtf8(dirent.name), valid: false };
  }
}

/** Valid UTF-8 sequences as text, every other byte as `\xHH`: readable, and it says which byte is wrong. */
function escapeInvalidUtf8(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    let n = 0;
    for (let len = 1; len <= 4 && i + len <= bytes.length && !n; len++) {
      try {
        strictUtf8.decode(bytes.subarray(i, i + len));
        n = len;
      } catch {
        // not a complete sequence yet: try one byte more
      }
    }
    if (n) out += bytes.toString('utf8', i, i + n);
    else out += `\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
    i += n || 1;
  }
  return out;
}

function toSource(abs: string, root: string, st: fs.Stats, rel?: string): SourceFile {
  return {
    absPath: abs,
    root,
    relPath: rel ?? path.relative(root, abs).split(path.sep).join('/'),
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
  };
}

/** A `.docprocignore` in a root holds more ignore globs, one per line, `#` comments: like .gitignore, simpler. */
export const IGNORE_FILE = '.docprocignore';

function readIgnoreFile(root: string): string[] {
  try {
    return fs
      .readFileSync(path.join(root, IGNORE_FILE), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
  } catch {
    return [];
  }
}
