/**
 * The report as one self-contained HTML file (`--html report.html`): no network, no script, inline
 * SVG pictures. It opens with the decision: the verdict and the gate as badges, then one headline
 * table of both models and their differences; the terminal's banner (the original's table) stays
 * in the terminal and Markdown forms. Every figure drawn carries its value in a data-* attribute, and the page embeds the
 * JSON report (`<script type="application/json" id="rally-report">`), so a test in a real browser
 * can check that what is drawn is what was measured.
 */
import type { BenchmarkResult, ModelResult } from './compare.ts';
import type { GateResult } from './decision.ts';
import type { CalibrationBin, Diagnostics } from './diagnostics.ts';
import { nearZeroText, resultToJSON, shortId, slicesLine, verdictLine } from './format.ts';
import { correctionText, type SliceAnalysis } from './slices.ts';
import { DIFFERENCE_RANGE } from './evaluate.ts';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f4 = (x: number) => x.toFixed(4);

function confusionSvg(role: string, d: Diagnostics): string {
  const cell = 56;
  const left = 44;
  const top = 34;
  const k = d.classes.length;
  const size = left + k * cell + 10;
  const cells = d.confusion.flatMap((row, t) => {
    const support = row.reduce((a, b) => a + b, 0);
    return row.map((count, p) => {
      const share = support > 0 ? count / support : 0;
      const x = left + p * cell;
      const y = top + t * cell;
      return (
        `<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="rgba(37, 99, 235, ${(0.08 + 0.92 * share).toFixed(3)})" data-true="${escape(d.classes[t])}" data-predicted="${escape(d.classes[p])}" data-count="${count}"><title>${escape(d.classes[t])} predicted as ${escape(d.classes[p])}: ${count}</title></rect>` +
        `<text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#111'}">${count}</text>`
      );
    });
  });
  const labels = d.classes.flatMap((c, i) => [
    `<text x="${left + i * cell + cell / 2 - 1}" y="${top - 8}" text-anchor="middle">${escape(c)}</text>`,
    `<text x="${left - 8}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escape(c)}</text>`,
  ]);
  return `<svg class="confusion" data-model="${role}" width="${size}" height="${top + k * cell + 8}" viewBox="0 0 ${size} ${top + k * cell + 8}" role="img" aria-label="confusion matrix of the ${role}">${labels.join('')}${cells.join('')}</svg>`;
}

const PLOT = { width: 260, height: 220, left: 40, bottom: 30, top: 10, right: 10 };
const px = (x: number) => PLOT.left + x * (PLOT.width - PLOT.left - PLOT.right);
const py = (y: number) => PLOT.height - PLOT.bottom - y * (PLOT.height - PLOT.bottom - PLOT.top);

function axes(xLabel: string, yLabel: string): string {
  const ticks = [0, 0.5, 1]
    .map((t) => `<text x="${px(t)}" y="${PLOT.height - PLOT.bottom + 14}" text-anchor="middle">${t}</text><text x="${PLOT.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`)
    .join('');
  return (
    `<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(0)}" stroke="#555"/><line x1="${px(0)}" y1="${py(0)}" x2="${px(0)}" y2="${py(1)}" stroke="#555"/>${ticks}` +
    `<text x="${px(0.5)}" y="${PLOT.height - 2}" text-anchor="middle">${xLabel}</text><text x="10" y="${py(0.5)}" transform="rotate(-90 10 ${py(0.5)})" text-anchor="middle">${yLabel}</text>`
  );
}

const COLOURS = { candidate: '#dc2626', production: '#2563eb' } as const;

