/**
 * The drift report three ways: JSON (`--json`, snake_case as every rally document), the terminal
 * (the verdict and the drifted columns first), and one self-contained HTML page (`--html`): no
 * network, no script, each drifted column's two distributions side by side as inline SVG, every bar
 * carrying its share in a data-* attribute, and the JSON embedded, so a test in a real browser can
 * check that what is drawn is what was measured.
 */
import { type ColumnDrift, DRIFT_RULE, type DriftReport } from './detect.ts';

export interface DriftSources {
  file: string;
  reference: string;
}

export function driftToJSON(report: DriftReport, sources?: DriftSources) {
  return {
    drift: report.drift,
    rows: report.rows,
    reference_rows: report.referenceRows,
    alpha: report.alpha,
    ...(sources ? { file: sources.file, reference: sources.reference } : {}),
    resamples: report.resamples,
    seed: report.seed,
    rule: DRIFT_RULE,
    drifted: report.columns.filter((column) => column.drift).map((column) => column.column),
    columns: report.columns.map((column) => ({
      column: column.column,
      kind: column.kind,
      test: column.test,
      statistic: column.statistic,
      p_value: column.pValue,
      p_value_holm: column.pValueHolm,
      effect: column.effect,
      threshold: column.threshold,
      drift: column.drift,
      shares: column.shares,
    })),
  };
}

const p = (x: number) => (x < 1e-4 ? x.toExponential(1) : x.toFixed(4));
const pad = (text: string, width: number) => text.padEnd(width);

/** The verdict in one line. */
export function driftVerdict(report: DriftReport): string {
  const drifted = report.columns.filter((column) => column.drift);
  const of = `${report.rows} rows against ${report.referenceRows} reference rows, ${report.columns.length} columns, alpha ${report.alpha}`;
  if (drifted.length === 0) return `No drift (${of}).`;
  return `Drift in ${drifted.length} column${drifted.length === 1 ? '' : 's'}: ${drifted.map((column) => column.column).join(', ')} (${of}).`;
}

/** Drifted columns first (largest effect first), then the others in contract order. */
export function columnsInReportOrder(report: DriftReport): ColumnDrift[] {
  const drifted = report.columns.filter((column) => column.drift).sort((a, b) => b.effect - a.effect);
  return [...drifted, ...report.columns.filter((column) => !column.drift)];
}

