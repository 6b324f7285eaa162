/**
 * A throwaway single-node Slurm cluster for the live test: munged, slurmctld and
 * slurmd started as children of this process, everything (key, socket, state,
 * spool, pid files, logs, slurm.conf) under one temporary directory, the two
 * daemons on private ports bound to 127.0.0.1 only. `stop()` cancels every job,
 * stops the daemons by pid, and ends (by pid) any process still carrying this
 * cluster's SLURM_CONF (job steps and their scripts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, hostname, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';

const NEEDED = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'scontrol', 'sinfo'] as const;

/** Where a program is (PATH, then the sbin directories), or null. */
export function findProgram(name: string): string | null {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** The programs the live test needs that are not installed. */
export function missingPrograms(): string[] {
  return NEEDED.filter((n) => findProgram(n) === null);
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface Cluster {
  readonly dir: string;
  /** The environment for Slurm clients and the toolkit (SLURM_CONF set). */
  readonly env: NodeJS.ProcessEnv;
  readonly startSeconds: number;
  /** Run a Slurm client; returns stdout (throws on failure). */
  client(args: readonly string[]): string;
  /** Stop everything this cluster started; returns the pids ended after the daemons (should be none). */
  stop(): Promise<number[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(path: string, n = 15): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether a child has exited. */
const exited = (c: ChildProcess): boolean => c.exitCode !== null || c.signalCode !== null;

async function stopChild(c: ChildProcess, ms = 5000): Promise<void> {
  if (exited(c)) return;
  c.kill('SIGTERM');
  const t0 = Date.now();
  while (!exited(c) && Date.now() - t0 < ms) await sleep(50);
  if (!exited(c)) c.kill('SIGKILL');
  const t1 = Date.now();
  while (!exited(c) && Date.now() - t1 < 2000) await sleep(50);
}

/** Pids of processes (other than the daemons) whose environment holds this SLURM_CONF. */
function strays(conf: string, daemons: readonly number[]): number[] {
  const found: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid || daemons.includes(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`SLURM_CONF=${conf}`)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Start the cluster in `dir`; throws (after stopping what started) when it does not come up in `timeoutMs`. */
export async function startCluster(dir: string, timeoutMs = 30_000): Promise<Cluster> {
  const t0 = Date.now();
  const bin = (n: string): string => findProgram(n)!;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // munged needs execute permission for all on the socket's path
  const keyDir = join(dir, 'munge-key');
  const sockDir = join(dir, 'munge-run');
  for (const d of [keyDir, sockDir, join(dir, 'state'), join(dir, 'spool'), join(dir, 'log')]) mkdirSync(d, { recursive: true });
  chmodSync(keyDir, 0o700);
  chmodSync(sockDir, 0o755);
  const key = join(keyDir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o600 });
  const socket = join(sockDir, 'munge.socket');
  const host = hostname().split('.')[0]!;
  const resolved = spawnSync('getent', ['hosts', host], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[0] ?? '';
  if (!resolved.startsWith('127.')) throw new Error(`cannot start a loopback-only cluster: host name ${host} resolves to '${resolved}', not a 127.x address`);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  const cpus = availableParallelism();
  writeFileSync(
    conf,
    [
      'ClusterName=adadagradtest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      'SlurmUser=root',
      'SlurmdUser=root',
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'CommunicationParameters=NoInAddrAny,NoCtldInAddrAny',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/backfill',
      'ReturnToService=2',
      'MpiDefault=none',
      'MailProg=/bin/true',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'KillWait=2',
      'MinJobAge=3600',
      'InactiveLimit=0',
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${Math.floor(totalmem() / 2 ** 20 / 2)} State=UNKNOWN`,
      `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]): ChildProcess => {
    const fd = openSync(join(dir, 'log', `${name}.out`), 'a');
    const c = spawn(bin(name), args, { env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    children.push(c);
    return c;
  };
  const killAllNow = (): void => {
    for (const c of children) if (!exited(c)) c.kill('SIGKILL');
  };
  process.on('exit', killAllNow);

  const client = (args: readonly string[]): string => {
    const r = spawnSync(bin(args[0]!), args.slice(1), { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  };

  const stop = async (): Promise<number[]> => {
    try {
      if (children.length >= 2 && !exited(children[1]!)) {
        const ids = spawnSync(bin('squeue'), ['--noheader', '--format=%A'], { env, encoding: 'utf8' }).stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '');
        if (ids.length > 0) spawnSync(bin('scancel'), ids, { env });
        const t = Date.now();
        while (Date.now() - t < 15_000) {
          const q = spawnSync(bin('squeue'), ['--noheader'], { env, encoding: 'utf8' });
          if (q.status !== 0 || q.stdout.trim() === '') break;
          await sleep(200);
        }
      }
    } finally {
      for (const c of [...children].reverse()) await stopChild(c);
      process.off('exit', killAllNow);
    }
    const left = strays(conf, children.map((c) => c.pid ?? -1));
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    return left;
  };

  try {
    const munged = start('munged', ['-F', `--key-file=${key}`, `--socket=${socket}`, `--pid-file=${join(sockDir, 'munged.pid')}`, `--log-file=${join(dir, 'log', 'munged.log')}`, `--seed-file=${join(keyDir, 'munged.seed')}`]);
    const t = Date.now();
    while (!existsSync(socket) && !exited(munged) && Date.now() - t < timeoutMs) await sleep(50);
    if (!existsSync(socket)) throw new Error(`munged did not start:\n${tail(join(dir, 'log', 'munged.out'))}`);
    const ctld = start('slurmctld', ['-D', '-i']);
    const d = start('slurmd', ['-D', '-N', host]);
    for (;;) {
      if (exited(ctld)) throw new Error(`slurmctld exited (${ctld.exitCode ?? ctld.signalCode}):\n${tail(join(dir, 'log', 'slurmctld.log'))}\n${tail(join(dir, 'log', 'slurmctld.out'))}`);
      if (exited(d)) throw new Error(`slurmd exited (${d.exitCode ?? d.signalCode}):\n${tail(join(dir, 'log', 'slurmd.log'))}\n${tail(join(dir, 'log', 'slurmd.out'))}`);
      const s = spawnSync(bin('sinfo'), ['--noheader', '--format=%T'], { env, encoding: 'utf8' });
      if (s.status === 0 && /\bidle\b/.test(s.stdout)) break;
      if (Date.now() - t0 > timeoutMs) throw new Error(`the node did not become idle in ${timeoutMs / 1000} s (sinfo: ${(s.stdout || s.stderr).trim()}):\n${tail(join(dir, 'log', 'slurmctld.log'))}`);
      await sleep(200);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, env, startSeconds: (Date.now() - t0) / 1000, client, stop };
}
