// Text encodings: Unicode forms by their marks or their NULs, a declared charset, UTF-8, and 8-bit code pages guessed
// from the bytes, DOS Russian (CP866) among them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { decodeBuffer, detectEncoding } from '../../src/extract/decode.js';

const RUSSIAN = 'Паром отходит от пристани в девять часов утра, а последний рейс возвращается на остров в шесть вечера. ' +
  'Билеты продаются в кассе у причала; детям до семи лет проезд бесплатный.\n';
const FRENCH = 'Le café du port ouvre à sept heures. Voilà le garçon: il a déjà préparé la crème brûlée, très appréciée en été.\n';

test('Unicode forms are told by their byte order marks, or by the pattern of their NULs', () => {
  assert.deepEqual(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), { encoding: 'utf-8', bomLength: 3 });
  assert.deepEqual(detectEncoding(Buffer.from([0xff, 0xfe, 0x41, 0])), { encoding: 'utf-16le', bomLength: 2 });
  assert.equal(detectEncoding(iconv.encode('Ferry timetable, summer', 'utf-16le')).encoding, 'utf-16le');
  assert.equal(detectEncoding(iconv.encode('Ferry timetable, summer', 'utf-16be')).encoding, 'utf-16be');
});

test('a declared charset is taken unless the bytes contradict it', () => {
  assert.equal(detectEncoding(Buffer.from('plain'), 'ISO-8859-2').encoding, 'iso-8859-2');
  // Declared UTF-8 that is not: guessed instead.
  assert.notEqual(detectEncoding(iconv.encode(FRENCH, 'latin1'), 'utf-8').encoding, 'utf-8');
  assert.equal(detectEncoding(Buffer.from(RUSSIAN)).encoding, 'utf-8');
});

test('8-bit Russian is read in its own code page, DOS CP866 included; Latin-1 French stays Windows-1252', () => {
  for (const cp of ['cp866', 'windows-1251', 'koi8-r']) {
    const { text, encoding } = decodeBuffer(iconv.encode(RUSSIAN.repeat(3), cp));
    assert.equal(text, RUSSIAN.repeat(3), `${cp} read as ${encoding}`);
  }
  assert.equal(decodeBuffer(iconv.encode(FRENCH.repeat(3), 'latin1')).text, FRENCH.repeat(3));
  // A few accented letters are no evidence of Russian.
  assert.equal(decodeBuffer(iconv.encode('Résumé of the café menu', 'latin1')).encoding, 'windows-1252');
});