function reliabilitySvg(label: string, curves: { role: 'candidate' | 'production'; bins: CalibrationBin[] }[]): string {
  const lines = curves.map(({ role, bins }) => {
    const points = bins.filter((bin) => bin.rows > 0);
    const path = points.map((bin) => `${px(bin.confidence).toFixed(1)},${py(bin.observed).toFixed(1)}`).join(' ');
    const dots = points
      .map(
        (bin) =>
          `<circle cx="${px(bin.confidence).toFixed(1)}" cy="${py(bin.observed).toFixed(1)}" r="3" fill="${COLOURS[role]}" data-model="${role}" data-rows="${bin.rows}" data-confidence="${bin.confidence}" data-observed="${bin.observed}"><title>${role}: ${bin.rows} rows, predicted ${bin.confidence.toFixed(3)}, observed ${bin.observed.toFixed(3)}</title></circle>`,
      )
      .join('');
    return `<polyline points="${path}" fill="none" stroke="${COLOURS[role]}" stroke-width="1.5"/>${dots}`;
  });
  return `<svg class="reliability" data-class="${escape(label)}" width="${PLOT.width}" height="${PLOT.height}" viewBox="0 0 ${PLOT.width} ${PLOT.height}" role="img" aria-label="reliability diagram of class ${escape(label)}">${axes(`predicted p(${escape(label)})`, 'observed share')}<line x1="${px(0)}" y1="${py(0)}" x2="${px(1)}" y2="${py(1)}" stroke="#999" stroke-dasharray="4 3"/>${lines.join('')}</svg>`;
}

/** Bars of the JSON report's histogram (null bounds: the open outer bins). */
function histogramSvg(bins: readonly { low: number | null; high: number | null; rows: number }[]): string {
  const width = 560;
  const height = 220;
  const left = 40;
  const bottom = 34;
  const max = Math.max(1, ...bins.map((bin) => bin.rows));
  const barWidth = (width - left - 10) / bins.length;
  const bars = bins
    .map((bin, i) => {
      const h = (bin.rows / max) * (height - bottom - 10);
      const range = `${bin.low === null ? '-inf' : bin.low.toFixed(1)} to ${bin.high === null ? '+inf' : bin.high.toFixed(1)}`;
      return `<rect x="${(left + i * barWidth).toFixed(1)}" y="${(height - bottom - h).toFixed(1)}" width="${(barWidth - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${bin.low !== null && bin.low >= 0 ? COLOURS.candidate : bin.high !== null && bin.high <= 0 ? COLOURS.production : '#a1a1aa'}" data-rows="${bin.rows}"><title>${range}: ${bin.rows} rows</title></rect>`;
    })
    .join('');
  const ticks = [-DIFFERENCE_RANGE, 0, DIFFERENCE_RANGE]
    .map((t) => `<text x="${(left + ((t + DIFFERENCE_RANGE) / (2 * DIFFERENCE_RANGE)) * (width - left - 10)).toFixed(1)}" y="${height - bottom + 14}" text-anchor="middle">${t > 0 ? `+${t}` : t}</text>`)
    .join('');
  return `<svg class="differences" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="histogram of per-row log loss differences">${bars}${ticks}<text x="${left + (width - left) / 2}" y="${height - 4}" text-anchor="middle">candidate minus production, per test row (grey: about 0; outer bars: beyond ±${DIFFERENCE_RANGE})</text><text x="4" y="14">rows</text></svg>`;
}

function modelSection(title: string, role: 'candidate' | 'production', model: ModelResult): string {
  const d = model.diagnostics;
  const near = d.nearZero;
  const rows = d.perClass
    .map(
      (m) =>
        `<tr data-class="${escape(m.label)}"><th>${escape(m.label)}</th><td data-field="precision">${f4(m.precision)}</td><td data-field="recall">${f4(m.recall)}</td><td data-field="f1">${f4(m.f1)}</td><td data-field="support">${m.support}</td></tr>`,
    )
    .join('');
  return `<section class="model" data-model="${role}">
<h3>${escape(title)} <code>${escape(shortId(model.modelId))}</code></h3>
<p>Log loss <b data-field="log_loss">${f4(model.logLoss)}</b>, accuracy <b data-field="accuracy">${f4(model.accuracy)}</b>, Brier <b data-field="brier">${f4(d.brier)}</b>, ECE <b data-field="ece">${f4(d.ece)}</b>, macro F1 <b data-field="macro_f1">${f4(d.macroF1)}</b>.
<b data-field="near_zero_rows">${near.rows}</b> ${escape(nearZeroText(near))}.</p>
<table class="per-class"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>${rows}</tbody></table>
</section>`;
}

/** How many of the weakest judged slices the interval plot draws. */
export const PLOTTED_SLICES = 20;

