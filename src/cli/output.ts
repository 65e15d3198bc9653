// The only writer of stdout: results as text, JSON or NDJSON.
export function writeJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function writeNdjson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export function writeLine(text = ''): void {
  process.stdout.write(text + '\n');
}

/** Paths are shown relative to the working directory when they are inside it. */
export function displayPath(abs: string, cwd = process.cwd()): string {
  if (abs.startsWith(cwd + '/')) return abs.slice(cwd.length + 1);
  return abs;
}

/** cli-table3 colours its borders and headers by default: keep them for terminals, plain text for pipes. */
export function tableStyle(): { head: string[]; border: string[] } | undefined {
  return process.stdout.isTTY ? undefined : { head: [], border: [] };
}
