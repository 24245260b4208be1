// Progress on the CLI's stderr. On a terminal: one live line, rewritten in place (\r) at each update,
// with each stage's last line kept and log lines printed above it. Elsewhere (CI logs, `2> file`): a
// stage's first and last line and at most one line a minute between, instead of one per batch.

/** The part of a stream the printer uses; tests pass a fake with a chosen isTTY. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** A terminal's width: a live line longer than it would wrap, and \r would rewrite only its last row. */
  columns?: number;
}

/** Lines between a stage's start and end when the stream is not a terminal. */
export const NON_TTY_INTERVAL_MS = 60_000;

const CLEAR_LINE = '\r\x1b[K';

export class ProgressPrinter {
  private readonly tty: boolean;
  /** The live line on screen (terminal only), redrawn after a log line. */
  private live = '';
  private stage = '';
  private ended = false;
  private lastPrinted = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: { quiet?: boolean; now?: () => number } = {},
  ) {
    this.tty = stream.isTTY === true;
  }

  /** One progress update; prints `[stage] message` as the stream allows. */
  update(stage: string, done: number, total: number, message: string): void {
    if (this.options.quiet) return;
    const now = (this.options.now ?? Date.now)();
    const line = `[${stage}] ${message}`;
    // A new total is a new stage too (a lock wait at 0/1, then the stage's own count).
    const key = `${stage} ${total}`;
    const starts = key !== this.stage;
    const ends = total > 0 && done >= total;
    // A stage that says it is done twice (its count, then a summary) keeps its first end line only.
    if (!starts && ends && this.ended) return;
    this.ended = ends;
    this.stage = key;
    if (this.tty) {
      if (ends) {
        this.stream.write(`${CLEAR_LINE}${line}\n`);
        this.live = '';
      } else {
        this.live = this.fit(line);
        this.stream.write(`${CLEAR_LINE}${this.live}`);
      }
      return;
    }
    if (starts || ends || now - this.lastPrinted >= NON_TTY_INTERVAL_MS) {
      this.stream.write(`${line}\n`);
      this.lastPrinted = now;
    }
  }

  /** A log line; on a terminal it goes above the live line, which is drawn again below it. */
  log(line: string): void {
    if (this.options.quiet) return;
    if (this.tty && this.live !== '') {
      this.stream.write(`${CLEAR_LINE}${line}\n${this.live}`);
      return;
    }
    this.stream.write(`${line}\n`);
  }

  private fit(line: string): string {
    const width = this.stream.columns;
    return width !== undefined && width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line;
  }

  /** Clears a live line left by a stage that did not finish (cancelled, failed); call when the run ends. */
  finish(): void {
    if (this.tty && this.live !== '') this.stream.write(CLEAR_LINE);
    this.live = '';
  }
}
