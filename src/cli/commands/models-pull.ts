// `docproc models pull [name]`: fetch a model ahead of time (Docker images, air-gapped hosts, CI caches).
import { createContext, type GlobalFlags } from '../context.js';
import { writeJson, writeLine } from '../output.js';
import { pullModel } from '../../embed/index.js';
import { extractOptionsForRun, modelOptionsFromConfig } from '../../pipeline/resources.js';
import { downloadProgress } from '../download-progress.js';

export async function run(name: string | undefined, flags: GlobalFlags & { model?: string; modelDir?: string }): Promise<void> {
  const { config, log } = createContext(flags, { model: name ?? flags.model, modelDir: flags.modelDir });
  const progress = config.json || config.quiet ? undefined : downloadProgress();
  try {
    const info = await pullModel(await modelOptionsFromConfig(config, log, progress?.onProgress));
    // The OCR model a run would fetch comes too, so a host provisioned here never needs the network.
    const ocrModelDir = (await extractOptionsForRun(config, log)).ocrDataDir;
    if (config.json) return writeJson({ ...info, ...(ocrModelDir ? { ocrModelDir } : {}) });
    writeLine(`${info.name}: ${info.path} (sha256 ${info.sha256}, ${(info.sizeBytes / 1048576).toFixed(1)} MB, from ${info.source})`);
    if (ocrModelDir) writeLine(`OCR (English, fast): ${ocrModelDir}`);
  } finally {
    progress?.done();
  }
}
