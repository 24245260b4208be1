// Line breaks counted the way VS Code counts them (\r\n, \r or \n), so "reveal line N" lands on the record.
const LINE_BREAK = /\r\n|\r|\n/g;
const LEADING_LINE_BREAKS = /^(?:\r\n|\r|\n)*/;

export function countLineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0;
}

/** Line breaks before the first other character: the empty lines a parser skipped. */
export function countLeadingLineBreaks(text: string): number {
  return countLineBreaks(LEADING_LINE_BREAKS.exec(text)?.[0] ?? '');
}

export function splitLines(text: string): string[] {
  return text.split(LINE_BREAK);
}

/** Maps string offsets to 1-based line numbers (jsonc-parser reports offsets only). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (const match of text.matchAll(LINE_BREAK)) this.starts.push(match.index + match[0].length);
  }

  lineAt(offset: number): number {
    // Binary search for the last line start <= offset.
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}
