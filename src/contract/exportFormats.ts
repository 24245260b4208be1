// What the panel's Export… offers, and the file names it suggests. Shared by the webview (the menu)
// and the extension host (the save dialog), so both name the formats the same way.
import type { MetricName } from './types';

export const EXPORT_FORMATS = ['png', 'svg', 'csv', 'json', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFormatInfo {
  /** The menu entry. */
  label: string;
  /** The save dialog's filter name. */
  filter: string;
  extension: string;
  /** Drawn by the webview (the figure) rather than made by the host from the result. */
  drawnByWebview: boolean;
}

export const EXPORT_FORMAT_INFO: Record<ExportFormat, ExportFormatInfo> = {
  png: { label: 'PNG image (figure, 2×)', filter: 'PNG image', extension: 'png', drawnByWebview: true },
  svg: { label: 'SVG image (figure)', filter: 'SVG image', extension: 'svg', drawnByWebview: true },
  csv: { label: 'CSV (paper layout: layers × tokens)', filter: 'CSV', extension: 'csv', drawnByWebview: false },
  json: { label: 'Result JSON', filter: 'JSON', extension: 'json', drawnByWebview: false },
  html: { label: 'Standalone HTML', filter: 'HTML', extension: 'html', drawnByWebview: false },
};

export function isExportFormat(value: unknown): value is ExportFormat {
  return (EXPORT_FORMATS as readonly unknown[]).includes(value);
}

/** A file-name-safe piece: letters, digits, `.`, `_`, `-`; at most 60 characters. */
function namePart(text: string): string {
  const safe = text.replace(/[^\w.-]+/g, '_').replace(/^[._]+|_+$/g, '');
  return (safe || 'x').slice(0, 60);
}

/**
 * `<model>-<dataset>-<location>-<what>.<ext>`: `<what>` is the metric for the figure and the CSV
 * (`…-auc.png`), `result` for the JSON and `heatmap` for the page. The dataset is the benchmark
 * when the answers were generated from one, as in the panel's title.
 */
export function exportFileName(
  run: { model: { name: string; location: string }; dataset: { file: string }; answers?: { benchmarkFile: string } },
  format: ExportFormat,
  metric: MetricName,
): string {
  const file = run.answers?.benchmarkFile ?? run.dataset.file;
  const dataset = (file.split(/[\\/]/).pop() || file).replace(/\.[^.]*$/, '');
  const what = format === 'json' ? 'result' : format === 'html' ? 'heatmap' : metric;
  return `${[run.model.name, dataset, run.model.location, what].map(namePart).join('-')}.${EXPORT_FORMAT_INFO[format].extension}`;
}
