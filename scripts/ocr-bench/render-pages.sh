#!/bin/sh
# Page images of text PDFs, as a scanner or a "print to image" would make them, with the text layer as ground truth:
# each page at 150 and 300 dpi (grey PNG, resolution declared) and at 200 dpi as a JPEG of quality 35. Unlike the
# generated condition pages these carry real layouts: contents pages with dot leaders, forms, columns, tables.
# Written outside the repo when the PDFs are not ours to commit.
# usage: scripts/ocr-bench/render-pages.sh <out-dir> <pdf>:<page> [<pdf>:<page> ...]
#        then bench:ocr -- <out-dir> --truth-dir <out-dir>/t
set -eu
out=$1
shift
mkdir -p "$out/t"
for spec in "$@"; do
  pdf=${spec%:*}
  page=${spec##*:}
  name=$(basename "$pdf" .pdf)-p$page
  for dpi in 150 300; do
    pdftoppm -q -gray -r "$dpi" -f "$page" -l "$page" -singlefile -png "$pdf" "$out/$name-$dpi"
    pdftotext -q -f "$page" -l "$page" "$pdf" "$out/t/$name-$dpi.png.txt"
  done
  pdftoppm -q -gray -r 200 -f "$page" -l "$page" -singlefile -jpeg -jpegopt quality=35 "$pdf" "$out/$name-200q35"
  pdftotext -q -f "$page" -l "$page" "$pdf" "$out/t/$name-200q35.jpg.txt"
done
echo "$# pages rendered to $out (truth in $out/t)"
