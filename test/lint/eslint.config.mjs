// ESLint (typescript-eslint) for the whole repository, run by `npm test` as `eslint -c test/lint/eslint.config.mjs`
// (kept under test/ because the design card fixes the top-level files). Besides the recommended rules it
// enforces the runtime boundaries of README "Architecture": what src/contract, the webview and the
// extension host may import.
import js from '@eslint/js';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'util', 'worker_threads', 'stream', 'url'];
const restrict = (patterns, message) => patterns.map((group) => ({ group: [group], message }));

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.demo/**', '.test-output/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrict(NODE_BUILTINS, 'src/contract is plain TypeScript: no Node modules (it is shared with the webview)'),
            ...restrict(['vscode', 'onnxruntime-*'], 'src/contract imports no libraries'),
            ...restrict(['../core/*', '../extension/*', '../storage/*', '../cli/*', '../worker/*', '../../webview/*'], 'src/contract imports only src/contract'),
          ],
        },
      ],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrict(NODE_BUILTINS, 'the webview runs in a browser: no Node modules'),
            ...restrict(['vscode', 'onnxruntime-node'], 'the webview talks to the host only through src/contract/webviewProtocol'),
            ...restrict(['../src/core/*', '../src/extension/*', '../src/storage/*', '../src/cli/*', '../src/worker/*'], 'the webview imports only src/contract'),
          ],
        },
      ],
    },
  },
  {
    files: ['src/extension/**/*.ts', 'src/storage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrict(['onnxruntime-*'], 'the extension host never loads onnxruntime: heavy work runs in the worker process'),
            ...restrict(['**/core/*'], 'the extension host never imports src/core: it talks to the worker through src/contract/workerProtocol'),
          ],
        },
      ],
    },
  },
);
