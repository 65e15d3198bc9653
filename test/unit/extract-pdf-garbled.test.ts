// Unreadable text layers (fonts with no usable Unicode map): detected, read by OCR where OCR reads better.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unreadableReason } from '../../src/extract/pdf-garbled.js';
import { extractFile, defaultExtractOptions, closeExtractors } from '../../src/extract/index.js';
import * as F from '../helpers/hostile-fixtures.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const JPEG = readFileSync(path.join(ROOT, 'fixtures/docs/garden-rules.jpg'));
const dir = tempDir();
after(() => closeExtractors());

test('unreadable layers: punctuation soup, one letter per glyph, meaningless code points, scripts mixed within words', () => {
  assert.equal(unreadableReason(`!"#$ !"%&'!()$*$+#*'!*,-./01&2234%5-./01620#7*!*8(9%!*:8; (($<=* !"#$ !"5`), 'mostly punctuation');
  assert.equal(unreadableReason('aaaa aaaaaaa (a) aaa. '.repeat(20)), 'a handful of letters for every glyph');
  assert.equal(unreadableReason('\uE001\uE002\uE003 Report '.repeat(10)), 'characters with no meaning');
  assert.equal(unreadableReason('ʮ׆ɹƯǠōŎqN ɘĖׇǠЯŹUN ƹWƏl ѝʘNЈͮՒΨŰlŹŶזRƢƣϷǋȾ ŏƪƫ '.repeat(3)), 'letters of several scripts in one word');
});

/** Text set in a subset whose codes are 29 below the letters' (as a French magazine's was): "Acte" reads "$FWH". */
const shifted = (s: string) => [...s].map((c) => (/[A-Za-z]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 29) : c)).join('').replace(/ /g, '');

test('a layer whose codes are shifted, half of the page, spells no language; consonant-heavy languages and DNA do', () => {
  const french = ['Venu au cinema par le documentaire, Manoel de Oliveira', "s'est tres vite interesse aux textes litteraires pour edifier son oeuvre",
    'entre theatre et cinema. Dans cette exploration des territoires de la fiction', 'la singularite du maitre portugais traversera ainsi le siecle entier'];
  const readable = ["a lui seul un condense de toute l'histoire du cinema.", "A l'origine, Oliveira voulait etre ecrivain. Proche dans les annees 1920 de la revue",
    'Presenca et du mouvement litteraire, il developpera une longue amitie avec Jose Regio.'];
  const page = [...french.map(shifted), ...readable].join('\n');
  assert.match(page, /^9HQXDXFLQHPD/);
  assert.equal(unreadableReason(page), 'letters that spell no language');
  assert.equal(unreadableReason([...french, ...readable].join('\n')), undefined);
  const welsh = ["Mae Cymru yn wlad sy'n rhan o'r Deyrnas Unedig ac ynys Prydain.", "Mae'n ffinio â Lloegr i'r dwyrain, Môr Hafren a Môr Iwerddon i'r de.",
    'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch', "Mae gan y wlad boblogaeth o dros dair miliwn o bobl, ac mae'r Gymraeg yn iaith swyddogol."];
  const czech = ['Strč prst skrz krk a vlk zmrzl v mlhách, když šel přes vrch.', 'Čeština je západoslovanský jazyk, nejbližší slovenštině, poté polštině.',
    'Patří mezi slovanské jazyky, do rodiny jazyků indoevropských, jako polština a srbština.', 'Praha je hlavní a zároveň největší město České republiky.'];
  const primers = ['Primers Sequences', 'HPRT F ATGCTGAGGATTTGGAAAGGCAGAGG R CTACAATGTGATGGCCTCCCATCTC', 'GAPDH F TGCACCACCAACTGCTTAGC R GGCATGGACTGTGGTCATGAG',
    'ACTB F CATGTACGTTGCTATCCAGGC R CTCCTTAATGTCACGCACGAT', 'TNF F CCTCTCTCTAATCAGCCCTCTG R GAGGACCTGGGAGTAGATGAG', 'IL6 F TAGTCCTTCCTACCCCAATTTCC R TTGGTCCTTAGCCACTCCTTC'];
  for (const t of [welsh, czech, primers]) {
    assert.ok(t.join('').replace(/[^\p{L}]/gu, '').length >= 200, `${t[0]}: a page's worth of letters`);
    assert.equal(unreadableReason(t.join('\n')), undefined, t[0]);
  }
});

test('readable text is left alone: prose, tables of figures, contents pages with dot leaders, code, other scripts', () => {
  const readable = [
    'The harbour master keeps a ledger of every vessel that enters after dark, with its tonnage and pilot.',
    '2019 1,204.50 3.2% 2020 1,388.10 4.1% 2021 1,402.75 0.9% 2022 1,511.00 7.7% 2023 1,620.35 7.2%',
    'Contents 1 Introduction . . . . . . . . . . 3 2 Methods . . . . . . . . . . 7 3 Results ........ 12',
    'for (let i = 0; i < n; i++) { total += rows[i].amount * rate; } return { total, count: n };',
    'Первый паром отходит в 7:15, последний — в 19:40. 商品编码 数量 商品名称 華聯綠豆 散稱華聯',
    'Azərbaycan dili türk dilləri ailəsinin oğuz qrupuna daxil olan bir dildir və rəsmi dövlət dilidir.',
    'Short',
  ];
  for (const t of readable) assert.equal(unreadableReason(t), undefined, t);
});

test('pdf: a scan under an unreadable text layer is read by OCR, with a warning', async () => {
  const file = path.join(dir, 'unreadable-layer.pdf');
  writeFileSync(file, F.pdfUnreadableLayer(JPEG, 1100, 520));
  const d = await extractFile(file, defaultExtractOptions);
  assert.equal(d.pagesOcr, 1);
  assert.match(d.sections.map((s) => s.text).join('\n'), /Community Garden Rules/);
  assert.deepEqual(d.warnings, ['page 1: text layer unreadable (mostly punctuation); read by OCR']);
  const off = await extractFile(file, { ...defaultExtractOptions, ocr: false });
  assert.deepEqual(off.warnings, ['page 1: text layer unreadable (mostly punctuation); OCR disabled']);
});

test('pdf: a layer of one letter per glyph that OCR cannot better is kept', async () => {
  // Twenty lines of "a" set in Helvetica: what the page shows is what the layer says, and OCR finds no more.
  const lines = Array.from({ length: 20 }, () => "(a a a aa aaa a a aa a aaaa) '").join(' ');
  const content = `BT /F1 10 Tf 12 TL 20 270 Td ${lines} ET`;
  const file = path.join(dir, 'letters-layer.pdf');
  writeFileSync(file, F.buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 290] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']));
  const d = await extractFile(file, defaultExtractOptions);
  assert.match(d.sections[0]!.text, /^a a a aa aaa a a aa a aaaa\n/);
  assert.deepEqual(d.warnings, ['page 1: text layer unreadable (a handful of letters for every glyph); OCR read no better, the layer is kept']);
});
