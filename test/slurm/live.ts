/**
 * The Slurm path against a live scheduler (`npm run test:slurm`). Installs
 * nothing: where munged, slurmctld and slurmd are missing it prints
 * "skipped: slurm not installed" and exits 0 (a skip, not a pass). Otherwise it
 * starts a throwaway single-node cluster (test/slurm/cluster.ts) and checks:
 *
 *  A. `slurm sweep --tasks 3 --submit` of a small sweep (the grid of
 *     test/fixtures/sweep-small.json, 300 steps) runs as a 3-task array plus its
 *     merge job, and DIR/results.jsonl equals an unsharded local sweep run by
 *     run id (wall-clock times aside); each task ran with SLURM_CPUS_PER_TASK
 *     workers; `slurm status` reports every shard done.
 *  B. Task 2 of a second submission is cancelled mid-run (some of its runs
 *     recorded, not all): its merge job is cancelled (dependency never
 *     satisfied), `slurm status` names shard 2 as missing runs, and submitting
 *     again runs only shard 2, only its missing runs, and the merge then equals
 *     the local sweep; a third submission has nothing to do.
 *
 * The output directories have a space in their path. Every daemon is stopped by
 * pid at the end, also on failure. Exit 1 when a check fails or the cluster
 * cannot start.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults } from '../../src/cli/results.js';
import { missingPrograms, startCluster, type Cluster } from './cluster.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const TIMEOUT_S = Number(process.env['ADADAGRAD_SLURM_TIMEOUT'] ?? 300);

const missing = missingPrograms();
if (missing.length > 0) {
  console.log(`skipped: slurm not installed (missing ${missing.join(', ')}); nothing was tested`);
  process.exit(0);
}

const failures: string[] = [];
const timings: Record<string, number> = {};
function check(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The toolkit CLI as a child process, with the cluster's environment. */
function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Records by run id, as comparable JSON (wall-clock time aside). */
function comparable(file: string): Map<string, string> {
  return new Map(readResults(file).records.map((r) => [r.run_id, JSON.stringify({ ...r, summary: r.summary === null ? null : { ...r.summary, wallMs: 0 } })]));
}
function sameRuns(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** Wait until none of the jobs is queued or running; false on timeout. */
async function waitJobs(c: Cluster, ids: readonly string[], timeoutS = TIMEOUT_S): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutS * 1000) {
    const r = spawnSync('squeue', ['--noheader', '--array', `--jobs=${ids.join(',')}`, '--format=%i'], { env: c.env, encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() === '') return true;
    await sleep(250);
  }
  return false;
}

/** JobState (and Reason) of a job or array task from scontrol. */
function jobState(c: Cluster, id: string): string {
  const out = spawnSync('scontrol', ['show', 'job', id], { env: c.env, encoding: 'utf8' }).stdout;
  const st = /JobState=(\S+)/.exec(out)?.[1] ?? 'unknown';
  const why = /Reason=(\S+)/.exec(out)?.[1] ?? '';
  return `${st} ${why}`.trim();
}

