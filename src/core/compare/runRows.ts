// A finished run's probed rows, made again from its result: the dataset file, the columns the run used and
// its options give the same seeded selection and the same token sequences as the run (the pipeline's own
// steps, in its order), checked against what the result recorded so that a changed file is refused rather
// than probed on other rows.

import type { ColumnMapping } from '../../contract/columns';
import type { ProbeResult } from '../../contract/result';
import { defaultRunOptions, promptFormatOf, type RunOptions } from '../../contract/runOptions';
import { resolveColumnMapping } from '../dataset/columns';
import { contentHash, readTable } from '../dataset/readTable';
import { toRows } from '../dataset/rows';
import { tokenLimitForRows } from '../model/positionLimit';
import { PipelineError } from '../pipeline/errors';
import { type PreparedRows, prepareRows } from '../pipeline/prepareRows';
import { selectRows } from '../pipeline/selectRows';
import type { ModelTokenizer } from '../tokenize/modelTokenizer';

export interface RunRows {
  datasetFile: string;
  datasetHash: string;
  mapping: ColumnMapping;
  options: RunOptions;
  prepared: PreparedRows;
}

export async function rowsOfRun(result: ProbeResult, resultFile: string, tokenizer: ModelTokenizer, log: (line: string) => void): Promise<RunRows> {
  const datasetFile = result.dataset.file;
  const rerun = `probe ${datasetFile} again and use the new run`;
  const datasetHash = await contentHash(datasetFile).catch((err: unknown) => {
    throw new PipelineError(`${resultFile}: its dataset ${datasetFile} cannot be read (${(err as Error).message}); restore it or ${rerun}`, { cause: err });
  });
  if (datasetHash !== result.dataset.contentHash) {
    throw new PipelineError(`${datasetFile} has changed since the run in ${resultFile} probed it: its rows are no longer that run's; ${rerun}`);
  }
  // Options a result written before an option existed lacks were the table's defaults then.
  const options: RunOptions = { ...defaultRunOptions(), ...result.settings.options };
  const table = await readTable(datasetFile, { encoding: options.encoding });
  const mapping = resolveColumnMapping(datasetFile, table.columns, result.dataset.columns);
  const { rows, dropped } = toRows(table, mapping);
  const selection = selectRows(table.records.length, rows, options);
  const prepared = await prepareRows(datasetFile, tokenizer, selection, dropped, log, promptFormatOf(options), tokenLimitForRows(options.modelFolder, log));
  const testRows = prepared.test.map((r) => r.rowIndex);
  const sameTest = testRows.length === result.nTest && testRows.every((r, i) => r === result.test.rowIndex[i] && prepared.test[i].correct === result.test.label[i]);
  if (prepared.train.length !== result.nTrain || !sameTest) {
    throw new PipelineError(
      `${resultFile}: its rows could not be made again from ${datasetFile} (${prepared.train.length} train / ${testRows.length} test rows now, ` +
        `${result.nTrain} / ${result.nTest} in the result; another version of Layer Probe may have selected them): ${rerun}`,
    );
  }
  return { datasetFile, datasetHash, mapping, options, prepared };
}
