// ESLint for the TypeScript sources, tests and benchmarks: the recommended rules of ESLint and typescript-eslint
// (syntax-only, so it runs in seconds without type information), plus the few choices this codebase makes on purpose.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/.build/**',
      'bench/results/**',
      'public/**',
      '**/*.cjs',
      'scratch*',
      'scratch*/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        self: 'readonly',
        console: 'readonly',
        process: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Blob: 'readonly',
        fetch: 'readonly',
        caches: 'readonly',
        location: 'readonly',
        Request: 'readonly',
        Response: 'readonly',
        Headers: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      // Unused names are errors, except ones spelt with a leading underscore on purpose (destructuring to drop a key).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `let x: T | null = null; try { x = … } catch { throw … }` is deliberate: the reader sees x's start value.
      'no-useless-assignment': 'off',
    },
  },
);
