import * as path from 'node:path';

// Tests run from the repository root (npm test); ../shared sits beside the checkout, in CI too.
export const FIXTURES = path.resolve(process.cwd(), '..', 'shared', 'fixtures');
export const fixtureModel = (name: string): string => path.join(FIXTURES, 'models', name);
export const fixtureDataset = (...parts: string[]): string => path.join(FIXTURES, 'datasets', ...parts);
