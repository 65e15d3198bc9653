// PDF reading order: columns (two or more) read in turn, full-width lines in place, tables left as rows, running lines once;
// and the two-column fixture through the real extractor.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { onePagePdf } from '../helpers/hostile-fixtures.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropRunningLines, layoutPage, type TextRun } from '../../src/extract/pdf-layout.js';
import { joinLetterSpaced } from '../../src/extract/pdf-letter-spacing.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
after(() => closeExtractors());

const run = (str: string, x: number, y: number, width = str.length * 5, height = 10): TextRun => ({ str, x, y, width, height });
const texts = (runs: TextRun[]) => layoutPage(runs).map((l) => l.text);

/** Two 8-line columns written row by row (left line, right line), under a title and over a footer row. */
function twoColumnPage(): TextRun[] {
  const runs: TextRun[] = [run('A title that runs across both of the columns below', 50, 760, 480, 16)];
  for (let i = 0; i < 8; i++) {
    runs.push(run(`left column line ${i + 1} of the first text`, 50, 700 - i * 14, 220));
    runs.push(run(`right column line ${i + 1} of the second text`, 300, 700 - i * 14, 220));
  }
  runs.push(run('Printed by the committee', 50, 40, 120), run('Page 1', 480, 40, 30));
  return runs;
}

test('two columns written row by row are read column by column, title first, footer last', () => {
  const out = texts(twoColumnPage());
  assert.equal(out[0], 'A title that runs across both of the columns below');
  assert.deepEqual(out.slice(1, 9), Array.from({ length: 8 }, (_, i) => `left column line ${i + 1} of the first text`));
  assert.deepEqual(out.slice(9, 17), Array.from({ length: 8 }, (_, i) => `right column line ${i + 1} of the second text`));
  assert.deepEqual(out.slice(17), ['Printed by the committee', 'Page 1']);
});

/** `widths.length` columns of 8 lines each, written row by row across them, under a title spanning them all. */
function columnsPage(widths: number[], gutter = 16): TextRun[] {
  const runs: TextRun[] = [run('A newsletter title running across every column', 50, 760, 480, 16)];
  for (let i = 0; i < 8; i++) {
    let x = 50;
    widths.forEach((w, c) => {
      runs.push(run(`column ${c + 1} line ${i + 1} words words words`, x, 700 - i * 14, w));
      x += w + gutter;
    });
  }
  return runs;
}

test('three columns, and a sidebar beside two columns, are read column by column', () => {
  for (const widths of [[150, 150, 150], [100, 170, 170]]) {
    const out = texts(columnsPage(widths));
    assert.equal(out[0], 'A newsletter title running across every column');
    for (let c = 0; c < 3; c++) {
      assert.deepEqual(out.slice(1 + c * 8, 9 + c * 8), Array.from({ length: 8 }, (_, i) => `column ${c + 1} line ${i + 1} words words words`), `${widths}: ${out.join('\n')}`);
    }
  }
});

test('a full-width line between two column blocks keeps its place', () => {
  const runs = twoColumnPage().filter((r) => r.y > 100);
  runs.push(run('Table 2 caption spanning the whole width of the page here', 50, 560, 480));
  for (let i = 0; i < 6; i++) runs.push(run(`lower left ${i} words words words words`, 50, 530 - i * 14, 220), run(`lower right ${i} words words words words`, 300, 530 - i * 14, 220));
  const out = texts(runs);
  const at = (s: string) => out.findIndex((l) => l.startsWith(s));
  assert.ok(at('right column line 8') < at('Table 2 caption'), out.join('\n'));
  assert.ok(at('Table 2 caption') < at('lower left 0'), out.join('\n'));
  assert.ok(at('lower left 5') < at('lower right 0'), out.join('\n'));
});

