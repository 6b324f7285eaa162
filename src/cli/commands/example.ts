/** `adadagrad example [name]`: print an example file that ships with the package (examples/), so help examples chain. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigFileError } from '../config.js';
import type { CliIO } from '../io.js';

/** The package root: the nearest directory above this file whose package.json names adadagrad. */
export function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        if ((JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'adadagrad') return dir;
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return null;
}

/** The example files by name (file name without its extension). */
export function examples(): Map<string, string> {
  const root = packageRoot();
  const dir = root === null ? null : join(root, 'examples');
  const out = new Map<string, string>();
  if (dir === null || !existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    if (/\.(json|svm)$/.test(f)) out.set(f === 'tiny.svm' ? 'svm' : f.replace(/\.[^.]+$/, ''), join(dir, f));
  }
  return out;
}

export async function exampleCommand(name: string | undefined, o: { path?: boolean; json?: boolean }, io: CliIO): Promise<number> {
  const all = examples();
  if (name === undefined) {
    if (o.json) io.out(`${JSON.stringify(Object.fromEntries(all), null, 2)}\n`);
    else io.out(`${[...all].map(([n, p]) => `${n.padEnd(14)} ${p}`).join('\n')}\n`);
    return 0;
  }
  const p = all.get(name);
  if (p === undefined) throw new ConfigFileError('command line', [{ path: '<name>', message: `unknown example '${name.slice(0, 60)}'; expected one of ${[...all.keys()].join(', ')}` }]);
  if (o.path) io.out(`${p}\n`);
  else if (o.json) io.out(`${JSON.stringify({ name, path: p, text: readFileSync(p, 'utf8') })}\n`);
  else io.out(readFileSync(p, 'utf8'));
  return 0;
}
