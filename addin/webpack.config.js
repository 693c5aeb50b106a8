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

/** The task panes (modern browser engines: ES2020). */
const panes = {
  compose: { entry: './src/panes/compose-pane.ts', html: 'compose.html', title: 'Inbox Chat: Embed IM' },
  read: { entry: './src/panes/read-pane.ts', html: 'read.html', title: 'Inbox Chat' },
  sidebar: { entry: './src/panes/sidebar-pane.ts', html: 'sidebar.html', title: 'Inbox Chat: my chats' },
};
/**
 * The event runtime, built on its own for ES2016: classic Outlook on Windows runs events.js in a
 * JavaScript-only runtime that Microsoft documents as ES2016, where async/await, `?.` and `??`
 * make the handler fail or time out (under Smart Alerts, a dialog on every send). esbuild lowers
 * async functions to generators (ES2015) driven by Promises. test/addin/event-bundle.test.ts
 * parses the built file as ES2016.
 */
const events = { events: { entry: './src/events/main.ts', html: 'commands.html', title: 'Inbox Chat events' } };
/** Runs before the handlers: the later built-ins the shared code calls, where the runtime lacks them. */
const EVENTS_PRELUDE = './src/events/es2016-runtime.ts';
const EVENTS_TARGET = 'es2016';
/** Files the event build writes, which the pane build must not clean away. */
const EVENT_FILES = /^(events\.js|events\.js\.map|commands\.html)$/;

/** Interface keys only the web page and Thunderbird use: not in the panes' catalogues. */
const CATALOGUE_SUBSET = JSON.parse(readFileSync(path.join(here, 'catalogue-subset.json'), 'utf8'));

/** The pane icons, next to the pages. */
function emitIcons(compilation) {
  const assets = path.join(here, 'assets');
  for (const file of readdirSync(assets)) {
    compilation.emitAsset(`assets/${file}`, new webpack.sources.RawSource(readFileSync(path.join(assets, file))));
  }
}

export default (_env, argv) => {
  const production = (argv.mode ?? 'production') === 'production';
  const defaults = browserDefaults(production);
  const shared = {
    ...defaults,
    context: here,
    performance: { hints: production ? 'warning' : false, maxEntrypointSize: 150_000, maxAssetSize: 150_000 },
  };
  const paneBuild = {
    ...shared,
    name: 'panes',
    entry: Object.fromEntries(Object.entries(panes).map(([name, p]) => [name, p.entry])),
    output: {
      path: path.resolve(here, '../dist/addin'),
      publicPath: PUBLIC_PATH,
      filename: production ? '[name].[contenthash:8].js' : '[name].js',
      chunkFilename: production ? '[name].[contenthash:8].js' : '[name].js',
      cssFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      cssChunkFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      clean: { keep: EVENT_FILES },
    },
    optimization: { splitChunks: { chunks: 'async' } },
    module: {
      rules: [
        ...defaults.module.rules,
        {
          test: /ui[\\/]src[\\/]i18n[\\/]messages[\\/][a-z]{2}\.json$/,
          loader: path.join(here, 'catalogue-subset-loader.cjs'),
          options: { leaveOut: CATALOGUE_SUBSET.leaveOut, keep: CATALOGUE_SUBSET.keep },
        },
      ],
    },
    plugins: [new PageHtmlPlugin({ pages: panes, publicPath: PUBLIC_PATH, headScripts: [OFFICE_JS], emitExtra: emitIcons })],
  };
  const eventBuild = {
    ...shared,
    name: 'events',
    // webpack's own runtime code follows `target`, the modules follow esbuild's target.
    target: ['web', EVENTS_TARGET],
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: EVENTS_TARGET } }],
    },
    entry: { events: [EVENTS_PRELUDE, events.events.entry] },
    output: {
      path: path.resolve(here, '../dist/addin'),
      publicPath: PUBLIC_PATH,
      // Classic Outlook on Windows loads events.js by the fixed URL in the manifest.
      filename: '[name].js',
      clean: false,
    },
    // One self-contained file: classic Outlook loads events.js bare, with no page to load chunks.
    optimization: { splitChunks: false, runtimeChunk: false },
    plugins: [
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new PageHtmlPlugin({ pages: events, publicPath: PUBLIC_PATH, headScripts: [OFFICE_JS] }),
    ],
  };
  // The pane build cleans dist/addin first, so the event build runs after it.
  return [paneBuild, { ...eventBuild, dependencies: ['panes'] }];
};
