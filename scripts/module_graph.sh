#!/usr/bin/env bash
# The module dependency graph of src/, from the #include lines, as a Mermaid
# block for docs/internals.md.  A module is a .c file and its .h; it depends
# on every module whose header its .c or .h includes.  compat (included by
# most) is listed, not drawn.  Fails when the graph has a cycle.
#
#   bash scripts/module_graph.sh     prints the block (paste it between the
#                                    markers of docs/internals.md)
set -euo pipefail
cd "$(dirname "$0")/.."

edges=$(for f in src/*.c src/*.h; do
    m=$(basename "${f%.*}")
    sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f" | while read -r h; do
        if [ -f "src/$h.h" ] && [ "$h" != "$m" ]; then
            echo "$m $h"
        fi
    done
done | sort -u)

# tsort fails on a cycle, and names its modules
if ! tsort <<<"$edges" >/dev/null 2>&1; then
    echo "module_graph: the #include graph of src/ has a cycle:" >&2
    tsort <<<"$edges" 2>&1 >/dev/null | sed 's/^/  /' >&2 || true
    exit 1
fi

echo '```mermaid'
echo 'flowchart TD'
awk '$2 != "compat" { printf "    %s --> %s\n", $1, $2 }' <<<"$edges"
echo '```'
printf '\n`compat` (version differences) is included by: %s.\n' \
    "$(awk '$2 == "compat" { print $1 }' <<<"$edges" | paste -sd, - | sed 's/,/, /g')"
