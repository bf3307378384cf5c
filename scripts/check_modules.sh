#!/usr/bin/env bash
# The modules of src/ and which use which (a module X uses Y when X.c or X.h
# includes Y.h), from the #include lines themselves.
#
#   bash scripts/check_modules.sh            fails if the modules use each
#                                            other in a circle
#   bash scripts/check_modules.sh --mermaid  the graph, as docs/internals.md
#                                            draws it
#   bash scripts/check_modules.sh --docs     fails if docs/internals.md does
#                                            not draw exactly that graph
set -euo pipefail
cd "$(dirname "$0")/.."

edges() {
    local f m h
    for f in src/*.c src/*.h; do
        m=$(basename "$f")
        m=${m%.*}
        sed -n 's/^#include "\([a-z_]*\)\.h".*/\1/p' "$f" | while read -r h; do
            if [ "$h" != "$m" ] && [ -e "src/$h.h" ]; then echo "$m $h"; fi
        done
    done | sort -u
}

mermaid() {
    echo "graph TD"
    edges | awk '{ printf "    %s --> %s\n", $1, $2 }'
}

case "${1:-}" in
"")
    if ! edges | tsort >/dev/null 2>"${TMPDIR:-/tmp}/tsort.$$"; then
        echo "check_modules: the modules of src/ use each other in a circle:" >&2
        cat "${TMPDIR:-/tmp}/tsort.$$" >&2
        rm -f "${TMPDIR:-/tmp}/tsort.$$"
        exit 1
    fi
    rm -f "${TMPDIR:-/tmp}/tsort.$$"
    echo "ok: $(edges | wc -l) uses between $(ls src/*.c | wc -l) modules, no circle"
    ;;
--mermaid) mermaid ;;
--docs)
    if ! diff <(mermaid | sed 1d | sed 's/^ *//' | sort) \
        <(sed -n '/^```mermaid$/,/^```$/p' docs/internals.md | grep -- '-->' | sed 's/^ *//' | sort); then
        echo "check_modules: docs/internals.md does not draw the modules' uses as src/ has them" \
            "(< src, > the docs); bash scripts/check_modules.sh --mermaid prints them" >&2
        exit 1
    fi
    echo "ok: docs/internals.md draws the modules' uses as src/ has them"
    ;;
*) echo "usage: $0 [--mermaid | --docs]" >&2; exit 2 ;;
esac
