// docproc's own version, read once from package.json: manifests, /readyz and docproc_build_info report it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** package.json sits above src/ (ts) and dist/src/ (built): the first one found upwards is ours. */
export function docprocVersion(): string {
  if (cached) return cached;
  for (let d = path.dirname(fileURLToPath(import.meta.url)); d !== path.dirname(d); d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'docproc' && pkg.version) return (cached = pkg.version);
  }
  return (cached = '0.0.0-unknown');
}