function lines(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

const root = mkdtempSync(join(tmpdir(), 'adadagrad-slurm-'));
chmodSync(root, 0o755); // munged's socket path must be searchable by all
const fixture = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sweep-small.json'), 'utf8')) as Record<string, unknown>;
const config = join(root, 'sweep.json');
writeFileSync(config, JSON.stringify({ ...fixture, name: 'slurm-live', budget: { steps: 300 } }));

let cluster: Cluster | null = null;
let code = 0;
try {
  cluster = await startCluster(join(root, 'cluster'));
  timings['cluster start (s)'] = cluster.startSeconds;
  console.log(`cluster up in ${cluster.startSeconds.toFixed(1)} s (${cluster.dir})`);
  const env = cluster.env;

  let t = Date.now();
  // the tasks compute with one kernel thread per worker (the scripts' ADADAGRAD_THREADS default); so does the reference
  const local = cli(['sweep', '--config', config, '--out', join(root, 'local'), '--workers', '2'], { ...env, ADADAGRAD_THREADS: '1' });
  timings['local unsharded sweep, 2 workers (s)'] = (Date.now() - t) / 1000;
  if (local.code !== 0) throw new Error(`the local reference sweep failed: ${local.stderr}`);
  const ref = comparable(join(root, 'local', 'results.jsonl'));

  // A: a 3-task array and its merge
  const dirA = join(root, 'sweep A');
  t = Date.now();
  const subA = cli(['slurm', 'sweep', '--config', config, '--out', dirA, '--tasks', '3', '--cpus-per-task', '1', '--time', '00:10:00', '--submit', '--json'], env);
  check(subA.code === 0, `A: slurm sweep --submit exits 0 (${subA.stderr.trim().split('\n').pop() ?? ''})`);
  const repA = JSON.parse(subA.stdout) as { submitted: { array: string; final: string }; shards_to_run: number[] };
  const twice = cli(['slurm', 'sweep', '--config', config, '--out', dirA, '--tasks', '3', '--cpus-per-task', '1', '--time', '00:10:00', '--submit', '--json'], env);
  check(twice.code === 1 && /still queued or running/.test(twice.stderr), `A: a second submission while the first is queued is refused (exit ${twice.code})`);
  check(repA.shards_to_run.join(',') === '1,2,3', 'A: all three shards submitted');
  const doneA = await waitJobs(cluster, [repA.submitted.array, repA.submitted.final]);
  timings['A: submit → merged, 3 tasks on the node (s)'] = (Date.now() - t) / 1000;
  check(doneA, `A: the array and the merge job left the queue within ${TIMEOUT_S} s`);
  check(/^COMPLETED/.test(jobState(cluster, repA.submitted.final)), `A: merge job ${repA.submitted.final} completed (${jobState(cluster, repA.submitted.final)})`);
  const mergedA = join(dirA, 'results.jsonl');
  check(existsSync(mergedA) && sameRuns(comparable(mergedA), ref), `A: merged results equal the unsharded local sweep by run id (${existsSync(mergedA) ? comparable(mergedA).size : 0} of ${ref.size} runs)`);
  const logsA = readdirSync(join(dirA, 'logs'));
  check([1, 2, 3].every((i) => logsA.some((f) => f.startsWith(`shard-${i}-job-${repA.submitted.array}`))) && logsA.some((f) => f.startsWith('merge-job-')), `A: one log per task and one for the merge in DIR/logs (${logsA.join(', ')})`);
  const log1 = readFileSync(join(dirA, 'logs', logsA.find((f) => f.startsWith('shard-1-'))!), 'utf8');
  check(/to run on 1 worker\b/.test(log1), 'A: task 1 ran with SLURM_CPUS_PER_TASK = 1 worker');
  const recsA = readResults(mergedA).records as unknown as { backend?: { name: string; threads: number } }[];
  const withBackend = recsA.filter((r) => r.backend !== undefined && typeof r.backend.name === 'string' && typeof r.backend.threads === 'number').length;
  check(withBackend === recsA.length, `A: every merged line records its backend and thread count (${withBackend} of ${recsA.length})`);
  const stA = cli(['slurm', 'status', dirA, '--json'], env);
  const jA = JSON.parse(stA.stdout) as { shards: { done: number; runs: number; missing: string[] }[]; merged: number };
  check(stA.code === 0 && jA.shards.every((s) => s.done === s.runs && s.missing.length === 0) && jA.merged === ref.size, 'A: slurm status: every shard done, all runs merged, exit 0');

  // B: cancel task 2 mid-run, then resubmit
  const dirB = join(root, 'sweep B');
  t = Date.now();
  const subB = cli(['slurm', 'sweep', '--config', config, '--out', dirB, '--tasks', '3', '--cpus-per-task', '1', '--submit', '--json'], env);
  check(subB.code === 0, 'B: first submission exits 0');
  const repB = JSON.parse(subB.stdout) as { submitted: { array: string; final: string } };
  const shard2 = join(dirB, 'shards', '2', 'results.jsonl');
  const perShard = Math.ceil(ref.size / 3);
  let atKill = 0;
  const tKill = Date.now();
  while (Date.now() - tKill < TIMEOUT_S * 1000) {
    atKill = lines(shard2);
    if (atKill >= 1) break;
    await sleep(50);
  }
  cluster.client(['scancel', `${repB.submitted.array}_2`]);
  await sleep(500);
  const afterKill = lines(shard2);
  console.log(`     task 2 cancelled with ${afterKill} of ${perShard} runs of its shard recorded`);
  check(afterKill >= 1 && afterKill < perShard, `B: the cancel came mid-run (${afterKill} of ${perShard} runs of shard 2 recorded)`);
  const doneB = await waitJobs(cluster, [repB.submitted.array, repB.submitted.final]);
  check(doneB, 'B: the array and the merge job left the queue');
  check(/^CANCELLED/.test(jobState(cluster, `${repB.submitted.array}_2`)), `B: task 2 is cancelled (${jobState(cluster, `${repB.submitted.array}_2`)})`);
  check(/^CANCELLED DependencyNeverSatisfied/.test(jobState(cluster, repB.submitted.final)), `B: its merge job was cancelled, not left pending (${jobState(cluster, repB.submitted.final)})`);
  check(!existsSync(join(dirB, 'results.jsonl')), 'B: no merged results after the cancel');
  const stB = cli(['slurm', 'status', dirB, '--json'], env);
  const jB = JSON.parse(stB.stdout) as { shards: { shard: number; missing: string[] }[] };
  check(stB.code === 1 && jB.shards.map((s) => s.missing.length > 0).join(',') === 'false,true,false', `B: slurm status exits 1 and names shard 2 only as missing runs (${jB.shards.map((s) => `${s.shard}:${s.missing.length}`).join(' ')})`);
  const kept = lines(shard2);
  const reB = cli(['slurm', 'sweep', '--config', config, '--out', dirB, '--tasks', '3', '--cpus-per-task', '1', '--submit', '--json'], env);
  const rep2 = JSON.parse(reB.stdout) as { submitted: { array: string; final: string }; shards_to_run: number[] };
  check(reB.code === 0 && rep2.shards_to_run.join(',') === '2', `B: resubmission runs shard 2 only (${rep2.shards_to_run.join(',')})`);
  check(await waitJobs(cluster, [rep2.submitted.array, rep2.submitted.final]), 'B: the resubmitted task and merge left the queue');
  timings['B: first submit → resubmitted shard merged (s)'] = (Date.now() - t) / 1000;
  const mergedB = join(dirB, 'results.jsonl');
  check(existsSync(mergedB) && sameRuns(comparable(mergedB), ref), 'B: after resubmission the merged results equal the unsharded local sweep');
  check(lines(shard2) === perShard && readResults(shard2).records.length === perShard, `B: shard 2 reran only its missing runs (${kept} kept + ${lines(shard2) - kept} new lines = ${lines(shard2)})`);
  const third = cli(['slurm', 'sweep', '--config', config, '--out', dirB, '--tasks', '3', '--cpus-per-task', '1', '--submit', '--json'], env);
  check(third.code === 0 && (JSON.parse(third.stdout) as { nothing_to_do: boolean }).nothing_to_do === true, 'B: a third submission has nothing to do');

  // C: a reproduction (one figure family, quick) as a 2-task array and its figures job
  const dirC = join(root, 'figures C');
  t = Date.now();
  const subC = cli(['slurm', 'reproduce', 'sebs', '--quick', '--out', dirC, '--tasks', '2', '--submit', '--json'], env);
  check(subC.code === 0, `C: slurm reproduce --submit exits 0 (${subC.stderr.trim().split('\n').pop() ?? ''})`);
  const repC = JSON.parse(subC.stdout) as { submitted: { array: string; final: string }; runs: number };
  check(await waitJobs(cluster, [repC.submitted.array, repC.submitted.final]), 'C: the array and the figures job left the queue');
  timings['C: reproduce sebs --quick, submit → figures (s)'] = (Date.now() - t) / 1000;
  check(/^COMPLETED/.test(jobState(cluster, repC.submitted.final)), `C: figures job completed (${jobState(cluster, repC.submitted.final)})`);
  const figLog = readdirSync(join(dirC, 'logs')).find((f) => f.startsWith('figures-job-'));
  const figText = figLog !== undefined ? readFileSync(join(dirC, 'logs', figLog), 'utf8') : '';
  check(new RegExp(`\\(${repC.runs} runs, ${repC.runs} reused`).test(figText), `C: the figures job ran nothing itself (all ${repC.runs} runs reused from the tasks)`);
  const localFigs = join(root, 'local figures');
  const lr = cli(['reproduce', 'sebs', '--quick', '--out', localFigs, '--workers', '2'], { ...env, ADADAGRAD_THREADS: '1' });
  const csvs = existsSync(dirC) ? readdirSync(dirC).filter((f) => f.endsWith('.csv')) : [];
  check(lr.code === 0 && csvs.length > 0 && csvs.every((f) => existsSync(join(localFigs, f)) && readFileSync(join(dirC, f), 'utf8') === readFileSync(join(localFigs, f), 'utf8')), `C: the figures' data equal a local reproduce (${csvs.join(', ')})`);
} catch (e) {
  console.log(`FAIL ${(e as Error).message}`);
  failures.push((e as Error).message);
  code = 1;
} finally {
  if (cluster !== null) {
    const strays = await cluster.stop();
    check(strays.length === 0, `every process of the cluster ended with its daemons${strays.length > 0 ? ` (ended late: ${strays.join(' ')})` : ''}`);
  }
}
for (const [k, v] of Object.entries(timings)) console.log(`timing: ${k} ${v.toFixed(1)}`);
if (failures.length > 0 || code !== 0) {
  console.log(`slurm live test: FAILED (${failures.length} check(s)); files kept in ${root}`);
  process.exit(1);
}
rmSync(root, { recursive: true, force: true });
console.log('slurm live test: passed');
