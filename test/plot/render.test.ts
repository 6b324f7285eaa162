/** The spec → SVG → PNG path, fonts and measured text widths. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fontFiles, fonts, inlineSpec, parseTtfMetrics, PNG_SIGNATURE, specToSvg, svgToPng } from '../../src/plot/index.js';

const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: 200,
  height: 120,
  title: 'Rate check',
  data: { values: [1, 2, 4, 8].map((k) => ({ K: k, v: 1 / k, method: 'AdAdaGrad-Norm' })) },
  mark: 'line',
  encoding: {
    x: { field: 'K', type: 'quantitative', scale: { type: 'log' }, title: 'K (steps)' },
    y: { field: 'v', type: 'quantitative', scale: { type: 'log' }, title: 'min ‖∇F‖²' },
    color: { field: 'method', type: 'nominal' },
  },
} as const;

describe('rendering', () => {
  it('renders a Vega-Lite spec to an SVG with its text (title, axis titles, legend)', async () => {
    const svg = await specToSvg(spec as never);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<text[^>]*>Rate check<\/text>/);
    expect(svg).toContain('K (steps)');
    expect(svg).toContain('min ‖∇F‖²');
    expect(svg).toContain('AdAdaGrad-Norm');
  });

  it('figures use the shared theme: DejaVu Sans everywhere', async () => {
    const { data: _d, $schema: _s, ...bare } = spec;
    const svg = await specToSvg(inlineSpec({ name: 't', title: 't', caption: '', command: '', spec: bare as never, rows: [{ K: 1, v: 1, method: 'a' }] }));
    expect(svg).toMatch(/font-family="DejaVu Sans/);
    expect(svg).not.toMatch(/font-family="sans-serif/);
  });

  it('rasterises the SVG to a non-empty PNG of twice its size', async () => {
    const svg = await specToSvg(spec as never);
    const png = svgToPng(svg, 2);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(2000);
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    // IHDR width, big-endian at byte 16
    expect(png.readUInt32BE(16)).toBe(2 * w);
  });

  it('draws text: the same figure with its labels blanked gives a different PNG', async () => {
    const svg = await specToSvg(spec as never);
    const blank = svg.replace(/(<text[^>]*>)[^<]*(<\/text>)/g, '$1$2');
    expect(svgToPng(svg).equals(svgToPng(blank))).toBe(false);
  });
});

describe('fonts', () => {
  it('finds DejaVu Sans (npm package dejavu-fonts-ttf, or the system copy)', () => {
    const f = fontFiles();
    expect(f).not.toBeNull();
    expect(f!.regular).toMatch(/DejaVuSans\.ttf$/);
  });

  it('measures advance widths from the font: W is wider than i, bold wider than regular, width scales with size', () => {
    const { regular, bold } = fonts();
    expect(regular!.width('W', 10)).toBeGreaterThan(regular!.width('i', 10));
    expect(regular!.width('AdaGrad', 22)).toBeCloseTo(2 * regular!.width('AdaGrad', 11), 10);
    expect(bold!.width('AdaGrad', 11)).toBeGreaterThan(regular!.width('AdaGrad', 11));
    // DejaVu Sans: the advance of a digit is 1303/2048 em
    expect(regular!.width('0', 2048)).toBeCloseTo(1303, 6);
    // symbols used in labels are in the font (not the .notdef width of 0 or a box)
    for (const ch of ['‖', '∇', '²', '⁻', 'ₖ', 'ε', '√', '∝']) expect(regular!.width(ch, 10), ch).toBeGreaterThan(0);
  });

  it('rejects a file that is not a TrueType font', () => {
    const junk = new Uint8Array(64);
    expect(() => parseTtfMetrics(junk)).toThrow(/font: no/);
    const real = readFileSync(fontFiles()!.regular);
    expect(() => parseTtfMetrics(real)).not.toThrow();
  });
});
