#!/usr/bin/env bash
# Times `kvet check` on the shared corpus (and on a 20x copy of it) and, when
# they are on PATH, the peer tools on the same input in the same run.
#
#   bench/compare.sh [--install-peers] [CORPUS_DIR] [RUNS]
#
# Every tool gets the same files: the corpus's .yaml, .yml and .json files,
# listed once and passed to each tool by name (pluto, which only walks a
# directory, gets a copy holding exactly those files), and every per-file
# figure divides by that count. Before a tool is timed it is run once and
# checked: its exit status must be one the tool uses for "ran, found
# problems or none" and its output must have the tool's format (kvet's JSON
# must count every file). A tool that fails the check is reported as
# FAILED with the reason and is not timed.
#
# kvet lints every run (KVET_NO_CACHE=1), except the row that times a run
# replayed from the result cache.
#
# Prints wall time (best of RUNS), files/s, MB/s and peak RSS per tool, and
# each peer's time as a ratio of kvet's. Peers are timed with PEER_RUNS runs
# (default 1: the slow ones take a minute each). KVET_BIN uses that kvet
# binary instead of building target/release/kvet.
#
# --install-peers puts the peers that can be installed from PyPI
# (kubernetes-validate: offline schema validation with bundled schemas, the
# same job as kubeconform; yamllint: YAML syntax and duplicate keys) into
# target/bench-venv. kubeconform, kube-linter, pluto and kube-score are Go
# binaries from GitHub releases; they are timed when they are on PATH.
#
# Agreement, after the timings: the files kubernetes-validate rejects
# against kvet's schema and API findings in them, and yamllint's duplicate
# keys against kvet's `yaml-duplicate-key` findings by file, line AND column.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--install-peers" ]; then
  shift
  python3 -m venv target/bench-venv
  target/bench-venv/bin/pip install --quiet kubernetes-validate yamllint
fi
[ -d target/bench-venv/bin ] && PATH="$PATH:$PWD/target/bench-venv/bin"
corpus=${1:-../shared/corpus}
runs=${2:-5}
peer_runs=${PEER_RUNS:-1}
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }

if [ -n "${KVET_BIN:-}" ]; then
  kvet=$KVET_BIN
else
  cargo build --release --quiet
  kvet=$PWD/target/release/kvet
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Every kvet run lints: a replay from the result cache would time the
# cache. Its own row below uses a cache of its own.
export KVET_NO_CACHE=1

