#!/usr/bin/env bash
# Where a corpus run spends its instructions, by phase: runs
# `kvet check CORPUS --format json` under callgrind (instruction counts are
# stable on a busy machine; wall times are not) and prints a table of the
# inclusive costs of the functions that make up each phase.
#
#   bench/breakdown.sh [CORPUS_DIR]        (default ../shared/corpus)
#
# KVET_BIN uses that binary instead of building target/release/kvet (the
# release profile keeps symbols; functions inlined away show under their
# caller). KEEP=dir keeps the callgrind output there. Needs valgrind and
# python3. Takes about a minute.
#
# A phase's figure is the sum over its functions of the calls into them
# from outside the phase, over all threads, so work on rayon's workers is
# counted with the phase that asked for it. "other" is what no phase claims
# (process start and exit, rayon's scheduling, the allocator's own
# bookkeeping outside the phases, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
[ -d "$corpus" ] || { echo "corpus not found: $corpus" >&2; exit 2; }
if [ -n "${KVET_BIN:-}" ]; then
  kvet=$KVET_BIN
else
  cargo build --release --quiet
  kvet=$PWD/target/release/kvet
fi
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
  "$kvet" check "$corpus" --format json --no-cache > "$out/report.json" 2> "$out/valgrind.log" || true
callgrind_annotate --inclusive=yes --tree=caller --threshold=100 "$out/callgrind.out" > "$out/tree.txt"
python3 - "$out/tree.txt" <<'PY'
import re, sys
from collections import defaultdict

line_re = re.compile(r'^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+([<*>])\s+(.*)$')

def name(s):
    s = re.sub(r' \[[^\]]*\]$', '', s)
    s = re.sub(r' \([\d,]+x\)$', '', s)
    s = re.sub(r"^(\?\?\?|\S*?\.(rs|c|S|h)):", '', s)
    return s

total = 0
incl = {}
callers = defaultdict(list)
pending = []
for line in open(sys.argv[1]):
    if 'PROGRAM TOTALS' in line:
        total = int(line.split()[0].replace(',', ''))
        continue
    m = line_re.match(line)
    if not m:
        pending = []
        continue
    cost, kind, rest = int(m.group(1).replace(',', '')), m.group(2), name(m.group(3))
    if kind == '<':
        pending.append((rest, cost))
    elif kind == '*':
        incl[rest] = cost
        callers[rest].extend(pending)
        pending = []

def cost(patterns, skip_callers=()):
    pats = [re.compile(p) for p in patterns]
    inside = lambda f: any(p.search(f) for p in pats)
    n = 0
    for f, c in incl.items():
        if "'" in f or not inside(f):
            continue
        edges = callers.get(f)
        if not edges:
            n += c
            continue
        for caller, e in edges:
            if inside(caller) or any(re.search(s, caller) for s in skip_callers):
                continue
            n += e
    return n

rule_fam = defaultdict(lambda: [0, 0])
for f in incl:
    m = re.match(r'^<kvet::rules::(\w+)::[\w:]+ as kvet::rules::Rule>::(check|check_catalog)$', f)
    if m:
        rule_fam[m.group(1)][m.group(2) == 'check_catalog'] += cost([re.escape(f) + '$'])

parse = cost([r'^kvet::yaml::parse_source$'], skip_callers=[r'^kvet::schema::'])
# The fast path and the full parser are called by parse_source, which the
# schema stage also calls (API fix suggestions): their rows are their shares
# of parse_source, scaled to the row above.
scale = parse / max(1, cost([r'^kvet::yaml::parse_source$']))
not_parse = [r'^kvet::rules::docs::', r'^kvet::fix::']
fast = int(cost([r'^kvet::yaml::load::parse_yaml_fast$'], skip_callers=not_parse) * scale)
full = int(cost([r'^kvet::yaml::load::parse_yaml_full$'], skip_callers=not_parse) * scale)
rows = [
    ('startup (rule docs, config, CLI)', cost([r'^kvet::rules::registry::builtin_docs$', r'^kvet::config::find_config$', r'^kvet::config::Config::load'])),
    ('load: find files', cost([r'^kvet::source::discover::discover$'])),
    ('load: read files (+ line index)', cost([r'^kvet::source::SourceFile::read$'])),
    ('parse: YAML text -> spanned tree', parse),
    ('  of which fast path (incl. declined texts)', fast),
    ('  of which full parser (declined texts)', full),
    ('model: documents -> objects', cost([r'^kvet::lint::collect_objects$', r'^kvet::model::catalog::Catalog::new$'])),
    ('schema validation + API advice', cost([r'^kvet::schema::check::(check_object|check_one|check_builtin)$'])),
    ('CRDs at load: compile their schemas, cut them', cost([r'^kvet::schema::crd::(compile_crd|SchemaCache::compile|CompiledCrd::of)$', r'^kvet::compact::drop_schemas$'])),
]
fam_rows = []
for fam, (own, cross) in sorted(rule_fam.items(), key=lambda kv: -sum(kv[1])):
    if own:
        fam_rows.append((f'rules: {fam}', own))
    if cross:
        fam_rows.append((f'rules: {fam} (cross-object)', cross))
rows += [('rules, all families (per object)', sum(v[0] for v in rule_fam.values())),
         ('rules, all families (cross-object)', sum(v[1] for v in rule_fam.values()))]
rows += fam_rows
rows += [
    ('placeholders', cost([r'^kvet::placeholder::(find|find_in|apply)$'])),
    ('suppressions', cost([r'^kvet::suppress::(collect|collect::\{\{closure\}\}|comments|apply|unused)$'])),
    ('report rendering (JSON)', cost([r'^kvet::cli::check::Report::write$'])),
]
claimed = sum(c for label, c in rows if not label.startswith('  ') and not label.startswith('rules: '))
rows.append(('other (process, threads, exit)', total - claimed))
print(f"{'phase':44} {'instructions':>15} {'share':>7}")
print(f"{'total':44} {total:>15,} {100.0:>6.1f}%")
for label, c in rows:
    print(f"{label:44} {c:>15,} {100.0 * c / total:>6.1f}%")
PY
