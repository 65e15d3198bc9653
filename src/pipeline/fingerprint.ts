// The pipeline fingerprint: what produced a document's chunks. A change means the document is rebuilt.
import { createHash } from 'node:crypto';
import fs from 'node:fs';

export interface PipelineIdentity {
  modelSha256: string;
  chunkTokens: number;
  chunkOverlap: number;
  extractorVersions: Record<string, string>;
  /** Extraction settings that change what a file yields (size cap, OCR, page and character caps, types). */
  extractSettings: string;
}

export function documentFingerprint(id: PipelineIdentity, type: string | null | undefined): string {
  const extractor = type ? (id.extractorVersions[type] ?? 'none') : 'none';
  return createHash('sha256')
    .update(JSON.stringify([id.modelSha256, id.chunkTokens, id.chunkOverlap, type ?? '', extractor, id.extractSettings]))
    .digest('hex')
    .slice(0, 16);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
