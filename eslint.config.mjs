// @ts-check
import tseslint from 'typescript-eslint';

const infrastructure = ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', 'pg-*', '@nats-io/*', 'nats', 'undici', 'express'];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-*/**', 'node_modules/**', '.data/**', 'coverage/**', '*.js', '*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/apps/*', '../../apps/**'], message: 'Libraries never import applications.' },
            { group: ['@hookledger/*/src/**', '@hookledger/*/**'], message: "Import a library through its index.ts ('@hookledger/<lib>')." },
          ],
        },
      ],
    },
  },
  {
    // Plain CommonJS scripts run by Node without a build (npm start, the benchmark).
    files: ['scripts/**/*.js', 'bench/**/*.js', 'test/*.js', 'apps/portal/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The domain is pure rules: no framework, database, broker or HTTP client may leak into it.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: infrastructure, message: 'libs/domain stays free of Nest, TypeORM, pg, NATS and undici.' },
            { group: ['@hookledger/*'], message: 'libs/domain depends on nothing else in the repository.' },
          ],
        },
      ],
    },
  },
);
