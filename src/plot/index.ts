/** Figures: Vega-Lite specs rendered headless to SVG and PNG, saved with their data (public index, re-exports only). */
export { specToSvg, svgToPng, installTextMetrics, PNG_SIGNATURE } from './render.js';
export { fonts, fontFiles, parseTtfMetrics, FONT_FAMILY, type FontMetrics } from './fonts.js';
export { saveFigure, inlineSpec, fileSpec, type Figure, type SavedFigure } from './figure.js';
export { toCsv, parseCsv, columnsOf, type Row, type Cell } from './csv.js';
export { indexHtml, escapeHtml, type IndexPage } from './html.js';
export { BASE_CONFIG, PALETTE, DASHES, methodScales, powerLabel, powerLabelExpr, decades, logAxis, linearAxis, positiveExtent } from './theme.js';
export { quantiles, prefixMin, ecdfCurve, performanceProfile, firstReach, type ProfileCurve } from './stats.js';
export { geomInts, geomGrid, bandRows, stepLookup, BAND_RESOLVE, bandLayers, refSeries } from './layers.js';
export { traceFigures, slug, type TracedRun } from './traces.js';
export { show, inTslab, notebookOut, notebookMode } from './notebook.js';
