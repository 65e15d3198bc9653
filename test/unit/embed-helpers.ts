// Shared helpers for the embed tests: a local HTTP server, a closed port, temp homes, option sets.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir as tempDirRemovedAtExit } from '../helpers/temp.js';
import { defaultModelOptions, type ModelOptions } from '../../src/embed/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = join(REPO_ROOT, 'test', 'data', 'embed');

export interface TestServer {
  url: string;
  hits: string[];
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return addr.port;
}

export function tempDir(prefix = 'docproc-embed-'): string {
  return tempDirRemovedAtExit(prefix);
}

/** Options that can only reach what the test names: no ~/.m2, closed defaults. */
export function testOptions(o: Partial<ModelOptions> & { home: string }): ModelOptions {
  return defaultModelOptions({ m2Home: join(o.home, 'no-m2'), mavenRepos: [], connectTimeoutMs: 1000, device: 'cpu', threads: 1, ...o });
}
