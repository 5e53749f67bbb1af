import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'client/sdk/dist/**', 'data/**', 'node_modules/**', '.test-artifacts/**', 'bench-results/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // The apps (admin, portal) and what they share: the rules of hooks, and the React Compiler's checks of what components may do.
    files: ['client/{admin,portal,ui}/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    // What each write refreshes is declared once per domain (client/admin/lib/invalidation.ts, client/portal/lib/invalidation.ts).
    files: ['client/{admin,portal,ui}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'invalidateQueries', message: "Use useInvalidate() from the app's lib/invalidation.ts: what a write refreshes is declared once per domain." },
      ],
    },
  },
  {
    // Command-line tools, examples and measured tests print to stdout on purpose.
    files: ['server/cli/**', 'scripts/**', 'e2e/**', 'client/sdk/example.ts', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },
);
