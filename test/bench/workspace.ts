/**
 * The workspace benchmark (part of `npm run bench`; `--only workspace`): the engine's
 * statistics step in a loop with fresh arrays (the default) and with a statistics workspace
 * (src/batching/workspace.ts: ḡ, the per-coordinate sums and S_j in reused buffers). What
 * a workspace saves is memory to fault in and to collect, a cost that lands on whatever
 * runs in the same process, so each loop runs in a child process of its own
 * (test/bench/workspaceStep.ts), started alternately. Reports each mode's median over the
 * processes' medians and the ratio; every process's S_norm and S_j[0] must be the same bits.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, median, type BenchCase } from './harness.js';

export interface WorkspaceBenchOptions {
  readonly quick: boolean;
  readonly only: string | null;
  readonly log: (s: string) => void;
  readonly seed: number;
}

type Mode = 'fresh' | 'workspace';
const CASES = [
  { model: 'mlp', b: 256 },
  { model: 'mlp', b: 4096 },
  { model: 'softmax', b: 256 },
] as const;

export async function runWorkspaceBenchmarks(o: WorkspaceBenchOptions): Promise<{ cases: BenchCase[]; ratios: Record<string, number> }> {
  const cases: BenchCase[] = [];
  const ratios: Record<string, number> = {};
  const todo = CASES.filter((c) => o.only === null || `workspace_stats_${c.model}_b${c.b}`.includes(o.only));
  if (todo.length === 0) return { cases, ratios };
  const pairs = o.quick ? 3 : 7;
  const t0 = performance.now();
  o.log('');
  o.log(`# workspace benchmark (${o.quick ? 'quick' : 'full'}): statistics step with fresh arrays vs a statistics workspace, wasm on 2 threads,`);
  o.log(`#   ${pairs} child processes per mode, started alternately; load ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  const child = fileURLToPath(new URL('./workspaceStep.ts', import.meta.url));
  const tsx = import.meta.resolve('tsx');
  const rows: string[][] = [];
  for (const c of todo) {
    const per: Record<Mode, { med: number[]; min: number[] }> = { fresh: { med: [], min: [] }, workspace: { med: [], min: [] } };
    const values = new Set<string>();
    const reps = c.b <= 256 ? (o.quick ? 41 : 101) : o.quick ? 9 : 21;
    for (let k = 0; k < pairs; k++) {
      for (const mode of (k % 2 === 0 ? ['fresh', 'workspace'] : ['workspace', 'fresh']) as Mode[]) {
        const r = spawnSync(process.execPath, ['--import', tsx, child, c.model, String(c.b), mode, o.quick ? '300' : '1000', String(reps), String(o.seed)], { encoding: 'utf8' });
        const line = r.stdout.trim().split('\n').at(-1) ?? '';
        if (r.status !== 0 || !line.startsWith('{')) throw new Error(`workspace bench: child (${mode}) exited with ${r.status}: ${r.stderr.slice(-400)}`);
        const j = JSON.parse(line) as { median_ms: number; min_ms: number; S_norm: number; S_j0: number };
        per[mode].med.push(j.median_ms);
        per[mode].min.push(j.min_ms);
        values.add(`${j.S_norm} ${j.S_j0}`);
      }
    }
    if (values.size !== 1) throw new Error(`workspace bench: S_norm or S_j[0] differ between processes (${[...values].join('; ')})`);
    const name = `workspace_stats_${c.model}_b${c.b}`;
    const mf = median(per.fresh.med);
    const mw = median(per.workspace.med);
    for (const mode of ['fresh', 'workspace'] as Mode[]) {
      cases.push({ name: `${name}_${mode}`, kind: 'stats', model: c.model, b: c.b, backend: 'adadagrad-wasm', median_ms: median(per[mode].med), process_medians_ms: per[mode].med, process_min_ms: per[mode].min, mode });
    }
    ratios[`${name}_workspace_over_fresh`] = mw / mf;
    const wins = per.workspace.med.filter((v, k) => v < per.fresh.med[k]!).length;
    rows.push([
      c.model, String(c.b),
      `${mf.toFixed(2)} (${per.fresh.med.map((v) => v.toFixed(1)).join(' ')})`,
      `${mw.toFixed(2)} (${per.workspace.med.map((v) => v.toFixed(1)).join(' ')})`,
      `${Math.min(...per.fresh.min).toFixed(2)} / ${Math.min(...per.workspace.min).toFixed(2)}`,
      `${wins} of ${pairs}`,
      (mw / mf).toFixed(2),
    ]);
  }
  o.log(formatTable(['model', 'b', 'fresh: median ms (per process)', 'workspace: median ms (per process)', 'fastest call, fresh / workspace', 'pairs workspace faster', 'workspace / fresh'], rows));
  o.log(`  S_norm and S_j[0] the same bits in every process; load at the end ${loadavg().map((v) => v.toFixed(1)).join(' ')}; workspace benchmark ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { cases, ratios };
}