test('a table (short cells) stays in rows; a superscript stays on its line', () => {
  const runs: TextRun[] = [];
  for (let i = 0; i < 8; i++) runs.push(run(`Route ${i}`, 50, 700 - i * 14, 40), run(`${10 + i} min`, 300, 700 - i * 14, 30));
  assert.deepEqual(texts(runs).slice(0, 2), ['Route 0 10 min', 'Route 1 11 min']);
  const sup = texts([run('is often observed in practice', 72, 151.39, 121.8, 10.91), run('2', 193.83, 155.35, 4, 7.97), run(', indicating the needs', 198.31, 151.39, 92, 10.91)]);
  assert.deepEqual(sup, ['is often observed in practice2, indicating the needs']);
});

test('a wide table of short cells stays in rows though its halves fill their sides; four narrow text columns do not', () => {
  // A price list of seven short columns (code, quantity, name, barcode; code, quantity, name), printed edge to edge.
  const runs: TextRun[] = [];
  const xs = [40, 110, 150, 230, 300, 370, 410];
  for (let i = 0; i < 12; i++) {
    const y = 700 - i * 14;
    const cells = [`30200${i}`, `${i}.5`, `item${i}`, `27005${i}`, `34001${i}`, `${i}`, `goods${i}`];
    cells.forEach((c, k) => runs.push(run(c, xs[k]!, y, c.length * 5)));
  }
  assert.deepEqual(texts(runs).slice(0, 2), ['302000 0.5 item0 270050 340010 0 goods0', '302001 1.5 item1 270051 340011 1 goods1']);
  // Four columns of running text, as far apart as the table's cells, read column by column.
  const words = 'harbour ledger vessel pilot channel breakwater winter cargo'.split(' ');
  const cols: TextRun[] = [];
  for (let i = 0; i < 12; i++) for (let k = 0; k < 4; k++) cols.push(run(`${words[(i + k) % 8]} ${words[(i + 2 * k + 1) % 8]} col${k} line${i}`, 40 + k * 140, 700 - i * 14, 120));
  const line = (i: number, k: number) => `${words[(i + k) % 8]} ${words[(i + 2 * k + 1) % 8]} col${k} line${i}`;
  assert.deepEqual(texts(cols), [0, 1, 2, 3].flatMap((k) => Array.from({ length: 12 }, (_, i) => line(i, k))));
});

test('mirrored footers (page number left on even pages, right on odd) and footers split into parts are kept once', () => {
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  const page = (n: number) => [
    { text: `Section ${names[n - 1]} opens here.` },
    { text: `Then ${names[8 - n]} follows.` },
    n % 3 === 0
      ? { text: `Page ${n}`, margin: true }
      : n % 2
        ? { text: `Publication 15 (2013) Page ${n}`, margin: true, cells: ['Publication 15 (2013)', `Page ${n}`] }
        : { text: `Page ${n} Publication 15 (2013)`, margin: true, cells: [`Page ${n}`, 'Publication 15 (2013)'] },
  ];
  const out = dropRunningLines(Array.from({ length: 8 }, (_, i) => page(i + 1)));
  assert.deepEqual(out[0], ['Section alpha opens here.', 'Then hotel follows.', 'Publication 15 (2013) Page 1']);
  for (const p of out.slice(1)) assert.equal(p.length, 2, p.join(' | '));
  // A table's header row of years heading two pages is not a page number, though each of its parts is a number
  // like the footer's: parts without a letter make nothing furniture.
  const report = (n: number) => [
    n === 2 || n === 3 ? { text: '2019 2020 2021 2022', cells: ['2019', '2020', '2021', '2022'] } : { text: `Part ${names[n - 1]}.` },
    { text: `Row ${names[n - 1]} 1 2 3 4` },
    { text: `Annual Report 2023 ${n}`, margin: true, cells: ['Annual Report 2023', String(n)] },
  ];
  const rows = dropRunningLines(Array.from({ length: 6 }, (_, i) => report(i + 1)));
  assert.deepEqual(rows.map((p) => p.length), [3, 2, 2, 2, 2, 2]);
  assert.deepEqual([rows[1]![0], rows[2]![0]], ['2019 2020 2021 2022', '2019 2020 2021 2022']);
});

