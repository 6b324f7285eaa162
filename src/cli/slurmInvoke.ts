/**
 * How a Slurm job script calls the toolkit: an absolute command that works from
 * any working directory on a compute node sharing this file system.
 *
 * - From the build (`dist/src/cli/*.js`, which is also what the installed
 *   `adadagrad` bin runs): `<node> <abs>/dist/src/cli/main.js`.
 * - From a source checkout (TypeScript under tsx, as `npm run cli` and the tests
 *   run it): `<node> --import <abs file URL of tsx's loader> <abs>/src/cli/main.ts`.
 *   The loader is given as an absolute URL because `--import tsx` would resolve
 *   the package from the job's working directory, and `npx tsx` would try to
 *   download it where the job does not start in the checkout.
 *
 * `<node>` is this process's executable (`process.execPath`). A cluster whose
 * compute nodes see Node elsewhere (modules, containers) passes its own command
 * with `--command`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The toolkit command, one argument per element (quoted for bash by the script writer). */
export type ToolkitCommand = readonly string[];

/** Where the command came from, for the printed plan. */
export type ToolkitCommandSource = 'build' | 'source checkout' | '--command';

/** The URL of tsx's ESM loader (what `node --import tsx` loads). */
function tsxLoaderUrl(): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve('tsx');
    } catch {
      // fall through
    }
  }
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * The command running this toolkit, from the location of this module.
 * `moduleUrl` is for tests (defaults to this module's URL).
 */
export function toolkitCommand(moduleUrl: string = import.meta.url): { command: ToolkitCommand; source: ToolkitCommandSource } {
  const node = process.execPath;
  if (moduleUrl.endsWith('.ts')) {
    const main = fileURLToPath(new URL('./main.ts', moduleUrl));
    return { command: [node, '--import', tsxLoaderUrl(), main], source: 'source checkout' };
  }
  const main = fileURLToPath(new URL('./main.js', moduleUrl));
  return { command: [node, main], source: 'build' };
}

/**
 * A user's `--command` ("adadagrad", "apptainer exec img.sif adadagrad"): split
 * on whitespace; an empty command is bad input.
 */
export function parseToolkitCommand(text: string): ToolkitCommand {
  const parts = text.trim().split(/\s+/).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('--command: expected a command such as "adadagrad" or "node /path/dist/src/cli/main.js"');
  return parts;
}
