// ESLint flat config. Type-aware rules run on every TypeScript project (root tsconfig, addin,
// thunderbird-ext): the project service picks the nearest tsconfig for each file.
// typescript-eslint needs the TypeScript 6 JS API, so `typescript` is aliased to
// @typescript/typescript6 while `tsc` (typecheck, builds) is TypeScript 7 (@typescript/native).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'backend/src/generated/**',
      'bench/results/**',
      'addin/schemas/**',
      'test/fixtures/**',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // An unawaited promise loses its error (unhandled rejection) and its ordering guarantee.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Reading a variable or class in its temporal dead zone throws. Functions are hoisted (files read
      // top-down: entry first, helpers after), and a closure that names a later `const` of its enclosing
      // scope (a timer that calls `off`, defined next) runs only after both exist, so those are allowed.
      '@typescript-eslint/no-use-before-define': [
        'error',
        { functions: false, classes: true, variables: false, typedefs: false, enums: true, ignoreTypeReferences: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Types are checked, not asserted away: a value of the wrong shape must fail to compile.
      'no-restricted-syntax': [
        'error',
        { selector: "TSAsExpression[typeAnnotation.type='TSNeverKeyword']", message: '`as never` hides a type error; fix the types.' },
        {
          selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']",
          message: '`as unknown as` hides a type error; type the value (or declare the global) instead.',
        },
        {
          selector: 'Literal[regex.pattern=/\\{8\\}-|\\{36\\}/]',
          message: 'Match UUIDs with UUID_PATTERN or isUuid (protocol/patterns.ts), the one pattern the server accepts.',
        },
      ],
    },
  },
  {
    // Composition code builds its parts in the order they use each other, so here even a closure may
    // not name a variable declared further down (it would be unset if called during construction).
    files: ['backend/src/server.ts', 'ui/src/chat-panel/index.ts', 'thunderbird-ext/src/background/**/*.ts'],
    rules: {
      '@typescript-eslint/no-use-before-define': [
        'error',
        { functions: false, classes: true, variables: true, typedefs: false, enums: true, ignoreTypeReferences: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // CommonJS on purpose (mocha --config loads these synchronously).
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Served to Chromium in place of office.js.
    files: ['test/addin/support/office-mock.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
