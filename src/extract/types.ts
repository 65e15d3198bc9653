// Internal extractor contract: what every src/extract/formats/* module implements.
import type { ExtractedDoc, Section } from '../contracts/stages.js';
import type { CharBudget } from './normalize.js';
import type { ExtractOptions } from './options.js';

export interface ExtractContext {
  absPath: string;
  type: string;
  size: number;
  opts: ExtractOptions;
  /** Warnings collected for the ExtractedDoc (no console output in library code). */
  warnings: string[];
  budget: CharBudget;
  /** How deep inside attachments this file is (0: the file itself). */
  depth?: number;
  /** Attachments read so far for the top-level file, all levels together. */
  attachmentsRead?: number;
}

export interface ExtractResult {
  sections: Section[];
  pages?: number;
  pagesOcr?: number;
}

export interface Extractor {
  /** Bump when this extractor's output changes: it is part of the pipeline fingerprint. */
  version: string;
  extract(ctx: ExtractContext): Promise<ExtractResult>;
}

export type { ExtractedDoc, Section };
