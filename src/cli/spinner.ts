// A progress spinner on stderr, only when stderr is a TTY; otherwise nothing.
import ora, { type Ora } from 'ora';

export interface Spinner {
  update(text: string): void;
  clear(): void;
  stop(): void;
}

export function startSpinner(text: string): Spinner | null {
  if (!process.stderr.isTTY) return null;
  const s: Ora = ora({ text, stream: process.stderr }).start();
  return {
    update: (t) => {
      s.text = t;
    },
    clear: () => s.clear(),
    stop: () => s.stop(),
  };
}
