#!/bin/sh
# Ground truth for the shared corpus's page images, taken from the text layer of the PDFs they were rendered from
# (poppler's pdftotext). Written outside the repo: the corpus's text is not ours to commit.
# usage: scripts/ocr-bench/corpus-truth.sh <corpus-dir> <out-dir>; then bench:ocr -- <corpus-dir> --truth-dir <out-dir>
set -eu
corpus=$1
out=$2
mkdir -p "$out/images"
pdftotext -f 1 -l 1 "$corpus/pdf/layout-parser-paper-fast.pdf" "$out/images/layout-parser-paper-fast.tiff.txt"
pdftotext -f 6 -l 6 "$corpus/pdf/DA-619p.pdf" "$out/images/DA-1p.jpg.txt"
echo "truth for images/layout-parser-paper-fast.tiff and images/DA-1p.jpg written to $out"
