import * as fs from 'node:fs';
import * as path from 'node:path';

import { heatmapCsv } from '../contract/heatmapCsv';
import { heatmapViewSvg } from '../contract/heatmapFigure';
import { heatmapHtml } from '../contract/heatmapHtml';
import { toHeatmapView } from '../contract/heatmapView';
import type { ProbeResult } from '../contract/result';
import { baselinesCsv } from '../core/result/baselinesCsv';

export interface WrittenOutputs {
  resultJson: string;
  heatmapCsv: string;
  heatmapHtml: string;
  /** The AUC heatmap as a paper figure (the panel's SVG export), drawn without a browser. */
  heatmapSvg: string;
  /** Absent when the run scored no baselines. */
  baselinesCsv?: string;
}

/**
 * Writes result.json, heatmap.csv, baselines.csv (when scored), a standalone heatmap.html (the panel's own bundle, inlined)
 * and heatmap.svg (the AUC figure, the same code as the panel's export), each atomically.
 * `suffix` names the files of a further location: result-<suffix>.json and so on.
 */
export function writeOutputs(result: ProbeResult, outDir: string, distDir: string, suffix?: string): WrittenOutputs {
  fs.mkdirSync(outDir, { recursive: true });
  const name = (base: string, ext: string): string => path.join(outDir, suffix ? `${base}-${suffix}.${ext}` : `${base}.${ext}`);
  const files: WrittenOutputs = {
    resultJson: name('result', 'json'),
    heatmapCsv: name('heatmap', 'csv'),
    heatmapHtml: name('heatmap', 'html'),
    heatmapSvg: name('heatmap', 'svg'),
  };
  writeAtomically(files.resultJson, JSON.stringify(result, null, 1));
  writeAtomically(files.heatmapCsv, heatmapCsv(result, 'auc'));
  const baselines = baselinesCsv(result);
  if (baselines) {
    files.baselinesCsv = name('baselines', 'csv');
    writeAtomically(files.baselinesCsv, baselines);
  }
  const webviewJs = fs.readFileSync(path.join(distDir, 'webview.js'), 'utf8');
  const cssFile = path.join(distDir, 'webview.css');
  const webviewCss = fs.existsSync(cssFile) ? fs.readFileSync(cssFile, 'utf8') : '';
  writeAtomically(files.heatmapHtml, heatmapHtml(result, { webviewJs, webviewCss }));
  writeAtomically(files.heatmapSvg, heatmapViewSvg(toHeatmapView(result), 'auc').svg);
  return files;
}

/** Write-then-rename, so an interrupted run never leaves a half-written output behind. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
