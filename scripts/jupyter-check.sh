#!/usr/bin/env bash
# One notebook through a real Jupyter kernel, as notebooks/README.md documents it: build, register the
# tslab kernel (`npm run jupyter:install`, into a temporary prefix so the user's kernels are untouched),
# then `jupyter nbconvert --execute` at CI size. Needs Debian's jupyter-nbconvert, jupyter-client and
# python3-ipython (.ci/run installs them). Usage: bash scripts/jupyter-check.sh [NOTEBOOK]  (default 04-sebs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
nb="notebooks/${1:-04-sebs}.ipynb"
[ -f "$nb" ] || { echo "jupyter-check: no notebook $nb" >&2; exit 2; }
for cmd in jupyter jupyter-nbconvert jupyter-kernelspec; do
  command -v "$cmd" >/dev/null || { echo "jupyter-check: $cmd not found (apt-get install jupyter-nbconvert jupyter-client python3-ipython)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/adadagrad-jupyter.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export JUPYTER_PATH="$work/share/jupyter"

[ -f dist/src/index.js ] || npm run --silent build
npm run --silent jupyter:install -- --prefix "$work"
# (read the list whole first: with pipefail, `grep -q` closing the pipe early would fail the pipeline)
specs="$(jupyter kernelspec list 2>/dev/null || true)"
grep -q "tslab" <<<"$specs" || { echo "jupyter-check: the tslab kernel was not registered" >&2; exit 1; }

echo "== jupyter nbconvert --execute $nb (ADADAGRAD_QUICK=1)"
ADADAGRAD_QUICK=1 jupyter nbconvert --to notebook --execute "$nb" --output-dir "$work" --output executed.ipynb \
  --ExecutePreprocessor.timeout=600
/usr/bin/python3 - "$work/executed.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
code = [c for c in nb["cells"] if c["cell_type"] == "code"]
errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
figures = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "display_data"]
print(f"{len(code)} code cells, {len(figures)} figure outputs, {len(errors)} errors")
sys.exit(1 if errors or not figures else 0)
PY
