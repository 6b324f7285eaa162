/**
 * Jobs: the unit of work of `sweep`, `run` and `reproduce`. A job has an id (a
 * hash of what it computes, see hash.ts), a label for progress lines, a
 * serialisable spec sent to a worker thread, and a rough cost (longest first).
 * What a spec means is up to an executor module: a module that exports
 * `execute(spec, ctx)`, imported by URL in each worker (or in this thread).
 */

/** One job. */
export interface Job<S> {
  /** A hash of what the job computes (equal ids: equal outputs). */
  readonly id: string;
  /** A short human-readable name for progress lines. */
  readonly label: string;
  /** What the executor gets (structured-cloneable). */
  readonly spec: S;
  /** A rough cost, to start the longest first (default: list order). */
  readonly cost?: number;
}

/** What an executor may do besides returning its output. */
export interface JobContext {
  /** Send a progress note to the parent (`PoolOptions.onProgress`); cheap, may be dropped. */
  progress(note: unknown): void;
}

/** The shape of an executor module: `export function execute(spec, ctx)`. */
export interface ExecutorModule<S, O> {
  execute(spec: S, ctx: JobContext): O | Promise<O>;
}

/**
 * An error that crossed from a worker to the parent, with the fields the
 * parent needs to report it (`code` and `path` of a file-system error).
 */
export class JobError extends Error {
  constructor(
    message: string,
    readonly job: string,
    readonly code?: string,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'JobError';
  }
}

/** The plain-data form of an error, to post across threads. */
export interface ErrorData {
  readonly message: string;
  readonly name?: string;
  readonly code?: string;
  readonly path?: string;
  readonly stack?: string;
}

/** The plain-data form of any thrown value. */
export function errorData(e: unknown): ErrorData {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; path?: unknown };
    return {
      message: e.message,
      name: e.name,
      ...(typeof x.code === 'string' ? { code: x.code } : {}),
      ...(typeof x.path === 'string' ? { path: x.path } : {}),
      ...(e.stack !== undefined ? { stack: e.stack } : {}),
    };
  }
  return { message: String(e) };
}
