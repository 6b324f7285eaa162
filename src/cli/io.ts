/** Where the command line writes: stdout for results (JSON with --json), stderr for messages and progress. */

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal: progress bars only then, plain log lines otherwise. */
  readonly errTTY: boolean;
  readonly errStream?: NodeJS.WritableStream;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errTTY: process.stderr.isTTY === true,
    errStream: process.stderr,
  };
}

/** An IO that collects output in memory (tests, embedding). */
export function memoryIO(): CliIO & { stdout: () => string; stderr: () => string } {
  let o = '';
  let e = '';
  return {
    out: (t) => void (o += t),
    err: (t) => void (e += t),
    errTTY: false,
    stdout: () => o,
    stderr: () => e,
  };
}