/** The weakest judged slices' corrected intervals of the per-row difference, against 0 (right: candidate worse). */
function sliceIntervalsSvg(analysis: SliceAnalysis): string {
  const judged = analysis.slices.filter((slice) => slice.difference !== null).slice(0, PLOTTED_SLICES);
  // Room for the longest label (about 6.5 px a character at the page's 11 px): slice labels run to 50 characters.
  const labelWidth = Math.max(120, Math.ceil(16 + 6.5 * Math.max(0, ...judged.map((slice) => slice.label.length))));
  const width = labelWidth + 490;
  const rowHeight = 18;
  const top = 20;
  const height = top + Math.max(1, judged.length) * rowHeight + 28;
  const extent = Math.max(0.05, ...judged.flatMap((slice) => slice.difference!.ci.map(Math.abs)));
  const x = (value: number) => labelWidth + ((value + extent) / (2 * extent)) * (width - labelWidth - 20);
  const rows = judged.map((slice, i) => {
    const d = slice.difference!;
    const y = top + i * rowHeight + rowHeight / 2;
    const colour = slice.worse ? COLOURS.candidate : slice.better ? '#15803d' : '#52525b';
    return (
      `<text x="${labelWidth - 8}" y="${y + 4}" text-anchor="end">${escape(slice.label)}</text>` +
      `<line x1="${x(d.ci[0]).toFixed(1)}" y1="${y}" x2="${x(d.ci[1]).toFixed(1)}" y2="${y}" stroke="${colour}" stroke-width="2"/>` +
      `<circle cx="${x(d.mean).toFixed(1)}" cy="${y}" r="3.5" fill="${colour}" data-slice="${escape(slice.label)}" data-mean="${d.mean}" data-low="${d.ci[0]}" data-high="${d.ci[1]}" data-worse="${slice.worse}" data-better="${slice.better}"><title>${escape(slice.label)}: ${d.mean.toFixed(4)} [${d.ci[0].toFixed(4)}, ${d.ci[1].toFixed(4)}]</title></circle>`
    );
  });
  const bottom = height - 22;
  const axis =
    `<line x1="${x(0).toFixed(1)}" y1="${top - 6}" x2="${x(0).toFixed(1)}" y2="${bottom}" stroke="#999" stroke-dasharray="4 3"/>` +
    `<line x1="${labelWidth}" y1="${bottom}" x2="${width - 20}" y2="${bottom}" stroke="#555"/>` +
    [-extent, 0, extent].map((tick) => `<text x="${x(tick).toFixed(1)}" y="${bottom + 14}" text-anchor="middle">${tick === 0 ? '0' : tick.toFixed(3)}</text>`).join('');
  return `<svg class="slice-intervals" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="corrected intervals of the weakest slices">${axis}${rows.join('')}</svg>`;
}

function slicesTable(analysis: SliceAnalysis): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : '-');
  const rows = analysis.slices
    .map((slice) => {
      const d = slice.difference;
      const verdict = slice.worse ? 'worse' : slice.better ? 'better' : slice.judged ? 'no clear difference' : 'too small to judge';
      return `<tr data-slice="${escape(slice.label)}" data-rows="${slice.rows}" data-judged="${slice.judged}" data-worse="${slice.worse}" data-better="${slice.better}"><th>${escape(slice.label)}</th><td>${slice.rows}</td><td>${f(slice.candidate.logLoss)}</td><td>${f(slice.production.logLoss)}</td><td>${f(slice.candidate.accuracy)}</td><td>${f(slice.production.accuracy)}</td><td>${d ? d.mean.toFixed(4) : '-'}</td><td>${d ? `[${d.ci[0].toFixed(4)}, ${d.ci[1].toFixed(4)}]` : '-'}</td><td class="slice-verdict ${verdict.replace(/ /g, '-')}">${verdict}</td></tr>`;
    })
    .join('\n');
  return `<table class="slices"><thead><tr><th>slice</th><th>rows</th><th>log loss, candidate</th><th>production</th><th>accuracy, candidate</th><th>production</th><th>difference</th><th>interval</th><th>verdict</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

export interface HtmlOptions {
  gate?: GateResult;
}

const BADGE_TEXT = { better: 'Candidate better', worse: 'Candidate worse', 'no clear difference': 'No clear difference' } as const;
const verdictClass = (verdict: keyof typeof BADGE_TEXT) => (verdict === 'no clear difference' ? 'unclear' : verdict);
const signed4 = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(4)}`;

