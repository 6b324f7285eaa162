/**
 * Which batch statistics (docs/MATH.md §2) a test or controller reads, and what the
 * per-sample summary must hold to give them. Every batch has b, ḡ and ||ḡ||²; beyond
 * those a reader declares what it reads and the step computes only the union:
 *
 *   'S_norm'                       Σ_i ||g_i − ḡ||²  (also B_simple = S_norm/||ḡ||²)
 *   'S_ip', 'S_orth'               ⟨g_i − ḡ, ḡ⟩ per sample (and Σ_i ||g_i − ḡ||²)
 *   'S_j'                          Σ_i (g_ij − ḡ_j)² per coordinate
 *   'blockwise.S_ip', 'blockwise.S_orth'   ⟨g_i^p − ḡ^p, ḡ^p⟩ per block and sample
 *
 * For a linear block g_i = x_i δ_iᵀ these are ||x_i||²||δ_i||² (S_norm alone: no pass
 * over X beyond ḡ's), x_iᵀ ḡ δ_i (the 'dots') and (X∘X)ᵀ(Δ∘Δ) (the 'coord' part), so a
 * norm-test controller skips the two costly products (engine.ts, Backend.linearStats).
 */

/** The batch statistics a reader can declare, named as the fields of BatchStatistics. */
export const BATCH_STATS = ['S_norm', 'S_ip', 'S_orth', 'S_j', 'blockwise.S_ip', 'blockwise.S_orth'] as const;
export type BatchStat = (typeof BATCH_STATS)[number];

/**
 * The per-sample quantities a summary holds beyond ḡ, ||g_i||² and Σ_i ||g_i − ḡ||²
 * (which every summary holds): `dots` ⟨g_i, ḡ⟩ with ⟨g_i − ḡ, ḡ⟩ and ||g_i − ḡ||² per
 * sample; `coord` Σ_i g_ij² and Σ_i (g_ij − ḡ_j)² per coordinate.
 */
export interface SummaryParts {
  readonly dots: boolean;
  readonly coord: boolean;
}

export const ALL_PARTS: SummaryParts = { dots: true, coord: true };

/** Check a list of declared statistics (a clear error for a misspelt name). */
export function checkStats(where: string, stats: readonly string[]): readonly BatchStat[] {
  for (const s of stats) {
    if (!(BATCH_STATS as readonly string[]).includes(s)) {
      throw new Error(`${where}: unknown batch statistic '${s}' (known: ${BATCH_STATS.join(', ')})`);
    }
  }
  return stats as readonly BatchStat[];
}

/** The union of several declarations, in BATCH_STATS order. */
export function unionStats(...lists: readonly (readonly BatchStat[])[]): readonly BatchStat[] {
  return BATCH_STATS.filter((s) => lists.some((l) => l.includes(s)));
}

/** What a summary must hold for `stats`. */
export function partsFor(stats: readonly BatchStat[]): SummaryParts {
  return {
    dots: stats.some((s) => s === 'S_ip' || s === 'S_orth' || s === 'blockwise.S_ip' || s === 'blockwise.S_orth'),
    coord: stats.includes('S_j'),
  };
}

/** The statistics a summary holding `parts` gives. */
export function statsOf(parts: SummaryParts): readonly BatchStat[] {
  return BATCH_STATS.filter((s) => (s === 'S_norm' ? true : s === 'S_j' ? parts.coord : parts.dots));
}

/** Both parts of a and b (what a summary combined from blocks holding a and b holds). */
export function meetParts(a: SummaryParts, b: SummaryParts): SummaryParts {
  return { dots: a.dots && b.dots, coord: a.coord && b.coord };
}

export function isFull(p: SummaryParts): boolean {
  return p.dots && p.coord;
}
