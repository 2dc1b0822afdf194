import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.work/', '.archon/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layering (DESIGN §8): core is pure and imports nothing else from src.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../db/*', '../runner/*', '../git/*', '../config/*', '../cli/*', 'node:fs*', 'node:child_process', 'pg', '@electric-sql/*'] }],
    },
  },
  {
    // Only the CLI reads process.env, prints and sets exit codes.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'process', property: 'env', message: 'Only src/cli reads process.env.' },
        { object: 'process', property: 'exitCode', message: 'Only src/cli sets exit codes.' },
        { object: 'process', property: 'exit', message: 'Only src/cli exits.' },
        { object: 'console', property: 'log', message: 'Only src/cli prints.' },
        { object: 'console', property: 'error', message: 'Only src/cli prints.' }],
    },
  },
);
