// `docproc models info [name]`: the resolved model's details (fetching it if needed).
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { resolveModel } from '../../embed/index.js';
import { modelOptionsFromConfig } from '../../pipeline/resources.js';

export async function run(name: string | undefined, flags: GlobalFlags & { model?: string; modelDir?: string }): Promise<void> {
  const { config, log } = createContext(flags, { model: name ?? flags.model, modelDir: flags.modelDir });
  const info = await resolveModel(await modelOptionsFromConfig(config, log));
  if (config.json) return writeJson(info);
  for (const [k, v] of Object.entries(info)) if (v !== undefined) writeLine(`${k.padEnd(14)} ${String(v)}`);
}
