/** The lemmas of SPEC §8, in order (one file each; adding a lemma adds one row). */
import type { LadderLemma } from './ladder.js';
import { L0 } from './L0-variance.js';
import { L1 } from './L1-strong-growth.js';
import { L2 } from './L2-descent.js';
import { L3 } from './L3-log-sum.js';
import { L4 } from './L4-root-sum.js';
import { L5 } from './L5-telescoping.js';
import { L6 } from './L6-decorrelated.js';
import { L7 } from './L7-deterministic.js';
import { L8 } from './L8-markov.js';
import { L9 } from './L9-batch-lower-bound.js';
import { L10 } from './L10-batch-sizes.js';

export const LEMMAS: readonly LadderLemma[] = [L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10];