test('a single column keeps the order the page was written in', () => {
  const runs = [run('First written line', 50, 600), run('Second written, placed higher', 50, 700), run('Third written line', 50, 500)];
  assert.deepEqual(texts(runs), ['First written line', 'Second written, placed higher', 'Third written line']);
});

test('a page written from its last row up is read top down; runs that stand apart are read left to right', () => {
  // A page written bottom up: a table from its last row, each row from its last cell back, then its title.
  const table = [...['Total 30', 'Pears 10', 'Apples 12', 'Fruit 2024'].flatMap((row, i) =>
    row.split(' ').reverse().map((cell, k) => run(cell, 200 - 120 * k, 500 + 14 * i))), run('Fruit sold', 80, 600)];
  assert.deepEqual(texts(table), ['Fruit sold', 'Fruit 2024', 'Apples 12', 'Pears 10', 'Total 30']);
  // A form's values written before their labels.
  const form = [run('01/27/2014', 300, 700), run('Name:', 50, 700), run('Date:', 250, 700)];
  assert.deepEqual(texts(form), ['Name: Date: 01/27/2014']);
  // Runs written over each other keep their written order (and a space where one went back).
  const over = [run('over', 50, 600, 40), run('drawn', 70, 600, 40)];
  assert.deepEqual(texts([...over].reverse()), ['drawn over']);
});

/** A paragraph at x 80 with a note ("!" as a tall icon, then a word) in the margin beside its second and third lines. */
function notedParagraph(second: string, third: string, notes: [TextRun, TextRun]): TextRun[] {
  return [
    run('If you are filing your tax return or paying your fed-', 80, 700, 230),
    notes[0],
    run(second, 80, 686, 230),
    notes[1],
    run(third, 80, 672, 230),
    run('may result in penalties and delays in processing.', 80, 658, 220),
  ];
}

test('a margin note beside a paragraph is read after the line that ends the word it split; list markers stay', () => {
  const icon = run('!', 50, 684, 8, 19);
  const noted = notedParagraph('eral taxes electronically, a valid EIN is pro-', 'vided, the return or payment will not be processed.', [icon, run('CAUTION', 40, 672, 34, 7)]);
  assert.deepEqual(texts(noted), [
    'If you are filing your tax return or paying your fed-',
    'eral taxes electronically, a valid EIN is pro-',
    'vided, the return or payment will not be processed.',
    '!',
    'CAUTION',
    'may result in penalties and delays in processing.',
  ]);
  // A note is lifted only to let a broken word join: the "!" is ("fed-" above it), CAUTION is not (the line above it
  // ends whole). A list's number and a capital after the note stay in place.
  const whole = notedParagraph('eral taxes electronically, a valid EIN is', 'the time the return is filed, or payment made.', [icon, run('CAUTION', 40, 672, 34, 7)]);
  assert.deepEqual(texts(whole).slice(1, 4), ['eral taxes electronically, a valid EIN is', '!', 'CAUTION the time the return is filed, or payment made.']);
  const listed = notedParagraph('eral taxes electronically, a valid EIN is', 'the time the return is filed, or payment made.', [run('2.', 60, 686, 8), run('3.', 60, 672, 8)]);
  assert.deepEqual(texts(listed).slice(1, 3), ['2. eral taxes electronically, a valid EIN is', '3. the time the return is filed, or payment made.']);
  const capital = notedParagraph('Eral taxes electronically, a valid EIN is', 'the time the return is filed, or payment made.', [icon, run('CAUTION', 40, 672, 34, 7)]);
  assert.equal(texts(capital)[1], '! Eral taxes electronically, a valid EIN is');
  // A first word in the text's own type, a word space (0.8 em) before where the line above starts, is no note.
  const spaced = [run('sp. and/or synthetic substances, deriva-', 104, 700, 200), run('tives,', 66, 686, 30), run('and their isomers with similar chemical', 104, 686, 200)];
  assert.deepEqual(texts(spaced), ['sp. and/or synthetic substances, deriva-', 'tives, and their isomers with similar chemical']);
});

