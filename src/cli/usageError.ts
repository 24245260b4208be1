import * as fs from 'node:fs';

import { LayerProbeError } from '../contract/errors';

/** A command line that cannot be run as given: printed with the usage hint, exit status 2. */
export class UsageError extends LayerProbeError {
  override name = 'UsageError';
}

/** A folder argument that names something other than a folder is refused; one not there yet is fine (nothing listed). */
export function requireFolderIfThere(dir: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) throw new UsageError(`${dir} is not a folder: give ${what}`);
}
