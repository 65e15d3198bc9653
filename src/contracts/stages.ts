// The contracts between pipeline stages (extract, chunk, embed, store). Imports no implementation.

/** Where a piece of text sits inside its document. */
export interface Loc {
  page?: number;
  sheet?: string;
  slide?: number;
  heading?: string;
  /** 1-based line or row number where that is the natural address (CSV rows, text lines). */
  line?: number;
}

/** A file found by discovery, before it is read. */
export interface SourceFile {
  absPath: string;
  /** Path relative to the indexed root, with forward slashes. */
  relPath: string;
  root: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface Section {
  text: string;
  loc: Loc;
}

/** What an extractor returns: text sections with locations, never a crash for bad input. */
export interface ExtractedDoc {
  /** Detected type, e.g. "pdf", "docx", "txt". */
  type: string;
  sections: Section[];
  warnings: string[];
  pages?: number;
  pagesOcr?: number;
}

export interface Chunk {
  seq: number;
  text: string;
  tokens: number;
  loc: Loc;
  /** sha256 hex of the chunk text: the key of the embedding cache. */
  sha256: string;
}

export type EmbedKind = 'query' | 'passage';

/** A tokenizer as the chunker needs it: counts include the model's special tokens. */
export interface TokenCounter {
  /** Tokens the text takes once encoded, special tokens included. */
  countTokens(text: string): number;
  /** Max tokens per sequence the model accepts, special tokens included. */
  maxTokens: number;
}

/** A model implements one method; batching, caching and storage live elsewhere. */
export interface Embedder extends TokenCounter {
  /** Identity of the model file: its sha256. */
  modelSha256: string;
  modelName: string;
  dims: number;
  /** Where the model runs ('cpu' or 'cuda'); absent for stand-ins. */
  readonly device?: string;
  embed(texts: string[], kind: EmbedKind): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export type FileStatus =
  | 'indexed'
  | 'unchanged'
  | 'updated'
  | 'skipped'
  | 'empty'
  | 'failed'
  | 'quarantined'
  | 'removed';

export interface FileResult {
  path: string;
  status: FileStatus;
  reason?: string;
  chunks?: number;
  type?: string;
  warnings?: string[];
  pagesOcr?: number;
}
