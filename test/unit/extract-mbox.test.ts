// mbox mailboxes: split at their "From " lines (not at a body's "From here on", nor an escaped ">From"), each message
// read as an EML file is, with its attachments under its subject; told from text by their first lines.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { splitMbox } from '../../src/extract/formats/mbox.js';
import { extractFile, detectType, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import { tempDir } from '../helpers/temp.js';

after(() => closeExtractors());
const TMP = tempDir('docproc-mbox-');
const opts = { ...defaultExtractOptions, ocr: false };
const file = (name: string, text: string) => {
  const p = path.join(TMP, name);
  writeFileSync(p, text);
  return p;
};

const MAILBOX = [
  'From harbourmaster@example.org Mon Jun  1 09:00:00 2026',
  'From: Harbour Master <harbourmaster@example.org>',
  'To: crew@example.org',
  'Subject: Winter timetable',
  'Date: Mon, 1 Jun 2026 09:00:00 +0000',
  '',
  'The first boat leaves the island at 06:40.',
  'From here on the evening ferry stops at the north pier.',
  '',
  '>From the quay, passengers board by the east ramp.',
  '',
  'From crew@example.org Tue Jun  2 10:30:00 2026',
  'From: Crew <crew@example.org>',
  `Subject: =?UTF-8?B?${Buffer.from('Minutes — safety').toString('base64')}?=`,
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Minutes attached.',
  '--b1',
  'Content-Type: text/plain; name="drill.txt"',
  'Content-Disposition: attachment; filename="drill.txt"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('Lifeboat drill every Tuesday at noon.\n').toString('base64'),
  '--b1--',
  '',
  'From MAILER-DAEMON Wed Jun  3 08:00:00 2026',
  '',
  'A message with no headers at all.',
  '',
].join('\n');

test('an mbox splits at its separator lines only, and unescapes ">From"', () => {
  const messages = splitMbox(Buffer.from(MAILBOX));
  assert.equal(messages.length, 3);
  assert.deepEqual(messages.map((m) => m.line), [1, 12, 30]);
  const first = messages[0]!.raw.toString();
  assert.match(first, /^From: Harbour Master/);
  assert.match(first, /\nFrom here on the evening ferry/);
  assert.match(first, /\nFrom the quay, passengers/);
  // Not a mailbox: one message, the whole text.
  assert.equal(splitMbox(Buffer.from('Subject: x\n\nbody\n')).length, 1);
});

test('each message is read like an e-mail: headers, body, attachments under its subject, at the line it starts on', async () => {
  const d = await extractFile(file('crew.mbox', MAILBOX), opts);
  assert.equal(d.type, 'mbox');
  const at = (re: RegExp) => d.sections.find((s) => re.test(s.text));
  assert.deepEqual(at(/first boat leaves the island/)?.loc, { heading: 'Winter timetable', line: 1 });
  assert.match(at(/first boat/)!.text, /From the quay, passengers board/);
  assert.deepEqual(at(/Minutes attached/)?.loc, { heading: 'Minutes — safety', line: 12 });
  assert.equal(at(/Lifeboat drill every Tuesday/)?.loc.heading, 'Minutes — safety › drill.txt');
  assert.deepEqual(at(/no headers at all/)?.loc, { heading: 'Message 3', line: 30 });
});

test('a mailbox without an extension is told by its first lines; text that opens "From ..." is not', async () => {
  assert.equal((await detectType(file('Inbox', MAILBOX))).type, 'mbox');
  assert.equal((await detectType(file('notes', 'From Monday 3 June 2026 the ferry runs hourly.\nBring a ticket.\n'))).type, 'txt');
});

test('a body line "From 2019 to 2024…" after a blank line is text; a dated separator with headers splits without one; CR-only files split', () => {
  const box = [
    'From a@example.org Mon Jun  1 09:00:00 2026', 'Subject: Growth', '', 'Our traffic:', '', 'From 2019 to 2024 we grew.', '',
    'Thanks.', 'From b@example.org Tue Jun  2 09:00:00 2026', 'Subject: Next', '', 'Second body.', '',
  ].join('\n');
  const messages = splitMbox(Buffer.from(box)).map((m) => m.raw.toString());
  assert.equal(messages.length, 2);
  assert.match(messages[0]!, /From 2019 to 2024 we grew\.\n\nThanks\.\n$/);
  assert.match(messages[1]!, /^Subject: Next/);
  assert.equal(splitMbox(Buffer.from(box.replace(/\n/g, '\r'))).length, 2);
});

test('an .eml saved with blank lines before its headers keeps them', async () => {
  const d = await extractFile(file('lead.eml', '\r\n\r\nFrom: a@example.org\r\nSubject: Hello\r\nContent-Type: text/plain\r\n\r\nBody here\r\n'), opts);
  assert.deepEqual(d.sections.map((s) => [s.loc.heading, s.text.trim()]), [['Hello', 'From: a@example.org\nSubject: Hello'], ['Hello', 'Body here']]);
});
