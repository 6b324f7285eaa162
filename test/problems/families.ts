// The family lists of the test suites, derived from the one registration (problems/registry.ts).
import type { FamilyEntry } from '../../problems/common/family.js';
import { FAMILIES } from '../../problems/registry.js';

/** Families whose instances need data files or are 2-D functions; every other (new) family counts as synthetic. */
const NOT_SYNTHETIC = new Set(['mnist-softmax', 'mnist-mlp', 'rosenbrock', 'beale', 'branin', 'libsvm']);

/** Every registered family (the contract suite runs over these). */
export const ALL_FAMILIES: readonly FamilyEntry[] = FAMILIES;

/** The synthetic families (1–4, 7–9), for suites that build every default instance cheaply. */
export const SYNTHETIC_FAMILIES: readonly FamilyEntry[] = FAMILIES.filter((f) => !NOT_SYNTHETIC.has(f.family));
