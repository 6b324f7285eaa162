/** index.html: every figure with its caption, the command that regenerates it and links to its data and spec. */
import type { SavedFigure } from './figure.js';

/** Escape text for HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface IndexPage {
  readonly title: string;
  /** Paragraphs above the figures (plain text). */
  readonly intro: readonly string[];
  readonly figures: readonly SavedFigure[];
  /** Lines under the figures (plain text), e.g. what was left out and timings. */
  readonly notes?: readonly string[];
}

/** The page as a self-contained HTML document (figures by relative path). */
export function indexHtml(page: IndexPage): string {
  const figs = page.figures
    .map(
      (f) => `<section id="${escapeHtml(f.name)}">
  <h2>${escapeHtml(f.title)}</h2>
  <figure>
    <a href="${escapeHtml(f.files.png)}"><img src="${escapeHtml(f.files.svg)}" alt="${escapeHtml(f.title)}"></a>
    <figcaption>${f.caption.split('\n\n').map((p) => `<p>${escapeHtml(p)}</p>`).join('\n    ')}</figcaption>
  </figure>
  <p class="cmd">Regenerate: <code>${escapeHtml(f.command)}</code></p>
  <p class="files">Files: <a href="${escapeHtml(f.files.svg)}">SVG</a> · <a href="${escapeHtml(f.files.png)}">PNG</a> · <a href="${escapeHtml(f.files.csv)}">data (CSV)</a>${f.files.seeds !== undefined ? ` · <a href="${escapeHtml(f.files.seeds)}">per-seed data (CSV)</a>` : ''} · <a href="${escapeHtml(f.files.spec)}">Vega-Lite spec</a></p>
</section>`,
    )
    .join('\n');
  const toc = page.figures.map((f) => `<li><a href="#${escapeHtml(f.name)}">${escapeHtml(f.title)}</a></li>`).join('\n  ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(page.title)}</title>
<style>
  body { font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
  h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
  figure { margin: 0; } img { max-width: 100%; height: auto; border: 1px solid #eee; }
  figcaption { font-size: .95em; color: #333; }
  code { background: #f4f4f4; padding: .1em .3em; border-radius: 3px; font-size: .92em; }
  .cmd, .files { font-size: .9em; color: #444; margin: .3em 0; }
  .notes { font-size: .9em; color: #444; }
</style>
</head>
<body>
<h1>${escapeHtml(page.title)}</h1>
${page.intro.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<ol>
  ${toc}
</ol>
${figs}
${page.notes !== undefined && page.notes.length > 0 ? `<h2>Notes</h2>\n<ul class="notes">\n${page.notes.map((n) => `  <li>${escapeHtml(n)}</li>`).join('\n')}\n</ul>` : ''}
</body>
</html>
`;
}
