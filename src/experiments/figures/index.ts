/** The figure families, in the order of the index page. */
import type { FigureFamily } from './family.js';
import { batchFamily } from './batch.js';
import { ratesFamily } from './rates.js';

export const FAMILIES: readonly FigureFamily[] = [ratesFamily, batchFamily];
