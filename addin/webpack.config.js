// Builds the Outlook add-in's task panes and event runtime into dist/addin/, served by the backend
// under /addin/. Same toolchain as ui/ (webpack 5, esbuild-loader, native CSS): no framework.
// Each pane is one small entry; the chat panel and the socket client load as shared async chunks
// only when a chat is shown.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';
import { browserDefaults, PageHtmlPlugin } from '../scripts/webpack-pages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC_PATH = '/addin/';
// Microsoft requires add-ins to load Office.js from its CDN.
const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/** Pages and their entries. `events` is also emitted as a stable events.js for classic Outlook. */
const pages = {
  compose: { entry: './src/panes/compose-pane.ts', html: 'compose.html', title: 'Inbox Chat: Embed IM' },
  read: { entry: './src/panes/read-pane.ts', html: 'read.html', title: 'Inbox Chat' },
  sidebar: { entry: './src/panes/sidebar-pane.ts', html: 'sidebar.html', title: 'Inbox Chat: my chats' },
  events: { entry: './src/events/main.ts', html: 'commands.html', title: 'Inbox Chat events' },
};

/** The pane icons, next to the pages. */
function emitIcons(compilation) {
  const assets = path.join(here, 'assets');
  for (const file of readdirSync(assets)) {
    compilation.emitAsset(`assets/${file}`, new webpack.sources.RawSource(readFileSync(path.join(assets, file))));
  }
}

export default (_env, argv) => {
  const production = (argv.mode ?? 'production') === 'production';
  return {
    ...browserDefaults(production),
    context: here,
    entry: Object.fromEntries(Object.entries(pages).map(([name, p]) => [name, p.entry])),
    output: {
      path: path.resolve(here, '../dist/addin'),
      publicPath: PUBLIC_PATH,
      // Classic Outlook on Windows loads events.js by a fixed URL from the manifest.
      filename: (data) => (data.chunk?.name === 'events' || !production ? '[name].js' : '[name].[contenthash:8].js'),
      chunkFilename: production ? '[name].[contenthash:8].js' : '[name].js',
      cssFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      cssChunkFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      clean: true,
    },
    optimization: {
      // The event bundle must stand alone (no runtime chunk, no shared initial chunk).
      splitChunks: { chunks: 'async' },
    },
    plugins: [new PageHtmlPlugin({ pages, publicPath: PUBLIC_PATH, headScripts: [OFFICE_JS], emitExtra: emitIcons })],
    performance: { hints: production ? 'warning' : false, maxEntrypointSize: 150_000, maxAssetSize: 150_000 },
  };
};
