// Registry of extractors by detected type: formats register themselves here, index.ts looks them up.
import type { Extractor } from './types.js';

const registry = new Map<string, Extractor>();

export function register(types: string[], ex: Extractor): void {
  for (const t of types) registry.set(t, ex);
}

export function getExtractor(type: string): Extractor | undefined {
  return registry.get(type);
}

export function registeredTypes(): string[] {
  return [...registry.keys()];
}
