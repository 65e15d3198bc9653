// A download progress line on stderr, only on a TTY.
import type { DownloadProgress } from '../embed/index.js';

export function downloadProgress(): { onProgress: (e: DownloadProgress) => void; done: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = 0;
  return {
    onProgress: (e) => {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const mb = (n: number): string => (n / 1048576).toFixed(1);
      const pct = e.totalBytes ? ` ${Math.floor((e.receivedBytes / e.totalBytes) * 100)}%` : '';
      process.stderr.write(`\r\x1b[Kdownloading model from ${e.source}: ${mb(e.receivedBytes)}${e.totalBytes ? '/' + mb(e.totalBytes) : ''} MB${pct}`);
    },
    done: () => process.stderr.write('\r\x1b[K'),
  };
}
