// Durable file replacement: write a temp file beside the target, fsync it, rename it over, fsync the folder.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A rename is durable only once its folder is synced; some systems refuse to open a folder for that. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort: not every OS or file system allows fsync on a directory
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A temp name in the target's folder (same file system, so rename is atomic) that no glob for the target's
 * extension matches: node_exporter reads only *.prom, retention only manifests.
 */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Readers see the old content or the new, never a part: temp file, fsync, rename, fsync of the folder. */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempNameFor(file);
  try {
    fs.writeFileSync(tmp, content);
    fsyncFile(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(path.dirname(path.resolve(file)));
}