test('margin notes in a column are lifted there, each note a line of its own, in their order', () => {
  const runs: TextRun[] = [];
  for (let i = 0; i < 8; i++) runs.push(run(`left column line ${i + 1} of the first text`, 50, 700 - i * 14, 220));
  const right = ['the right column starts here and is con-', 'tinued on this line, which breaks ex-', 'ample at its end, and the text goes on.'];
  right.forEach((l, i) => runs.push(run(l, 330, 700 - i * 14, 220)));
  for (let i = 3; i < 8; i++) runs.push(run(`right column line ${i + 1} of the second text`, 330, 700 - i * 14, 220));
  runs.push(run('TIP', 300, 686, 15, 7), run('NOTE', 296, 672, 20, 7));
  const out = texts(runs);
  assert.deepEqual(out.slice(8, 13), [...right, 'TIP', 'NOTE']);
});

test('running headers and footers are kept once; body lines that repeat are not touched', () => {
  const page = (n: number, body: string[]) => [
    { text: 'Harbour Tide Report', margin: true },
    ...body.map((text) => ({ text })),
    { text: `Page ${n} of 3`, margin: true },
  ];
  const out = dropRunningLines([page(1, ['Tides', 'Low water']), page(2, ['Low water', 'Surges']), page(3, ['Low water', 'Thanks'])]);
  assert.deepEqual(out, [
    ['Harbour Tide Report', 'Tides', 'Low water', 'Page 1 of 3'],
    ['Low water', 'Surges'],
    ['Low water', 'Thanks'],
  ]);
  // One page, or a line on fewer than half of the pages: nothing is dropped.
  assert.deepEqual(dropRunningLines([page(1, ['x'])]), [['Harbour Tide Report', 'x', 'Page 1 of 3']]);
});

test('a footer block (rule, title, page number, date) is kept once; a line inside it on fewer pages stays', () => {
  const rule = '_'.repeat(60);
  const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
  const page = (n: number) => [
    { text: `Section ${names[n - 1]} opens here.` },
    { text: n % 3 ? 'Related provisions:' : `A line only page ${n} has.` },
    { text: `More of page ${n}.` },
    // On page 7 the title above the page number differs: that page keeps it and everything above it.
    { text: rule },
    { text: n === 7 ? 'Handbook, draft' : 'Handbook for Trustees' },
    { text: `Page 1-${n}` },
    { text: 'Effective October 1, 2012' },
  ];
  const out = dropRunningLines(Array.from({ length: 10 }, (_, i) => page(i + 1)));
  assert.deepEqual(out[0], ['Section alpha opens here.', 'Related provisions:', 'More of page 1.', rule, 'Handbook for Trustees', 'Page 1-1', 'Effective October 1, 2012']);
  assert.deepEqual(out[1], ['Section bravo opens here.', 'Related provisions:', 'More of page 2.']);
  assert.deepEqual(out[6], ['Section golf opens here.', 'Related provisions:', 'More of page 7.', rule, 'Handbook, draft']);
  // The body's repeated line (on 7 of 10 pages, one place below the top) is never furniture.
  assert.equal(out.flat().filter((l) => l === 'Related provisions:').length, 7);
});

test('tide-report.pdf: columns in turn, header and footer once, page numbers once', async () => {
  const d = await extractFile(path.join(ROOT, 'fixtures/docs/tide-report.pdf'), { ...defaultExtractOptions });
  const all = d.sections.map((s) => s.text).join('\n');
  const count = (s: string) => all.split(s).length - 1;
  assert.equal(count('Harbour Tide Report - Westray Pier Trust'), 1);
  assert.equal(count('Printed for the harbour users committee'), 1);
  assert.equal(count(' of 3'), 1);
  const flat = all.replace(/\s+/g, ' ');
  assert.ok(flat.includes('lifted from the channel floor. Small boats leaving on the ebb'), 'left column read down');
  assert.ok(flat.indexOf('held by the museum.') < flat.indexOf('Neap tides leave the sand bar dry'), 'left column before the right');
  assert.deepEqual(d.sections.map((s) => s.loc.page), [1, 2, 3]);
});

