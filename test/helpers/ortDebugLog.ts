import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// onnxruntime's telemetry writes /tmp/mat-debug-<pid>.log (see src/core/onnx/telemetryOff.ts). Pids are
// reused, and a file left by an earlier process with the same pid (any program on the machine that loads
// onnxruntime without the opt-out) is not this run's doing: only a file that appears, or changes, while
// the run is alive counts.
const logOf = (pid: number): string => path.join(os.tmpdir(), `mat-debug-${pid}.log`);
const mtimeOf = (file: string): number | undefined => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;

/** Records the debug logs present now; `wroteFor(pid)` then says whether that pid's log is new or touched. */
export function ortDebugLogWatch(): { wroteFor(pid: number | undefined): boolean } {
  const before = new Map<string, number>();
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!/^mat-debug-\d+\.log$/.test(name)) continue;
    const mtime = mtimeOf(path.join(os.tmpdir(), name));
    if (mtime !== undefined) before.set(name, mtime);
  }
  return {
    wroteFor(pid) {
      if (pid === undefined) return false;
      const mtime = mtimeOf(logOf(pid));
      return mtime !== undefined && before.get(path.basename(logOf(pid))) !== mtime;
    },
  };
}
