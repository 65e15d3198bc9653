// XML hardening: DOCTYPE stripping keeps documents intact, stays linear on hostile input, and entities stay inert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { allText, parseOrdered, stripDoctype } from '../../src/extract/xml.js';

const WORKER = fileURLToPath(new URL('../helpers/strip-doctype-worker.js', import.meta.url));
// The old regex took minutes on these; a linear pass takes milliseconds. The bound only has to tell the two apart.
const GIVE_UP_MS = 5000;

/** stripDoctype on each input in a worker, abandoned after GIVE_UP_MS (a stuck regex can't be interrupted here). */
function stripInWorker(inputs: string[]): Promise<{ out: string[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: inputs });
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`stripDoctype did not finish ${inputs.map((s) => s.length).join(' + ')} chars within ${GIVE_UP_MS} ms`));
    }, GIVE_UP_MS);
    w.once('message', (m: { out: string[]; ms: number }) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

test('stripDoctype removes DOCTYPEs with internal subsets, quoted ] and > and comments, and nothing else', () => {
  assert.equal(stripDoctype('<?xml version="1.0"?><!DOCTYPE html><html/>'), '<?xml version="1.0"?><html/>');
  assert.equal(stripDoctype('<!DOCTYPE r [<!ENTITY a "x]>y"><!ENTITY b \'q>\'>]><r/>'), '<r/>');
  assert.equal(stripDoctype('<!doctype r SYSTEM "a>b" ><r>t</r>'), '<r>t</r>');
  assert.equal(stripDoctype('<!DOCTYPE x [ <!-- ]> --> <?pi ]> ?> ]  ><b/>'), '<b/>');
  assert.equal(stripDoctype('<a>1</a><!DOCTYPE a><!DOCTYPE b [ ]><c>2</c>'), '<a>1</a><c>2</c>');
  assert.equal(stripDoctype('no doctype <!-- here --> <![CDATA[ [ ]]>'), 'no doctype <!-- here --> <![CDATA[ [ ]]>');
  // An unclosed DOCTYPE runs to the end of the text: nothing after it is markup.
  assert.equal(stripDoctype('<r/><!DOCTYPE open [ <!ENTITY e "v"> <b/>'), '<r/>');
});

test('stripDoctype is linear on 700 KB+ of unclosed DOCTYPEs, long whitespace and stray brackets', async () => {
  const inputs = [
    '<r>kept</r>' + '<!DOCTYPE a ['.repeat(60_000), // 780 KB: each unclosed subset used to rescan to the end
    '<r>kept</r><!DOCTYPE' + ' '.repeat(700_000) + 'x', // 700 KB of whitespace the regex backtracked over
    '<!DOCTYPE a [' + ']'.repeat(350_000) + '<!DOCTYPE b ['.repeat(30_000), // closes early, then 390 KB unclosed
    '<!'.repeat(400_000) + '<r>tail</r>',
  ];
  const { out } = await stripInWorker(inputs);
  assert.deepEqual(out.slice(0, 3), ['<r>kept</r>', '<r>kept</r>', '']);
  assert.equal(out[3], inputs[3]);
  // The same holds through the parser: an unclosed DOCTYPE leaves no entity definitions and no runaway text.
  assert.equal(allText(parseOrdered(inputs[0]!)), 'kept');
});

test('entities declared in a DOCTYPE are never expanded', () => {
  let ents = '<!ENTITY lol0 "lol">';
  for (let i = 1; i <= 10; i++) ents += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
  const t = allText(parseOrdered(`<?xml version="1.0"?><!DOCTYPE r [${ents}<!ENTITY x SYSTEM "file:///etc/passwd">]><r>a &lol10; &x; b</r>`));
  assert.equal(t, 'a &lol10; &x; b');
});
