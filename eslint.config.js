// `npm run lint` part one: the recommended JavaScript, TypeScript and Svelte rules, and the house
// limits (a line at most 140 characters: Prettier wraps code at 120, and leaves strings and
// comments alone; a file at most 400 lines).
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', '.scratch/', 'bench-results/', 'test-results/', 'public/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  { languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      'max-len': ['error', { code: 140, ignoreUrls: true }],
      'max-lines': ['error', { max: 400 }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // A placeholder with a line break needs the braces: the escape is what they are for.
      'svelte/no-useless-mustaches': ['error', { ignoreStringEscape: true }],
      // It flags every local Set and Map in a .svelte.ts file; ours are scratch values, never state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
);
