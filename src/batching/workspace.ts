/**
 * A statistics workspace: the d-long buffers a batchGradStats (or batchMeanGrad) call and
 * the statistics of its summary write into instead of fresh arrays, reused call after call.
 *
 * Why: at d = 2·10⁵ each fresh Float64Array of d doubles is new memory to fault in and,
 * later, external memory for V8 to collect (full collections every few steps at b = 256).
 * A loop that reuses ḡ, the two per-coordinate sums and S_j took 12.3 → 10.4 ms per MNIST
 * MLP statistics step at b = 256 (wasm, 2 threads; median over 7 processes per mode,
 * `npm run bench -- --only workspace`); at b = 4096, or for small d, no measurable change.
 *
 * The price is aliasing, so it is opt-in: the arrays a call returns (meanGrad and its
 * per-block views, coordSumSq, coordSumSqDev, and S_j of statistics(summary)) belong to the
 * workspace and are overwritten by the next call with it. Copy what you keep across calls
 * (`s.meanGrad.slice()`). statistics() of a summary whose buffers a later call has
 * overwritten throws rather than mixing two batches. Values are the same bits with or
 * without a workspace.
 *
 * @example
 * const ws = createStatsWorkspace();
 * for (const batch of batches) {
 *   const s = batchGradStats(loss, params, batch, { workspace: ws });
 *   const st = statistics(s);      // st.meanGrad, st.S_j: valid until the next call with ws
 *   history.push(st.S_norm);       // numbers are yours to keep
 * }
 */

/** The buffers of a workspace and the number of calls that have written into them. */
export interface StatsWorkspace {
  /** Calls that have written into the buffers so far. */
  readonly generation: number;
}

/** What a summary computed into a workspace carries: the workspace and the call that wrote it. */
export interface WorkspaceStamp {
  readonly workspace: StatsWorkspace;
  readonly generation: number;
}

class Workspace implements StatsWorkspace {
  generation = 0;
  private readonly bufs = new Map<string, Float64Array>();

  /** The buffer `name` of n doubles, zeroed when `zero`, reallocated when its length differs. */
  take(name: string, n: number, zero: boolean): Float64Array {
    const a = this.bufs.get(name);
    if (a !== undefined && a.length === n) {
      if (zero) a.fill(0);
      return a;
    }
    const fresh = new Float64Array(n);
    this.bufs.set(name, fresh);
    return fresh;
  }
}

/** A new, empty workspace (see the module comment). */
export function createStatsWorkspace(): StatsWorkspace {
  return new Workspace();
}

function own(ws: StatsWorkspace, where: string): Workspace {
  if (!(ws instanceof Workspace)) throw new Error(`${where}: workspace must come from createStatsWorkspace()`);
  return ws;
}

/** Start a call that writes into `ws`: its stamp (the next generation). */
export function beginWorkspaceCall(ws: StatsWorkspace, where: string): WorkspaceStamp {
  const w = own(ws, where);
  w.generation += 1;
  return { workspace: w, generation: w.generation };
}

/** The stamped call's buffer `name` of n doubles (zeroed when `zero`); throws if a later call has begun. */
export function workspaceBuffer(stamp: WorkspaceStamp, name: string, n: number, zero: boolean, where: string): Float64Array {
  checkStamp(stamp, where);
  return own(stamp.workspace, where).take(name, n, zero);
}

/** Throws when a later call has overwritten the buffers of the stamped one. */
export function checkStamp(stamp: WorkspaceStamp, where: string): void {
  if (stamp.workspace.generation !== stamp.generation) {
    throw new Error(
      `${where}: this summary's arrays were overwritten by a later call with the same workspace (call ${stamp.generation}, now ${stamp.workspace.generation}); compute its statistics before the next call, or copy what you keep`,
    );
  }
}
