// The whole bad-input corpus, generated at test time (nothing large is committed).
import { datasetCases } from './cases/datasets';
import { fileSystemCases } from './cases/fileSystem';
import { flagCases } from './cases/flags';
import { modelCases } from './cases/models';
import type { BadCase } from './harness';

export const CORPUS: BadCase[] = [...datasetCases, ...fileSystemCases, ...modelCases, ...flagCases];
