// A stand-in ExtractPool child for tests: its behaviour is picked by the file name it is asked to extract.
import { basename } from 'node:path';
import { FileError } from '../../src/errors.js';
import { errorToReply, startParentWatchdog, type ChildReply, type ChildRequest } from '../../src/extract/child-protocol.js';
import type { ExtractedDoc } from '../../src/pipeline/types.js';

const hold: Buffer[] = [];

async function run(absPath: string): Promise<ExtractedDoc> {
  const name = basename(absPath).replace(/\..*$/, '');
  switch (name) {
    case 'hang':
      return new Promise<never>(() => setInterval(() => {}, 1000));
    case 'spin':
      for (;;) {} // a synchronous infinite loop: no event, timer or message gets through
    case 'buffer-bomb':
      // ArrayBuffer memory lives outside the V8 heap, so only the RSS poller can stop this.
      for (;;) {
        hold.push(Buffer.alloc(32 * 1024 * 1024, 1));
        await new Promise((r) => setTimeout(r, 5));
      }
    case 'heap-bomb': {
      const arr: string[][] = [];
      for (;;) arr.push(Array.from({ length: 100_000 }, (_, i) => `x${i}${arr.length}`));
    }
    case 'segv':
      process.kill(process.pid, 'SIGSEGV');
      return new Promise<never>(() => {});
    case 'exit':
      process.exit(3);
    case 'fileerror':
      throw new FileError('skipped', 'unsupported-type', 'application/x-foo');
    case 'throw':
      throw new Error('boom');
    case 'slow':
      await new Promise((r) => setTimeout(r, 300));
      break;
  }
  return { type: 'txt', sections: [{ text: `${name} pid=${process.pid}`, loc: {} }], warnings: [] };
}

const send = process.send?.bind(process);
if (send) {
  process.on('disconnect', () => process.exit(0));
  startParentWatchdog();
  process.on('message', (req: ChildRequest) => {
    run(req.absPath).then(
      (doc): ChildReply => ({ id: req.id, ok: true, doc }),
      (err) => errorToReply(req.id, err),
    ).then((r) => send(r));
  });
}
