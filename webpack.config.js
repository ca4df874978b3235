// One webpack compilation for every deployable entry point: the four apps and the CLIs.
// Libraries are bundled from source (path aliases below); node_modules stay external, so each
// bundle is small and `node dist/apps/<app>/main.js` runs with the installed dependencies.
const path = require('node:path');
const nodeExternals = require('webpack-node-externals');
const portal = require('./apps/portal/webpack.portal');
const tsconfig = require('./tsconfig.json');

const alias = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) => [name, path.resolve(__dirname, target)]),
);

const server = {
  mode: 'none',
  target: 'node',
  devtool: 'source-map',
  context: __dirname,
  entry: {
    'apps/api-gateway/main': './apps/api-gateway/src/main.ts',
    'apps/ingest/main': './apps/ingest/src/main.ts',
    'apps/dispatcher/main': './apps/dispatcher/src/main.ts',
    'apps/scheduler/main': './apps/scheduler/src/main.ts',
    'cli/migrate': './libs/event-store/src/migrate.main.ts',
    'cli/reencrypt-secrets': './libs/secrets/src/reencrypt-secrets.main.ts',
    'cli/rebuild-projections': './libs/event-store/src/rebuild-projections.main.ts',
    'cli/ledger-verify': './libs/ledger/src/verify-export.main.ts',
  },
  // HOOKLEDGER_DIST lets parallel work build into its own folder (the tests read the same variable).
  // clean keeps portal/: the customer portal is a second compilation into <dist>/portal that cleans only itself.
  output: { path: path.resolve(__dirname, process.env.HOOKLEDGER_DIST || 'dist'), filename: '[name].js', clean: { keep: /^portal[\\/]/ } },
  externals: [nodeExternals()],
  externalsPresets: { node: true },
  resolve: { extensions: ['.ts', '.js'], alias },
  module: {
    rules: [
      {
        test: /\.ts$/,
        exclude: /node_modules/,
        // Type checking is `npm run typecheck`; the bundle only needs transpiling.
        use: { loader: 'ts-loader', options: { transpileOnly: true, configFile: 'tsconfig.json' } },
      },
    ],
  },
  optimization: { nodeEnv: false, minimize: false, splitChunks: false },
  node: { __dirname: false, __filename: false },
  stats: 'errors-warnings',
  ignoreWarnings: [/Critical dependency/, /Module not found: Error: Can't resolve/],
};

module.exports = [server, portal];
