// Entry of an ExtractPool child process: runs extractFile for each IPC request and replies with the doc or the error.
import type { ChildRequest, ChildReply } from './child-protocol.js';
import { errorToReply, startParentWatchdog } from './child-protocol.js';

type Extractors = typeof import('./index.js');

let extractors: Promise<Extractors> | undefined;

async function handle(req: ChildRequest): Promise<ChildReply> {
  try {
    // Loaded lazily so the IPC listener exists before the heavy imports (pdfjs, tesseract) run.
    extractors ??= import('./index.js');
    const { extractFile } = await extractors;
    const doc = await extractFile(req.absPath, req.opts);
    return { id: req.id, ok: true, doc };
  } catch (err) {
    return errorToReply(req.id, err);
  }
}

function main(): void {
  const send = process.send?.bind(process);
  if (!send) return; // not started by ExtractPool (e.g. picked up by a test runner glob): nothing to do
  process.on('disconnect', () => process.exit(0)); // parent died or closed the channel
  // Ctrl-C reaches the whole process group. The parent decides: it lets files in flight finish within its stop
  // grace period, then kills us with SIGKILL; the watchdog ends us if the parent itself dies.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  startParentWatchdog();
  // pdf.js, reading a damaged file, can leave a second copy of an error it also throws to its caller unhandled, at
  // times after the file's reply was sent: Node's default would end this process, failing the file as crashed or, later,
  // the next file. The first copy has already been reported as that file's error.
  process.on('unhandledRejection', () => undefined);
  let chain = Promise.resolve();
  // The listener below exists first; the extractors then load while the pool is still starting up.
  extractors ??= import('./index.js');
  extractors.catch(() => undefined); // a failed import is reported by the first request
  process.on('message', (req: ChildRequest) => {
    // One file at a time: the pool sends the next only after a reply, but serialise anyway.
    chain = chain.then(async () => {
      const reply = { ...(await handle(req)), rssMB: process.memoryUsage.rss() / 1048576 };
      try {
        send(reply);
      } catch (err) {
        // A doc that can't be serialised must still produce a reply, or the pool would wait for the timeout.
        send(errorToReply(req.id, err));
      }
    });
  });
}

main();
