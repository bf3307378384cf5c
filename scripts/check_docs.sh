#!/usr/bin/env bash
# The docs match the tree: every file of src/ is in docs/internals.md's
# module map, its module graph is the one the #includes give (and has no
# cycle), and README.md links every docs/*.md page and CHANGELOG.md.
# Part of make test; needs no server.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
fail() {
    echo "check_docs: $*" >&2
    failed=1
}

# the module map: a table row per file, naming it as `src/<file>`
# (build products aside)
sources=$(find src -maxdepth 1 -type f ! -name '*.o' ! -name '*.bc' ! -name '*.so' | sort)
for f in $sources; do
    grep -q "^| \`$f\` |" docs/internals.md ||
        fail "$f is not in docs/internals.md's module map (a row \"| \`$f\` | ... |\")"
done
extra=$(grep -o '^| `src/[^`]*`' docs/internals.md | sed 's/^| `//; s/`$//' |
    while read -r f; do [ -e "$f" ] || echo "$f"; done)
[ -z "$extra" ] || fail "docs/internals.md's module map lists files not in src/:" $extra

# the module graph, between its markers
graph=$(bash scripts/module_graph.sh) || fail "the module graph of src/ has a cycle"
documented=$(sed -n '/<!-- module graph: begin -->/,/<!-- module graph: end -->/p' docs/internals.md |
    sed '1d;$d')
if [ "$graph" != "$documented" ]; then
    fail "docs/internals.md's module graph differs from the #includes of src/;" \
        "put the output of scripts/module_graph.sh between its markers"
    diff <(echo "$documented") <(echo "$graph") >&2 || true
fi

# every anomaly code (src/anomalies.h, the one list) has its row in
# docs/data-quality.md, and the page names no code that is not there
codes=$(sed -n 's/^\s*X(LC_A_[A-Z0-9_]*, "\([a-z0-9_]*\)".*/\1/p' src/anomalies.h)
[ -n "$codes" ] || fail "no anomaly codes found in src/anomalies.h"
for c in $codes; do
    grep -q "^| .*\`$c\`" docs/data-quality.md ||
        fail "anomaly code $c has no row in docs/data-quality.md"
done
for c in $(grep -o '^| `[a-z0-9_]*`\(, `[a-z0-9_]*`\)* |' docs/data-quality.md | grep -o '`[a-z_0-9]*`' | tr -d '`'); do
    case "$c" in source_table | row_key | column_name | code | message | value | users_affected) continue ;; esac
    grep -qx "$c" <<<"$codes" ||
        fail "docs/data-quality.md lists $c, which is not an anomaly code of src/anomalies.h"
done

# README links every page
for page in docs/*.md CHANGELOG.md; do
    grep -q "]($page\(#[^)]*\)\?)" README.md ||
        fail "README.md does not link $page"
done
# and pages it links to exist (a warning: some come from other branches)
grep -o '](docs/[^)#]*' README.md | sed 's/^](//' | sort -u | while read -r page; do
    [ -e "$page" ] || echo "check_docs: warning: README.md links $page, which does not exist" >&2
done

if ((failed)); then
    exit 1
fi
echo "check_docs: the module map lists all $(wc -w <<<"$sources") files of src/, the module graph" \
    "matches the #includes, docs/data-quality.md has all $(wc -w <<<"$codes") anomaly codes, README.md links $(ls docs/*.md CHANGELOG.md | wc -l) pages"
