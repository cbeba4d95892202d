import js from '@eslint/js';

// ESLint takes the config nearest to each file. The root one lints with TypeScript's type information, which
// these plain JavaScript files (run by whatever node is installed, outside tsconfig.check.json) do not have.
export default [js.configs.recommended, { languageOptions: { globals: { console: 'readonly', process: 'readonly' } } }];
