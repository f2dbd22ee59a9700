#!/usr/bin/env bash
# Times `kvet check` on the shared corpus (and on a 20x copy of it) and, when
# they are on PATH, the peer tools on the same input in the same run.
#
#   bench/compare.sh [--install-peers] [CORPUS_DIR] [RUNS]
#
# Prints wall time (best of RUNS), files/s, MB/s and peak RSS per tool, and
# each peer's time as a ratio of kvet's. Peers are timed with PEER_RUNS runs
# (default 1: the slow ones take a minute each).
#
# --install-peers puts the peers that can be installed from PyPI
# (kubernetes-validate: offline schema validation with bundled schemas, the
# same job as kubeconform; yamllint: YAML syntax and duplicate keys) into
# target/bench-venv. kubeconform, kube-linter, pluto and kube-score are Go
# binaries from GitHub releases; they are timed when they are on PATH.
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

cargo build --release --quiet
kvet=$PWD/target/release/kvet

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
big="$tmp/corpus-x20"
mkdir -p "$big"
for i in $(seq 1 20); do cp -r "$corpus" "$big/copy-$i"; done

count_files() { find "$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l; }
count_bytes() { find "$1" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | du -cb --files0-from=- | tail -1 | cut -f1; }

# measure NAME DIR CMD...: best wall time of $runs runs and its peak RSS.
measure() {
  local name=$1 dir=$2; shift 2
  local best="" rss=""
  for _ in $(seq 1 "${n_runs:-$runs}"); do
    /usr/bin/time -f "%e %M" -o "$tmp/rusage" "$@" >/dev/null 2>&1 || true
    local out t m
    out=$(tail -1 "$tmp/rusage")
    t=${out% *}; m=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  local files bytes
  files=$(count_files "$dir"); bytes=$(count_bytes "$dir")
  awk -v n="$name" -v t="$best" -v f="$files" -v b="$bytes" -v r="$rss" 'BEGIN{
    tt = (t > 0 ? t : 0.001);
    printf "%-34s %8.3f s %10.0f files/s %8.1f MB/s %8.1f MB RSS\n", n, t, f/tt, b/1e6/tt, r/1024 }'
  echo "$best" > "$tmp/time-$(echo "$name" | tr ' /' '__')"
}

echo "corpus: $corpus ($(count_files "$corpus") files, $(( $(count_bytes "$corpus") / 1000000 )) MB); best of $runs runs; $(nproc) cores"
echo
measure "kvet check (corpus)" "$corpus" "$kvet" check "$corpus" --format json --fail-on never
measure "kvet check (corpus x20)" "$big" "$kvet" check "$big" --format json --fail-on never
measure "kvet check --select yaml (parse only)" "$corpus" "$kvet" check "$corpus" --format json --fail-on never --select yaml

base=$(cat "$tmp/time-kvet_check_(corpus)")
# peer NAME BINARY CMD...: runs CMD when BINARY is on PATH.
peer() {
  local name=$1 bin=$2; shift 2
  if command -v "$bin" >/dev/null 2>&1; then
    n_runs=$peer_runs measure "$name" "$corpus" "$@"
    local t; t=$(cat "$tmp/time-$(echo "$name" | tr ' /' '__')")
    awk -v n="$name" -v p="$t" -v k="$base" 'BEGIN{ printf "  -> %s takes %.1fx the time of kvet\n", n, p/(k>0?k:0.001) }'
  else
    echo "$name: not on PATH, skipped"
  fi
}
echo
peer "kubeconform -strict" kubeconform kubeconform -strict -summary -ignore-missing-schemas "$corpus"
peer "kube-linter lint" kube-linter kube-linter lint "$corpus"
peer "pluto detect-files" pluto pluto detect-files -d "$corpus"
peer "kube-score score" kube-score sh -c "find '$corpus' -name '*.yaml' -print0 | xargs -0 kube-score score"
manifests="find '$corpus' -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0"
peer "kubernetes-validate --strict" kubernetes-validate \
  sh -c "$manifests | xargs -0 kubernetes-validate --strict --quiet --no-warn"
peer "yamllint (key-duplicates only)" yamllint \
  yamllint -f parsable -d '{rules: {key-duplicates: enable}}' "$corpus"

# Agreement: every file a peer rejects should carry a kvet finding of the
# same kind. Prints the files where kvet is silent.
if command -v kubernetes-validate >/dev/null 2>&1 || command -v yamllint >/dev/null 2>&1; then
  echo
  "$kvet" check "$corpus" --format json --fail-on never >"$tmp/kvet.json"
  if command -v kubernetes-validate >/dev/null 2>&1; then
    sh -c "$manifests | xargs -0 kubernetes-validate --strict --quiet --no-warn" >"$tmp/kv.out" 2>&1 || true
  fi
  if command -v yamllint >/dev/null 2>&1; then
    yamllint -f parsable -d '{rules: {key-duplicates: enable}}' "$corpus" >"$tmp/yl.out" 2>&1 || true
  fi
  python3 - "$tmp" <<'PY'
import json, os, re, sys
tmp = sys.argv[1]
diags = json.load(open(os.path.join(tmp, "kvet.json")))["diagnostics"]
by_file = {}
for d in diags:
    by_file.setdefault(d["file"], []).append(d)

def report(name, rejected, kinds):
    missed = [f for f in sorted(rejected)
              if not any(d["rule"].startswith(kinds) for d in by_file.get(f, []))]
    print(f"{name}: rejects {len(rejected)} files; kvet reports {len(rejected) - len(missed)} of them")
    for f in missed:
        print(f"  kvet silent on {f}: {rejected[f]}")

# (output file, peer, line pattern whose group 1 is the file, kvet rule prefixes)
peers = [
    ("kv.out", "kubernetes-validate --strict", r"ERROR (\S+) did not validate .*?: (.*)",
     ("schema-", "api-", "field-", "yaml-")),
    ("yl.out", "yamllint", r"(.+?):\d+:\d+: \[error\] (.*)", ("yaml-",)),
]
for out, name, pattern, kinds in peers:
    path = os.path.join(tmp, out)
    if not os.path.exists(path):
        continue
    rejected = {}
    for line in open(path, errors="replace"):
        m = re.match(pattern, line)
        if m:
            rejected.setdefault(m.group(1), m.group(2)[:120])
    report(name, rejected, kinds)
PY
fi
