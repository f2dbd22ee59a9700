#!/usr/bin/env python3
"""Writes the schemas kubeconform reads for one Kubernetes version, from
the shared API definitions, so that `bench/compare.sh` can time kubeconform
offline against the same API kvet checks.

    bench/kubeconform_schemas.py OUT_DIR [VERSION] [DEFINITIONS_TAR_ZST]

VERSION defaults to 1.37 (kvet's default); the tarball defaults to
../shared/k8s-api/jsonschema-1.7-1.37/_definitions-local-strict-v1.7-v1.37.tar.zst
(JSON Schema with `additionalProperties: false`, kubeconform's -strict).

It writes OUT_DIR/vX.Y.0-standalone-strict/KIND-SUFFIX.json, one file per
definition that names a group, version and kind, with every `$ref`
replaced by the definition it names ("standalone": kubeconform compiles
each file on its own). A definition that refers back to itself (only
JSONSchemaProps, inside CustomResourceDefinition) is cut at the second
visit and accepts anything there. File names follow kubeconform's
template: the kind in lower case, then `-GROUP-VERSION` with the group's
first label, or `-VERSION` for the core group. Needs the `zstd` program.
"""

import io
import json
import os
import subprocess
import sys
import tarfile


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    version = sys.argv[2] if len(sys.argv) > 2 else "1.37"
    here = os.path.dirname(os.path.abspath(__file__))
    tar_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        here, "..", "..", "shared", "k8s-api", "jsonschema-1.7-1.37",
        "_definitions-local-strict-v1.7-v1.37.tar.zst")
    raw = subprocess.run(["zstd", "-dc", tar_path], check=True, capture_output=True).stdout
    member = f"v{version}.0.json"
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        try:
            doc = json.load(tar.extractfile(member))
        except KeyError:
            sys.exit(f"{tar_path} has no {member}")

    # Newer files keep their definitions under `$defs`, older ones under
    # `definitions`; `$ref`s point into whichever it is.
    key = "$defs" if "$defs" in doc else "definitions"
    defs = doc[key]
    prefix = f"#/{key}/"

    def inline(node, stack):
        if isinstance(node, list):
            return [inline(v, stack) for v in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(prefix):
            name = ref[len(prefix):]
            if name in stack or name not in defs:
                return {}
            return inline(defs[name], stack | {name})
        return {k: inline(v, stack) for k, v in node.items()}

    folder = os.path.join(out, f"v{version}.0-standalone-strict")
    os.makedirs(folder, exist_ok=True)
    written = set()
    for name, schema in sorted(defs.items()):
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, ver, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
            suffix = f"-{group.split('.')[0]}-{ver}" if group else f"-{ver}"
            path = os.path.join(folder, f"{kind.lower()}{suffix}.json")
            if path in written:
                continue
            with open(path, "w") as f:
                json.dump(inline(schema, frozenset([name])), f)
            written.add(path)
    print(f"{len(written)} schemas for Kubernetes {version} in {folder}")


if __name__ == "__main__":
    main()
