// The customer portal: a browser bundle (Preact + uPlot) built into <dist>/portal with content-hashed
// file names. index.html only links files — no inline script or style — so the gateway can serve it
// under a strict Content-Security-Policy (script-src 'self'; style-src 'self').
const path = require('node:path');
const HtmlWebpackPlugin = require('html-webpack-plugin');
const MiniCssExtractPlugin = require('mini-css-extract-plugin');

const root = path.resolve(__dirname, '..', '..');

module.exports = {
  name: 'portal',
  mode: 'production',
  target: 'web',
  context: root,
  entry: { portal: './apps/portal/src/main.tsx' },
  output: {
    path: path.resolve(root, process.env.HOOKLEDGER_DIST || 'dist', 'portal'),
    // Relative to index.html, so the portal works wherever the gateway mounts it.
    publicPath: '',
    filename: '[name].[contenthash:10].js',
    clean: true,
  },
  resolve: { extensions: ['.tsx', '.ts', '.js'] },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: { loader: 'ts-loader', options: { transpileOnly: true, configFile: path.resolve(__dirname, 'tsconfig.json') } },
      },
      { test: /\.css$/, use: [MiniCssExtractPlugin.loader, 'css-loader'] },
    ],
  },
  plugins: [
    new MiniCssExtractPlugin({ filename: '[name].[contenthash:10].css' }),
    new HtmlWebpackPlugin({ template: './apps/portal/src/index.html', inject: 'body', scriptLoading: 'defer' }),
  ],
  devtool: false,
  performance: { maxAssetSize: 200_000, maxEntrypointSize: 200_000 },
  stats: 'errors-warnings',
};