/** The decision first: the verdict as a badge, and the gate's result as another when a gate ran. */
function decisionBadges(result: BenchmarkResult, gate: GateResult | undefined): string {
  const verdict = result.decision.verdict;
  const gateBadge = gate
    ? `<span class="badge gate ${gate.passed ? 'passed' : 'failed'}" data-gate="${gate.passed ? 'passed' : 'failed'}">Gate ${gate.passed ? 'passed' : 'failed'}</span>`
    : '';
  return `<h1 class="verdict ${verdictClass(verdict)}" data-verdict="${verdict}"><span class="badge verdict ${verdictClass(verdict)}">${BADGE_TEXT[verdict]}</span>${gateBadge}</h1>`;
}

/**
 * One table of both models side by side and their differences (candidate − production, lower
 * is better for the losses, higher for accuracy): what a decision-maker reads before anything else.
 */
function headlineTable(result: BenchmarkResult): string {
  const { candidate, production, difference: d } = result;
  const percent = Math.round(d.confidence * 100);
  type Row = { field: string; label: string; candidate: string; production: string; difference: string; better: 'lower' | 'higher'; delta?: number };
  const row = (field: string, label: string, c: number, p: number, better: 'lower' | 'higher'): Row => ({ field, label, candidate: f4(c), production: f4(p), difference: signed4(c - p), better, delta: c - p });
  const rows: Row[] = [
    row('test_log_loss', 'Test log loss', candidate.logLoss, production.logLoss, 'lower'),
    {
      field: 'paired_difference',
      label: `Per-row test log loss, paired (${percent}% CI)`,
      candidate: '',
      production: '',
      difference: `${signed4(d.estimate)} [${signed4(d.low)}, ${signed4(d.high)}]`,
      better: 'lower',
      delta: d.estimate,
    },
    row('cv_mean_log_loss', `CV log loss (mean of ${candidate.cv.losses.length} folds)`, candidate.cv.mean, production.cv.mean, 'lower'),
    row('accuracy', 'Test accuracy', candidate.accuracy, production.accuracy, 'higher'),
    row('brier', 'Brier score', candidate.diagnostics.brier, production.diagnostics.brier, 'lower'),
    {
      field: 'near_zero_rows',
      label: `Test rows given p(true class) < ${candidate.diagnostics.nearZero.threshold}`,
      candidate: String(candidate.diagnostics.nearZero.rows),
      production: String(production.diagnostics.nearZero.rows),
      difference: String(candidate.diagnostics.nearZero.rows - production.diagnostics.nearZero.rows),
      better: 'lower',
      delta: candidate.diagnostics.nearZero.rows - production.diagnostics.nearZero.rows,
    },
  ];
  const direction = (r: Row) => (r.delta === undefined || r.delta === 0 ? 'same' : (r.delta < 0) === (r.better === 'lower') ? 'candidate-better' : 'candidate-worse');
  const body = rows
    .map((r) => `<tr data-field="${r.field}"><th>${escape(r.label)}</th><td data-model="candidate">${r.candidate}</td><td data-model="production">${r.production}</td><td class="difference ${direction(r)}">${escape(r.difference)}</td><td class="better">${r.better} is better</td></tr>`)
    .join('\n');
  return `<table class="headline"><thead><tr><th></th><th>candidate ${escape(shortId(candidate.modelId))}</th><th>production ${escape(shortId(production.modelId))}</th><th>difference</th><th></th></tr></thead><tbody>
${body}
</tbody></table>`;
}