test('newsletter-3col.pdf (three columns written row by row): the title, then each column whole, in turn', async () => {
  const d = await extractFile(path.join(ROOT, 'test/data/reading-order/newsletter-3col.pdf'), { ...defaultExtractOptions });
  const flat = d.sections.map((s) => s.text).join('\n').replace(/\s+/g, ' ').trim();
  const truth = readFileSync(path.join(ROOT, 'test/data/reading-order/newsletter-3col.pdf.txt'), 'utf8').trim().split('\n');
  assert.equal(flat, truth.join(' '));
});

test('form answers (placed runs) join the label they are level with, in x order; one level with nothing follows the row above it', () => {
  const written = [run('Application', 72, 700), run('Name:', 72, 650), run('Date:', 72, 620), run('1st', 150, 620), run('2nd', 300, 620), run('Signed below', 72, 560)];
  const placed = [run('Marta', 130, 651), run('3 May', 200, 621), run('9 May', 350, 621), run('Approved', 72, 590)];
  assert.deepEqual(
    layoutPage(written, placed).map((l) => l.text),
    ['Application', 'Name: Marta', 'Date: 1st 3 May 2nd 9 May', 'Approved', 'Signed below'],
  );
  assert.deepEqual(texts(written), ['Application', 'Name:', 'Date: 1st 2nd', 'Signed below']);
});

test('filled-form.pdf: field values, the chosen option and typed-on text beside their labels; password and hidden fields never read', async () => {
  const d = await extractFile(path.join(ROOT, 'test/data/forms/filled-form.pdf'), { ...defaultExtractOptions, ocr: false });
  const text = d.sections.map((s) => s.text).join('\n');
  assert.equal(
    text,
    [
      'Allotment membership application',
      'Name: Marta Kowalczyk',
      'Plot wanted: Plot 7 by the gate',
      'Password:',
      'Notes: Likes early mornings.',
      'Has own tools.',
      'Approved at the March meeting',
    ].join('\n'),
  );
  assert.doesNotMatch(text, /never-indexed/);
});

test('a page with a few characters of text keeps them when OCR of its render reads less (here: invisible text)', async () => {
  const content = 'BT /F1 24 Tf 3 Tr 72 700 Td (Figure 3) Tj ET';
  const pdf = onePagePdf(content);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'docproc-pdf-')), 'short-layer.pdf');
  writeFileSync(file, pdf);
  const d = await extractFile(file, { ...defaultExtractOptions });
  assert.equal(d.pagesOcr, 1);
  assert.deepEqual(d.sections.map((s) => s.text), ['Figure 3']);
  rmSync(path.dirname(file), { recursive: true, force: true });
});

test('letter-spaced runs are joined into words, word breaks restored; spaced-out letters, leaders and formulas stay', () => {
  // Runs as pdf.js gives them from an OCR layer that sets every glyph apart (12 pt, about half an em a letter).
  assert.equal(joinLetterSpaced('S i n g a p o r e', 57, 12), 'Singapore');
  assert.equal(joinLetterSpaced('M e t r o p o l i s T o w e r', 107, 12), 'Metropolis Tower');
  assert.equal(joinLetterSpaced('C o . , L t d .', 58, 12), 'Co., Ltd.');
  assert.equal(joinLetterSpaced('de N a v e g a c i o n', 86, 12), 'de Navegacion');
  assert.equal(joinLetterSpaced('B e l l o 2 8 6 7 ,', 72, 12), 'Bello 2867,');
  assert.equal(joinLetterSpaced('1 3 8 5 8 8', 38, 12), '138588');
  // Single digits and capitals with real spaces between them take more than 0.75 em each (12 pt Helvetica:
  // "1 2 3 4 5 6 7" 67 pt, "A B C" 31 pt); so do letters spread over a row.
  assert.equal(joinLetterSpaced('A B C', 31, 12), 'A B C');
  assert.equal(joinLetterSpaced('1 2 3 4 5 6 7', 67, 12), '1 2 3 4 5 6 7');
  // Inside a run of ordinary words, a few spaced characters are words of their own.
  assert.equal(joinLetterSpaced('see steps 1 2 3 below', 110, 12), 'see steps 1 2 3 below');
  assert.equal(joinLetterSpaced('the x y z axes', 70, 12), 'the x y z axes');
  assert.equal(joinLetterSpaced('a 5 x 5 grid', 60, 12), 'a 5 x 5 grid');
  assert.equal(joinLetterSpaced('S i n g a p o r e', 107, 12), 'S i n g a p o r e');
  // Dot leaders and formulas are not words.
  assert.equal(joinLetterSpaced('Reminders . . . . . . 2', 60, 12), 'Reminders . . . . . . 2');
  assert.equal(joinLetterSpaced('𝑛 + 1', 20, 12), '𝑛 + 1');
  assert.equal(joinLetterSpaced('P H', 18, 12), 'P H');
});

