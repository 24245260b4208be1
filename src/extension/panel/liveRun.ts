// A run's panel while it runs: opened when the run starts, it shows the stage lines of the progress
// notification and then the heatmap filling in cell by cell from the worker's `cell` messages. The host
// keeps every finished cell, so a panel reloaded mid-run (hidden and shown again) redraws them all.
import { TOKEN_POSITIONS } from '../../contract/types';
import type { LiveCell } from '../../contract/webviewProtocol';
import type { ProbedCell } from '../../contract/workerProtocol';
import type { HeatmapPanel } from './heatmapPanel';

// Stage lines can come per batch; the panel needs no more than a few a second.
const STAGE_INTERVAL_MS = 250;

export class LiveRun {
  private stage = 'Starting…';
  private progress: number | undefined;
  private numLayers: number | undefined;
  private cellsTotal: number | undefined;
  private readonly cells: LiveCell[] = [];
  private lastStageAt = 0;

  constructor(
    readonly panel: HeatmapPanel,
    private readonly title: string,
  ) {
    this.post();
  }

  /** A progress line; `fraction` is the whole run's progress (0…1). */
  onStage(message: string, fraction: number | undefined): void {
    this.stage = message;
    this.progress = fraction;
    const now = Date.now();
    if (now - this.lastStageAt < STAGE_INTERVAL_MS) return;
    this.lastStageAt = now;
    this.post();
  }

  /** A finished probe of the run's (primary) location: drawn at once, with its final value. */
  onCell(cell: ProbedCell): void {
    this.numLayers = cell.numLayers;
    this.cellsTotal = cell.total;
    this.cells.push({ layer: cell.layer, token: cell.token, auc: cell.metrics.auc, aucInterval: cell.aucInterval });
    this.post();
  }

  private post(): void {
    if (!this.panel.isOpen) return;
    this.panel.showLive({
      title: this.title,
      stage: this.stage,
      ...(this.progress === undefined ? {} : { progress: this.progress }),
      tokens: [...TOKEN_POSITIONS],
      ...(this.numLayers === undefined ? {} : { numLayers: this.numLayers, cellsTotal: this.cellsTotal }),
      cells: [...this.cells],
    });
  }
}