export function formatDriftReport(report: DriftReport, sources?: DriftSources): string {
  const lines = [driftVerdict(report)];
  if (sources) lines.push(`File ${sources.file}; reference ${sources.reference}.`);
  const width = Math.max(6, ...report.columns.map((column) => column.column.length));
  lines.push('', `${pad('column', width)}  ${pad('kind', 8)}  ${pad('test', 10)}  statistic  p (Holm)  PSI     threshold  drift`);
  for (const column of columnsInReportOrder(report)) {
    lines.push(
      `${pad(column.column, width)}  ${pad(column.kind, 8)}  ${pad(column.test, 10)}  ${column.statistic.toFixed(4).padStart(9)}  ${p(column.pValueHolm).padStart(8)}  ${column.effect.toFixed(4)}  ${column.threshold.toFixed(4).padStart(9)}  ${column.drift ? 'DRIFT' : '-'}`,
    );
  }
  lines.push('', `Rule: ${DRIFT_RULE} (${report.resamples} draws, seed ${report.seed}.)`);
  return lines.join('\n');
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLOURS = { reference: '#2563eb', current: '#dc2626' } as const;

/** Bars of the reference's and the new file's share in each bin, side by side. */
export function sharesSvg(column: ColumnDrift): string {
  const group = 44;
  const left = 44;
  const bottom = 58;
  const top = 12;
  const height = 240;
  const width = Math.max(320, left + column.shares.length * group + 12);
  const max = Math.max(1e-9, ...column.shares.flatMap((share) => [share.reference, share.current]));
  const y = (share: number) => height - bottom - (share / max) * (height - bottom - top);
  const bars = column.shares.flatMap((share, i) => {
    const x = left + i * group;
    return (['reference', 'current'] as const).map((which, k) => {
      const value = share[which];
      return `<rect x="${x + 4 + k * 18}" y="${y(value).toFixed(1)}" width="16" height="${(height - bottom - y(value)).toFixed(1)}" fill="${COLOURS[which]}" data-file="${which}" data-bin="${escape(share.bin)}" data-share="${value}"><title>${which}, ${escape(share.bin)}: ${(100 * value).toFixed(1)}%</title></rect>`;
    });
  });
  const labels = column.shares.map((share, i) => {
    const x = left + i * group + 22;
    return `<text x="${x}" y="${height - bottom + 12}" text-anchor="end" transform="rotate(-40 ${x} ${height - bottom + 12})">${escape(share.bin)}</text>`;
  });
  const axis = `<line x1="${left}" y1="${height - bottom}" x2="${width - 8}" y2="${height - bottom}" stroke="#555"/><text x="${left - 6}" y="${top + 4}" text-anchor="end">${(100 * max).toFixed(0)}%</text><text x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>`;
  return `<svg class="shares" data-column="${escape(column.column)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="shares of ${escape(column.column)} in the reference and the new file">${axis}${bars.join('')}${labels.join('')}</svg>`;
}

export function formatDriftHtml(report: DriftReport, sources?: DriftSources): string {
  const drifted = columnsInReportOrder(report).filter((column) => column.drift);
  const rows = columnsInReportOrder(report)
    .map(
      (column) =>
        `<tr data-column="${escape(column.column)}" data-drift="${column.drift}"><td>${escape(column.column)}</td><td>${column.kind}</td><td>${column.test}</td><td>${column.statistic.toFixed(4)}</td><td>${p(column.pValueHolm)}</td><td>${column.effect.toFixed(4)}</td><td>${column.threshold.toFixed(4)}</td><td class="${column.drift ? 'bad' : 'good'}">${column.drift ? 'drift' : 'no drift'}</td></tr>`,
    )
    .join('\n');
  const pictures = drifted
    .map((column) => `<figure><figcaption>${escape(column.column)}: PSI ${column.effect.toFixed(4)} (threshold ${column.threshold.toFixed(4)}); <span style="color:${COLOURS.reference}">reference</span> and <span style="color:${COLOURS.current}">new file</span></figcaption>${sharesSvg(column)}</figure>`)
    .join('\n');
  const json = JSON.stringify(driftToJSON(report, sources)).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>rally drift: ${escape(driftVerdict(report))}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px}.badge{display:inline-block;padding:4px 10px;border-radius:12px;color:#fff;font-weight:600}.badge.drift{background:#dc2626}.badge.none{background:#16a34a}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.bad{color:#b91c1c;font-weight:600}.good{color:#15803d}figure{display:inline-block;margin:8px 16px 8px 0}svg text{font-size:11px}</style></head>
<body>
<h1 class="verdict" data-drift="${report.drift}"><span class="badge ${report.drift ? 'drift' : 'none'}">${report.drift ? 'DRIFT' : 'NO DRIFT'}</span> ${escape(driftVerdict(report))}</h1>
${sources ? `<p>File <code>${escape(sources.file)}</code>; reference <code>${escape(sources.reference)}</code>.</p>` : ''}
<section class="pictures">${pictures || '<p>No column drifted: nothing to draw.</p>'}</section>
<table class="columns"><thead><tr><th>column</th><th>kind</th><th>test</th><th>statistic</th><th>p (Holm)</th><th>PSI</th><th>threshold</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>
<p class="rule">${escape(DRIFT_RULE)} ${report.resamples} draws, seed ${report.seed}.</p>
<script type="application/json" id="rally-drift">${json}</script>
</body></html>
`;
}