# The file set, once: every tool and every per-file figure uses it.
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | LC_ALL=C sort >"$tmp/files"
mapfile -t files <"$tmp/files"
n_files=${#files[@]}
n_bytes=$(tr '\n' '\0' <"$tmp/files" | du -cb --files0-from=- | tail -1 | cut -f1)
[ "$n_files" -gt 0 ] || { echo "no manifests in $corpus" >&2; exit 2; }
# The same files in a directory of their own, for a tool that only walks one.
set_dir="$tmp/set"
while IFS= read -r f; do
  mkdir -p "$set_dir/$(dirname "${f#"$corpus"/}")"
  cp "$f" "$set_dir/${f#"$corpus"/}"
done <"$tmp/files"
# The 20x copy: kvet walks it (too many names for one command line); the
# check below makes sure it counted 20 times the set.
big="$tmp/corpus-x20"
mkdir -p "$big"
for i in $(seq 1 20); do cp -r "$set_dir" "$big/copy-$i"; done

# check NAME OK_CODES SHAPE CMD...: runs CMD once, keeping its output in
# $tmp/out-NAME; succeeds when the exit status is one of OK_CODES (space
# separated) and the output passes `shape_SHAPE FILE`. Prints why not.
check() {
  local name=$1 ok=$2 shape=$3; shift 3
  local key; key=$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')
  local code=0
  "$@" >"$tmp/out-$key" 2>"$tmp/err-$key" || code=$?
  if ! [[ " $ok " == *" $code "* ]]; then
    echo "$name: FAILED (exit status $code, expected one of: $ok), not timed:"
    head -5 "$tmp/err-$key" "$tmp/out-$key" | sed 's/^/    /'
    return 1
  fi
  local why
  if ! why=$("shape_$shape" "$tmp/out-$key" 2>&1); then
    echo "$name: FAILED (output is not what it should be: $why), not timed"
    return 1
  fi
}

# Output shapes. Each prints the reason and fails when the output is wrong.
shape_kvet_json() { # kvet's JSON report, counting the whole set
  python3 - "$1" "$n_files" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
want = int(sys.argv[2])
if v["summary"]["files"] != want:
    sys.exit(f"kvet linted {v['summary']['files']} files, not {want}")
PY
}
shape_kvet_human() { # kvet's default report, whose summary counts the whole set
  python3 - "$1" "$n_files" <<'PY'
import re, sys
t = open(sys.argv[1], errors="replace").read()
m = re.search(r" in (\d+) files? \(\d+ objects?\)$", t, re.M)
if not m or int(m.group(1)) != int(sys.argv[2]):
    sys.exit(f"no summary line counting {sys.argv[2]} files")
PY
}
shape_kvet_json_x20() {
  n_files=$((n_files * 20)) shape_kvet_json "$1"
}
shape_json() { # any JSON document(s) (kubeconform, kube-linter, pluto)
  python3 - "$1" <<'PY'
import json, sys
t = open(sys.argv[1], errors="replace").read().strip()
if not t:
    sys.exit("no output")
try:
    json.loads(t)
except ValueError as e:
    sys.exit(f"not JSON ({e}): {t[:80]!r}")
PY
}
shape_lines() { # every non-empty line matches the pattern in $pattern
  python3 - "$1" "$pattern" <<'PY'
import re, sys
bad = [l for l in open(sys.argv[1], errors="replace").read().splitlines()
       if l.strip() and not re.match(sys.argv[2], l)]
if bad:
    sys.exit(f"{len(bad)} unexpected lines, first: {bad[0][:160]!r}")
PY
}

# measure NAME FILES BYTES CMD...: best wall time of $runs runs and its peak RSS.
measure() {
  local name=$1 nf=$2 nb=$3; shift 3
  local best="" rss=""
  for _ in $(seq 1 "${n_runs:-$runs}"); do
    /usr/bin/time -f "%e %M" -o "$tmp/rusage" "$@" >/dev/null 2>&1 || true
    local out t m
    out=$(tail -1 "$tmp/rusage")
    t=${out% *}; m=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  awk -v n="$name" -v t="$best" -v f="$nf" -v b="$nb" -v r="$rss" 'BEGIN{
    tt = (t > 0 ? t : 0.001);
    printf "%-34s %8.3f s %10.0f files/s %8.1f MB/s %8.1f MB RSS\n", n, t, f/tt, b/1e6/tt, r/1024 }'
  echo "$best" > "$tmp/time-$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')"
}

# tool NAME OK_CODES SHAPE CMD...: checks, then times, a tool on the set.
tool() {
  local name=$1 ok=$2 shape=$3; shift 3
  check "$name" "$ok" "$shape" "$@" || return 0
  measure "$name" "$n_files" "$n_bytes" "$@"
}

echo "corpus: $corpus ($n_files files, $((n_bytes / 1000000)) MB); best of $runs runs; $(nproc) cores"
echo
tool "kvet check (corpus)" "0" kvet_json "$kvet" check "${files[@]}" --format json --fail-on never
# The default report (what a terminal, pre-commit or a CI log shows):
# snippets for every finding, which the JSON report has none of.
tool "kvet check (corpus, default format)" "0" kvet_human "$kvet" check "${files[@]}" --fail-on never --color never
if check "kvet check (corpus x20)" "0" kvet_json_x20 "$kvet" check "$big" --format json --fail-on never; then
  measure "kvet check (corpus x20)" $((n_files * 20)) $((n_bytes * 20)) "$kvet" check "$big" --format json --fail-on never
fi
tool "kvet check --select yaml (parse only)" "0" kvet_json "$kvet" check "${files[@]}" --format json --fail-on never --select yaml
# A run again on the unchanged files, replayed from the result cache (the
# first, untimed run of `tool`'s check fills it).
KVET_NO_CACHE= tool "kvet check (replayed from the cache)" "0" kvet_json \
  "$kvet" check "${files[@]}" --format json --fail-on never --cache-dir "$tmp/cache"

base=$(cat "$tmp/time-kvet_check__corpus_" 2>/dev/null || echo 0)
# peer NAME BINARY OK_CODES SHAPE CMD...: checks and times CMD when BINARY is on PATH.
peer() {
  local name=$1 bin=$2 ok=$3 shape=$4; shift 4
  if ! command -v "$bin" >/dev/null 2>&1; then
    echo "$name: not on PATH, skipped"
    return 0
  fi
  check "$name" "$ok" "$shape" "$@" || return 0
  n_runs=$peer_runs measure "$name" "$n_files" "$n_bytes" "$@"
  local t; t=$(cat "$tmp/time-$(echo "$name" | tr -c 'A-Za-z0-9\n' '_')")
  awk -v n="$name" -v p="$t" -v k="$base" 'BEGIN{ printf "  -> %s takes %.1fx the time of kvet\n", n, p/(k>0?k:0.001) }'
}
echo
# kubeconform downloads its schemas from GitHub unless told a folder: it
# gets the same API as kvet (Kubernetes 1.37, kvet's default), written from
# ../shared/k8s-api by bench/kubeconform_schemas.py, or the folder in
# KUBECONFORM_SCHEMAS (its `vX.Y.0-standalone-strict/` layout).
kc_schemas=${KUBECONFORM_SCHEMAS:-}
if [ -z "$kc_schemas" ] && command -v kubeconform >/dev/null 2>&1; then
  kc_schemas="$tmp/kubeconform-schemas"
  python3 bench/kubeconform_schemas.py "$kc_schemas" 1.37 >/dev/null ||
    echo "kubeconform: could not write its schemas; it will try to download them"
fi
peer "kubeconform -strict" kubeconform "0 1" json \
  kubeconform -strict -summary -output json -ignore-missing-schemas \
  ${kc_schemas:+-schema-location "$kc_schemas"} -kubernetes-version 1.37.0 "${files[@]}"
peer "kube-linter lint" kube-linter "0 1" json kube-linter lint --format json "${files[@]}"
peer "pluto detect-files" pluto "0 2 3" json pluto detect-files -o json -d "$set_dir"
pattern='^(\[(CRITICAL|WARNING|OK|SKIPPED)\]|$)'
peer "kube-score score" kube-score "0 1" lines kube-score score --output-format ci "${files[@]}"
# kubernetes-validate --quiet prints only the files that fail.
pattern='^ERROR '
peer "kubernetes-validate --strict" kubernetes-validate "0 1" lines \
  kubernetes-validate --strict --quiet --no-warn "${files[@]}"
# yamllint -f parsable: file:line:column: [level] message (rule)
pattern='^.+:[0-9]+:[0-9]+: \[(error|warning)\] '
yamllint_ok=""
if command -v yamllint >/dev/null 2>&1 && check "yamllint (key-duplicates only)" "0 1" lines \
  yamllint -f parsable -d '{rules: {key-duplicates: enable}}' "${files[@]}"; then
  yamllint_ok=1
  n_runs=$peer_runs measure "yamllint (key-duplicates only)" "$n_files" "$n_bytes" \
    yamllint -f parsable -d '{rules: {key-duplicates: enable}}' "${files[@]}"
  t=$(cat "$tmp/time-yamllint__key_duplicates_only_")
  awk -v p="$t" -v k="$base" 'BEGIN{ printf "  -> yamllint (key-duplicates only) takes %.1fx the time of kvet\n", p/(k>0?k:0.001) }'
elif ! command -v yamllint >/dev/null 2>&1; then
  echo "yamllint (key-duplicates only): not on PATH, skipped"
fi

# Agreement, on the outputs of the checked runs above.
kv_out="$tmp/out-kubernetes_validate___strict"
kc_out="$tmp/out-kubeconform__strict"
yl_out=""
[ -n "$yamllint_ok" ] && yl_out="$tmp/out-yamllint__key_duplicates_only_"
[ -s "$tmp/out-kvet_check__corpus_" ] || exit 0
echo
python3 - "$tmp/out-kvet_check__corpus_" "$kv_out" "$yl_out" "$kc_out" <<'PY'
import json, os, re, sys
kvet_json, kv_out, yl_out, kc_out = sys.argv[1:5]
diags = json.load(open(kvet_json))["diagnostics"]
by_file = {}
for d in diags:
    by_file.setdefault(d["file"], []).append(d)

# kubeconform: the objects it finds invalid (or cannot read), and whether
# kvet reports a schema, API or YAML finding in their file (kubeconform
# gives a field path, not a position).
if os.path.exists(kc_out):
    try:
        kc = json.load(open(kc_out))
    except ValueError:
        kc = {}
    bad = [r for r in kc.get("resources", []) if r.get("status") in ("statusInvalid", "statusError")]
    kinds = ("schema-", "api-", "field-", "yaml-")
    missed = [r for r in bad
              if not any(d["rule"].startswith(kinds) for d in by_file.get(r["filename"], []))]
    print(f"kubeconform -strict: {len(bad)} objects invalid or unreadable; "
          f"kvet reports a schema, API or YAML finding in the file of {len(bad) - len(missed)}")
    for r in missed:
        why = (r.get("validationErrors") or [{}])[0].get("msg") or r.get("msg", "")
        print(f"  kvet silent on {r['filename']} ({r.get('kind')} {r.get('name')}): {why[:120]}")

# kubernetes-validate: the files it rejects, and whether kvet reports a
# schema, API or YAML finding in each (it gives no positions).
if kv_out and os.path.exists(kv_out):
    rejected = {}
    for line in open(kv_out, errors="replace"):
        m = re.match(r"ERROR (\S+) did not validate .*?: (.*)", line)
        if m:
            rejected.setdefault(m.group(1), m.group(2)[:120])
    kinds = ("schema-", "api-", "field-", "yaml-")
    missed = [f for f in sorted(rejected)
              if not any(d["rule"].startswith(kinds) for d in by_file.get(f, []))]
    print(f"kubernetes-validate --strict: rejects {len(rejected)} files; "
          f"kvet reports {len(rejected) - len(missed)} of them")
    for f in missed:
        print(f"  kvet silent on {f}: {rejected[f]}")

# yamllint: duplicate keys by file, line and column; syntax errors by file.
if yl_out and os.path.exists(yl_out):
    yl_dup, yl_syntax = set(), set()
    for line in open(yl_out, errors="replace"):
        m = re.match(r"(.+?):(\d+):(\d+): \[error\] (.*)", line.rstrip("\n"))
        if not m:
            continue
        f, l, c, msg = m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)
        if msg.endswith("(key-duplicates)"):
            yl_dup.add((f, l, c))
        elif msg.startswith("syntax error"):
            yl_syntax.add(f)
    kv_dup = {(d["file"], d["start"]["line"], d["start"]["column"])
              for d in diags if d["rule"] == "yaml-duplicate-key"}
    kv_syntax = {d["file"] for d in diags if d["rule"] == "yaml-syntax"}
    both = yl_dup & kv_dup
    print(f"yamllint duplicate keys: yamllint {len(yl_dup)}, kvet {len(kv_dup)}, "
          f"same file, line and column {len(both)}")
    for f, l, c in sorted(yl_dup - kv_dup):
        print(f"  yamllint only: {f}:{l}:{c}")
    for f, l, c in sorted(kv_dup - yl_dup):
        print(f"  kvet only: {f}:{l}:{c}")
    print(f"yamllint syntax errors: yamllint {len(yl_syntax)} files, kvet {len(kv_syntax)}, "
          f"both {len(yl_syntax & kv_syntax)}")
    for f in sorted(yl_syntax ^ kv_syntax):
        print(f"  only {'yamllint' if f in yl_syntax else 'kvet'}: {f}")
PY