/** The whole report as one HTML page (see the module comment). */
export function formatHtml(result: BenchmarkResult, options: HtmlOptions = {}): string {
  // The page draws from the JSON it embeds: what is drawn is what was measured, computed once.
  const report = resultToJSON(result, options);
  const json = JSON.stringify(report).replace(/</g, '\\u003c');
  const { candidate, production } = result;
  const gate = options.gate;
  const notes = [
    `<p class="verdict-line">${escape(verdictLine(result))}</p>`,
    ...(gate ? [`<p class="gate ${gate.passed ? 'passed' : 'failed'}">Gate (--fail-if-worse ${gate.margin}${gate.slices ? ' --slices' : ''}): ${gate.passed ? 'passed' : `FAILED, by ${gate.failedBy.join(' and by ')}`}.</p>`] : []),
    ...result.warnings.map((warning) => `<p class="warning" data-code="${warning.code}">Warning: ${escape(warning.message)}</p>`),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rally benchmark: ${escape(shortId(candidate.modelId))} vs production ${escape(shortId(production.modelId))}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; color: #111; padding: 0 16px; }
h1 { font-size: 20px; margin: 0 0 12px; }
.badge { display: inline-block; padding: 6px 14px; margin-right: 10px; border-radius: 999px; font-size: 18px; font-weight: 700; color: #fff; }
.badge.verdict.worse, .badge.gate.failed { background: #b91c1c; } .badge.verdict.better, .badge.gate.passed { background: #15803d; } .badge.verdict.unclear { background: #52525b; }
table.headline { font-size: 15px; margin-bottom: 12px; } table.headline td.better { color: #71717a; font-size: 12px; }
td.difference.candidate-worse { color: #b91c1c; font-weight: 600; } td.difference.candidate-better { color: #15803d; font-weight: 600; }
pre { background: #f4f4f5; padding: 12px; overflow-x: auto; }
.warning, .gate.failed { background: #fef3c7; border-left: 4px solid #d97706; padding: 6px 10px; }
.gate.passed { background: #dcfce7; border-left: 4px solid #16a34a; padding: 6px 10px; }
.row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e4e4e7; } th:first-child { text-align: left; }
svg text { font: 11px system-ui, sans-serif; }
.slice-verdict.worse { color: #b91c1c; font-weight: 600; } .slice-verdict.better { color: #15803d; font-weight: 600; } .slice-verdict.too-small-to-judge { color: #71717a; }
.legend span { display: inline-block; margin-right: 16px; } .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; }
</style>
</head>
<body>
${decisionBadges(result, gate)}
${headlineTable(result)}
${notes}
<h2>Slices, weakest first</h2>
<p class="slices-line">${escape(slicesLine(result.slices))} ${escape(correctionText(result.slices))}.</p>
${sliceIntervalsSvg(result.slices)}
${slicesTable(result.slices)}
<p>Candidate <code>${escape(candidate.modelId)}</code><br>Production <code>${escape(production.modelId)}</code> (promoted ${escape(production.promotedAt)}, ${escape(result.store)})<br>
Data: ${escape(result.evaluation.dataset.file)}, ${result.evaluation.dataset.rows} rows: ${result.evaluation.split.trainRows} training rows (${result.evaluation.split.folds} CV folds), ${result.evaluation.split.testRows} test rows, seed ${result.evaluation.split.seed}.</p>
<p class="legend"><span><i style="background:${COLOURS.candidate}"></i>candidate</span><span><i style="background:${COLOURS.production}"></i>production</span></p>
<h2>Per class</h2>
<div class="row">${modelSection('Candidate', 'candidate', candidate)}${modelSection('Production', 'production', production)}</div>
<h2>Confusion matrices (rows: true class, columns: predicted; shade: share of the true class)</h2>
<div class="row"><figure><figcaption>Candidate</figcaption>${confusionSvg('candidate', candidate.diagnostics)}</figure><figure><figcaption>Production</figcaption>${confusionSvg('production', production.diagnostics)}</figure></div>
<h2>Reliability: predicted probability against observed share, 10 bins</h2>
<div class="row">${candidate.diagnostics.classes.map((label, c) => reliabilitySvg(label, [{ role: 'candidate', bins: candidate.diagnostics.reliability[c] }, { role: 'production', bins: production.diagnostics.reliability[production.diagnostics.classes.indexOf(label)] ?? [] }])).join('')}</div>
<h2>Per-row test log loss, candidate minus production (${result.difference.rows} rows; right of 0: candidate worse)</h2>
${histogramSvg(report.paired_difference.histogram)}
<script type="application/json" id="rally-report">${json}</script>
</body>
</html>
`;
}
