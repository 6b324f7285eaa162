/** The figure families, in the order of the index page. */
import type { FigureFamily } from './family.js';
import { batchFamily } from './batch.js';
import { benchFamily } from './bench.js';
import { cnnFamily } from './cnn.js';
import { complexityFamily } from './complexity.js';
import { mnistFamily } from './mnist.js';
import { ratesFamily } from './rates.js';
import { sebsFamily } from './sebs.js';
import { sgdmFamily } from './sgdm.js';
import { localFamily } from './local.js';
import { adagradSgdFamily } from './adagradSgd.js';
import { surgeFamily } from './surge.js';

export const FAMILIES: readonly FigureFamily[] = [ratesFamily, batchFamily, complexityFamily, sebsFamily, mnistFamily, cnnFamily, benchFamily, sgdmFamily, localFamily, adagradSgdFamily, surgeFamily];
