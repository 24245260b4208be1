// Whether run A's probes may be scored on run B's test rows: a probe reads one model's activations at one
// location, so both runs must have probed the same model (the same folder identity: graph, weights and
// tokenizer files) at the same location, with the same activation-changing options. Refused otherwise,
// naming what differs on each side.

import { LayerProbeError } from '../../contract/errors';
import type { ProbeResult } from '../../contract/result';
import { ACTIVATION_OPTION_KEYS } from '../../contract/runOptions';
import { canonicalJson, modelIdentity } from '../cache/cacheKey';

/** The two runs cannot be compared by transfer; the message says what differs and what to do. */
export class TransferRefused extends LayerProbeError {
  override name = 'TransferRefused';
}

export function checkTransferable(a: ProbeResult, aFile: string, b: ProbeResult, bFile: string): void {
  const refuse = (what: string, fix: string): never => {
    throw new TransferRefused(`cannot train on ${aFile} and test on ${bFile}: ${what}; ${fix}`);
  };
  if (a.model.location !== b.model.location) {
    refuse(`A probed ${a.model.location}, B probed ${b.model.location}`, `a probe only reads the location it was trained on: rerun one of them at the other's location`);
  }
  const sameFolder = a.model.dir === b.model.dir;
  if (!sameFolder) {
    let same = false;
    try {
      // A copy of the folder is the same model when its graph, weights and tokenizer files are.
      const [ia, ib] = [modelIdentity(a.model.dir), modelIdentity(b.model.dir)];
      same = canonicalJson({ files: ia.files, tokenizer: ia.tokenizerSha256 }) === canonicalJson({ files: ib.files, tokenizer: ib.tokenizerSha256 });
    } catch {
      same = false;
    }
    if (!same) {
      refuse(
        `A probed model ${a.model.name} (${a.model.dir}), B probed model ${b.model.name} (${b.model.dir})`,
        'a probe only reads the activations of the model it was trained on: probe both datasets with the same model folder',
      );
    }
  }
  if (a.model.numLayers !== b.model.numLayers || a.model.hiddenSize !== b.model.hiddenSize) {
    refuse(
      `A's model has ${a.model.numLayers} layers × ${a.model.hiddenSize}, B's ${b.model.numLayers} × ${b.model.hiddenSize}`,
      'probe both datasets with the same model folder',
    );
  }
  const differing = ACTIVATION_OPTION_KEYS.filter((k) => k !== 'modelFolder' && k !== 'location').filter(
    (k) => canonicalJson(a.settings.options[k]) !== canonicalJson(b.settings.options[k]),
  );
  if (differing.length > 0) {
    const values = differing.map((k) => `${k} ${JSON.stringify(a.settings.options[k])} in A, ${JSON.stringify(b.settings.options[k])} in B`).join('; ');
    refuse(`the runs' activations were made differently (${values})`, 'rerun one of them with the other\'s settings');
  }
}