test('a heading beside lines of small type does not chain them into one line; sub- and superscripts stay on theirs', () => {
  // A 38-pt "Endnotes" level with the first two lines of 6-pt notes beside it, written in this order.
  const notes = texts([
    run('Endnotes', 34, 499.5, 158, 38),
    run('As we examined our work, we realized that it no longer', 305.5, 500.8, 215, 6),
    run('made sense to have a separate and narrower goal', 305.5, 492.8, 213, 6),
    run('that applied to only one part of our business.', 305.5, 484.8, 215, 6),
  ]);
  assert.deepEqual(notes, [
    'Endnotes',
    'As we examined our work, we realized that it no longer',
    'made sense to have a separate and narrower goal',
    'that applied to only one part of our business.',
  ]);
  // w with a subscript 1 and a superscript (i) set one above the other, at 0.7 of the line's size.
  const script = texts([run('of tokens w', 72, 400, 50, 10), run('(i)', 122, 404, 8, 7), run('1', 122, 397, 4, 7), run(', w', 131, 400, 12, 10)]);
  assert.equal(script.length, 1, script.join(' | '));
});

test('a run written back over the line before it (a hyphen drawn in afterwards) is set apart, not glued to its end', () => {
  // The line's hyphen ("mood‐altering") is drawn after the line, at its place: glued on, the line ended in a hyphen.
  const lines = texts([run('use of any mood altering drugs, prescription or', 52, 455, 230), run('‐', 110, 455, 4), run('otherwise and explore', 52, 443, 100)]);
  assert.deepEqual(lines, ['use of any mood altering drugs, prescription or ‐', 'otherwise and explore']);
  // Written in order, runs that touch or nearly touch are one word as before.
  assert.deepEqual(texts([run('Harbour', 72, 700, 35), run('master', 106.5, 700, 30)]), ['Harbourmaster']);
});

test("words of one size set at different heights (a skewed scan's OCR layer, boxes overlapping) are two words", () => {
  assert.deepEqual(texts([run('Les peuples', 50, 203.8, 50.7), run('du', 100, 206.3, 11.1), run('Cameroun', 113, 206.3, 45.6)]), ['Les peuples du Cameroun']);
});

test('a drop cap is read as the first letter of the line beside it, in either order it is written', () => {
  const cap = run('S', 144, 393.5, 19.3, 36.4);
  const body = [
    run('calable quantum computation is one goal', 165.8, 414.4, 200, 9.3),
    run('of modern physics, and trapped ions are', 165.8, 403.4, 200, 9.3),
    run('among the first platforms to perform it.', 144, 392.4, 200, 9.3),
  ];
  const want = ['Scalable quantum computation is one goal', 'of modern physics, and trapped ions are', 'among the first platforms to perform it.'];
  assert.deepEqual(texts([cap, ...body]), want);
  assert.deepEqual(texts([...body, cap]), want);
  // A one-letter line of ordinary size (a list's "A") stays as it is.
  assert.deepEqual(texts([run('A', 72, 500, 7, 10), run('brief note on moorings', 72, 486, 100, 10)]), ['A', 'brief note on moorings']);
});
