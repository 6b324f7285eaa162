/** The examples and notes printed after each command's `--help`; every file they name ships in the package (examples/). */

export const EXAMPLES = {
  root: `
Examples:
  $ adadagrad problems --family nqm
  $ adadagrad run --problem nqm_d100_i0 --variant adadagrad-norm --eta 0.5 --bmax 1024 --steps 200 --out results/run.jsonl
  $ adadagrad example sweep > sweep.json
  $ adadagrad sweep --config sweep.json --out results/sweep-small --traces
  $ adadagrad plot results/sweep-small --out figures/
  $ adadagrad example grads > grads.json
  $ adadagrad stats --grads grads.json --eta 0.5

Exit codes: 0 ok, 1 a run failed (diverged or error), 2 bad input (flags, configuration, names), 130 interrupted.`,
  run: `
The last line of FILE.jsonl is a summary with the final status. Flags override the
fields of --config; budget flags replace the config's budget. Names and defaults: see
the README's tables (optimizers, controllers, variants, hyperparameters). A flag that
neither the optimizer nor the controller reads is reported as a warning.
θ, ν: the CLI uses θ = 0.9, ν = 5.84 (Bollapragada, Byrd, Nocedal 2018, whose tests
these are); the official AdAdaGrad code defaults to θ = ν = 0.1 and its README example
uses θ = 0.5, ν = 1.0: pass --theta/--nu to match it.
Test statistics: by default those of the whole batch (the unbiased pooled
estimator); --pooling official computes them as the official code does on M devices
(--devices, --test-micro-batch; config field testPooling {devices, microBatch, form}),
biased upward by about 1 + (M−1)/(M·b_m); the README says where the two differ.
Problems: any id of \`adadagrad problems\`, or your own LIBSVM file as
libsvm:PATH?family=nclogreg (families nclogreg, robust-cauchy, robust-gemanmcclure,
robust-welsch, sigmoid; options lambda, c, bias).

Examples:
  $ adadagrad run --problem nqm_d100_i0 --variant adadagrad-norm --eta 0.5 --bmax 1024 --steps 200 --out results/run.jsonl
  $ adadagrad run --problem lsq-noisy_d20_n2000_i0 --optimizer adagrad --controller coord-norm --eta 0.25 --bmax 512 --epochs 5 --no-replace --out results/lsq.jsonl --json
  $ adadagrad run --problem cnn-teacher_c2_s6_n200_i0 --variant adadagrad-norm --eta 0.5 --b0 8 --test-workers 4 --bmax 200 --epochs 20 --pooling official --devices 4 --test-micro-batch 25
  $ adadagrad example run > run.json
  $ adadagrad run --config run.json --seed 3 --out results/seed3.jsonl
  $ adadagrad example svm > tiny.svm
  $ adadagrad run --problem 'libsvm:tiny.svm?family=nclogreg' --variant adadagrad-norm --steps 50 --out results/svm.jsonl`,
  sweep: `
A sweep config is JSON: {name?, grid: {problem: [...], variant: [...] | optimizer: [...] + controller: [...],
seed: [...], hyper?: {eta: [...], lr: [...], ...}}, hyper?: {fixed values}, budget: {steps?, samples?, epochs?},
evalEvery?, replace?}. The grid expands in the order problem → method (variant, or optimizer × controller)
→ grid.hyper fields in alphabetical order → seed (fastest). Each run is keyed by run_id, a hash of its
canonical configuration: a restarted sweep skips runs already in DIR/results.jsonl. --shard i/n keeps the
runs whose position, after sorting by run_id, is i−1 mod n. Results do not depend on --workers.

Examples:
  $ adadagrad example sweep > sweep.json
  $ adadagrad sweep --config sweep.json --out results/s --traces
  $ adadagrad plot results/s --out figures/
  $ adadagrad sweep --config sweep.json --out results/s --workers 2 --traces
  $ adadagrad sweep --config sweep.json --out results/shard-$SLURM_ARRAY_TASK_ID --shard $SLURM_ARRAY_TASK_ID/8
  $ adadagrad sweep --config sweep.json --out results/s --dry-run --json`,
  merge: `
Identical duplicates collapse; a run_id with conflicting results is an error (exit 2).

Examples:
  $ adadagrad merge results/shard-1 results/shard-2 results/shard-3 --out results/all
  $ adadagrad merge results/a/results.jsonl results/b --out results/all --traces`,
  plot: `
Examples:
  $ adadagrad example sweep > sweep.json
  $ adadagrad sweep --config sweep.json --out results/s --traces
  $ adadagrad plot results/s --out figures/`,
  problems: `
Examples:
  $ adadagrad problems
  $ adadagrad problems --family nqm --json
  $ adadagrad problems --tag population --tag nonconvex`,
  stats: `
The input is JSON: an array of b rows of length d (per-sample gradients), or
{"grads": [...], "blocks": [[start, end], ...]} with half-open ranges tiling [0, d).
next_batch is min(bmax, ⌈max(batch, T)⌉) for each test (docs/MATH.md §3); --bmax must be ≥ --batch.
Statistics that overflow to ±∞ are rejected (exit 2), not reported as a test that holds.

Examples:
  $ adadagrad example grads > grads.json
  $ adadagrad stats --grads grads.json --eta 0.5 --theta 0.5 --nu 1
  $ adadagrad stats --grads grads.json --batch 64 --bmax 4096`,
  reproduce: `
Each run's output is cached in OUT/runs/ as soon as it ends: a rerun (or a run after a
crash) reuses it. Default mode takes a few minutes on 2 cores; --quick is the small CI size (times in the README).

Examples:
  $ adadagrad reproduce
  $ adadagrad reproduce --quick --out /tmp/figs
  $ adadagrad reproduce fig1 --out figures/
  $ adadagrad reproduce fig6-mnist --full`,
  example: `
Prints a file that ships with the package (examples/), to start from or to try a command.

Examples:
  $ adadagrad example
  $ adadagrad example sweep > sweep.json
  $ adadagrad example run --path`,
};
