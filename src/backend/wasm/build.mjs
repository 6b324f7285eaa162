// Compile the AssemblyScript kernels (assembly/*.ts) to kernels.wasm with asc
// (SIMD, shared memory, -O3), next to this file and under dist/ for the package.
// Idempotent: skips the compile when kernels.wasm is newer than every input.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const out = join(here, 'kernels.wasm');
const inputs = [
  join(here, 'asconfig.json'),
  fileURLToPath(import.meta.url),
  ...readdirSync(join(here, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(here, 'assembly', f)),
];
const mtime = (p) => statSync(p).mtimeMs;
const fresh = existsSync(out) && inputs.every((p) => mtime(p) <= mtime(out));
if (fresh) {
  console.log(`build:wasm: ${relative(root, out)} is up to date`);
} else {
  const t0 = Date.now();
  const asc = (await import('assemblyscript/asc')).default;
  const { error, stderr } = await asc.main(['--config', join(here, 'asconfig.json')], {});
  if (error) {
    console.error(stderr.toString());
    console.error(`build:wasm: asc failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build:wasm: compiled ${relative(root, out)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
// the published package loads the module from dist/src/backend/wasm/
const distDir = join(root, 'dist', 'src', 'backend', 'wasm');
mkdirSync(distDir, { recursive: true });
copyFileSync(out, join(distDir, 'kernels.wasm'));
