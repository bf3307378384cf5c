#!/usr/bin/env bash
# The picture of the report page in docs/ (shown by the README): the top of
# the sample's page, as headless Chromium draws it, in 64 colours (the octree keeps the bars' exact colours).
#   make report && bash scripts/report_png.sh [out/report.html] [docs/report.png]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
page=${1:-out/report.html} png=${2:-docs/report.png}
page_screenshot "$page" "$png" 1000x920
/usr/bin/python3 -c '
import sys
from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(64, method=Image.Quantize.FASTOCTREE).save(sys.argv[1], optimize=True)' "$png"
echo "$png: $(($(stat -c %s "$png") / 1024)) KB"
