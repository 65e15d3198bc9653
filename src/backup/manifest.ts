// The backup manifest: written beside each backup (<file>.manifest.json), it is what verification checks
// against and how retention recognises a backup that docproc made.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { EmbeddingIdentity } from '../contracts/identity.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { BackupVerificationError } from './errors.js';

export const MANIFEST_SUFFIX = '.manifest.json';
export const BACKUP_PREFIX = 'docproc-';

export const backupMethods = ['sqlite-vacuum-into', 'portable-sqlite', 'pg-dump'] as const;
export type BackupMethod = (typeof backupMethods)[number];

const identitySchema = z.object({ modelName: z.string(), modelSha256: z.string(), dims: z.number(), chunkTokens: z.number(), chunkOverlap: z.number() }).passthrough();

export const manifestSchema = z.object({
  format: z.literal('docproc-backup'),
  formatVersion: z.literal(1),
  docprocVersion: z.string(),
  createdAt: z.string().datetime(),
  /** The index it was taken from: a file path, or a URL without its password. */
  source: z.string(),
  store: z.enum(['sqlite', 'postgres']),
  method: z.enum(backupMethods),
  /** Postgres: the schema that was dumped (a pg_dump archive restores into that schema only). */
  pgSchema: z.string().optional(),
  /** The backup file's name, in the manifest's folder. */
  file: z.string().regex(/^docproc-[^/\\]+$/),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  schemaVersion: z.number().int().nullable(),
  identity: identitySchema.nullable(),
  roots: z.array(z.object({ path: z.string(), kind: z.enum(['file', 'folder']), inferred: z.boolean() })),
  /** Rows per table: documents, chunks, vectors, runs, roots (pg-dump: every table of the schema as well). */
  counts: z.record(z.string(), z.number().int().nonnegative()),
  documentsByStatus: z.record(z.string(), z.number().int().nonnegative()),
  /** A keyword search fixed at backup time, with how many results it gave; null for an index without chunks. */
  probe: z.object({ query: z.string(), hits: z.number().int().positive() }).nullable(),
});

/** The identity is kept whole (every field of EmbeddingIdentity); the schema checks the fields verification needs. */
export type BackupManifest = Omit<z.infer<typeof manifestSchema>, 'identity'> & { identity: EmbeddingIdentity | null };

export const manifestPathFor = (file: string): string => file + MANIFEST_SUFFIX;

export function writeManifest(file: string, m: BackupManifest): void {
  writeFileAtomic(manifestPathFor(file), JSON.stringify(manifestSchema.parse(m), null, 2) + '\n');
}

/** The manifest, or undefined when the file is not a docproc manifest (never an error: retention skips it). */
export function parseManifestFile(manifestPath: string): BackupManifest | undefined {
  try {
    const m = manifestSchema.safeParse(JSON.parse(fs.readFileSync(manifestPath, 'utf8')));
    if (!m.success) return undefined;
    // The manifest must describe the file it sits beside: a copied or renamed manifest is not recognised.
    return path.basename(manifestPath) === m.data.file + MANIFEST_SUFFIX ? (m.data as BackupManifest) : undefined;
  } catch {
    return undefined;
  }
}

/** A backup named by its file or its manifest: both paths and the parsed manifest. */
export function readBackup(arg: string): { file: string; manifestPath: string; manifest: BackupManifest } {
  const manifestPath = arg.endsWith(MANIFEST_SUFFIX) ? arg : manifestPathFor(arg);
  const file = manifestPath.slice(0, -MANIFEST_SUFFIX.length);
  if (!fs.existsSync(manifestPath)) {
    throw new BackupVerificationError(file, [`no manifest at ${manifestPath}: not a backup made by docproc backup`]);
  }
  const manifest = parseManifestFile(manifestPath);
  if (!manifest) throw new BackupVerificationError(file, [`${manifestPath} is not a valid docproc backup manifest`]);
  if (!fs.existsSync(file)) throw new BackupVerificationError(file, ['the backup file is missing']);
  return { file, manifestPath, manifest };
}

/** docproc-20250101T020000123Z.sqlite: sortable, unique per millisecond (a suffix if two collide). */
export function backupFileName(dir: string, createdAt: Date, ext: string): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  for (let i = 1; ; i++) {
    const name = `${BACKUP_PREFIX}${stamp}${i > 1 ? `-${i}` : ''}.${ext}`;
    if (!fs.existsSync(path.join(dir, name)) && !fs.existsSync(path.join(dir, name + MANIFEST_SUFFIX))) return path.join(dir, name);
  }
}
