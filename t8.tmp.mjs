const { createContext } = await import('./dist/src/cli/context.js');
const { config, log } = createContext({ quiet: true }, {});
const { openEmbedder } = await import('./dist/src/pipeline/resources.js');
await import('onnxruntime-node');
const t = performance.now();
const e = await openEmbedder(config, log); const t1 = performance.now();
await e.embed(['hello world'], 'query');
console.log('openEmbedder', (t1 - t).toFixed(0), 'first embed', (performance.now() - t1).toFixed(0));
await e.close();
