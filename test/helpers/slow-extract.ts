// Preloaded into the CLI (NODE_OPTIONS=--import) by the stop tests: inside an extraction child, it swaps the
// extractors for slow-extractors.js, whose `hang*` files never finish. Everywhere else it does nothing.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const CHILD = /[/\\]src[/\\]extract[/\\]child\.js$/;

if (isMainThread && CHILD.test(process.argv[1] ?? '')) register(import.meta.url);

/** Module hook (runs on the loader thread): child.js's `./index.js` becomes the slow stand-in. */
export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: (s: string, c: unknown) => Promise<{ url: string }>,
): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === './index.js' && context.parentURL && CHILD.test(new URL(context.parentURL).pathname)) {
    return { url: new URL('./slow-extractors.js', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
