// `docproc config`: every key with its description, default, environment variable and resolved value.
import Table from 'cli-table3';
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine, tableStyle } from '../output.js';
import { describeConfig } from '../../config/schema.js';

export async function run(flags: GlobalFlags): Promise<void> {
  const { config } = createContext(flags);
  const rows = describeConfig().map((d) => ({
    ...d,
    value: (config as Record<string, unknown>)[d.key],
  }));
  if (config.json) return writeJson(rows);
  const t = new Table({ head: ['key', 'value', 'env', 'description'], style: tableStyle(), wordWrap: true, colWidths: [16, 28, 26, 50] });
  for (const r of rows) t.push([r.key, JSON.stringify(r.value) ?? '', r.env, r.description]);
  writeLine(t.toString());
}
