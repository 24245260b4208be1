import { LayerProbeError } from '../contract/errors';

/** A command line that cannot be run as given: printed with the usage hint, exit status 2. */
export class UsageError extends LayerProbeError {
  override name = 'UsageError';
}
