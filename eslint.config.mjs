import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'release/**', 'node_modules/**', 'resources/**', 'bench/results/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-nocheck': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron'], message: 'Only main/hosts/electron and preload may import electron.' }] }],
    },
  },
  {
    // The console's services do not reach into the UI: texts a person reads are the UI's, worded from codes.
    files: ['main/**/*.ts', 'agents/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron'], message: 'Only main/hosts/electron and preload may import electron.' },
            { group: ['**/renderer/**'], message: 'main/ and agents/ must not import the renderer: send a code and let the UI word it.' },
          ],
        },
      ],
    },
  },
  { files: ['main/hosts/electron/**', 'preload/**', 'tests/e2e/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // The page may share the contract with main, nothing else: no Node, no services, no electron.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/*', '!**/main/contract', '**/main/*/**', '!**/main/contract/**'], message: 'The renderer may import only main/contract from main/.' },
            { group: ['electron', 'node:*'], message: 'The renderer runs sandboxed: no electron or Node modules.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
  },
);
