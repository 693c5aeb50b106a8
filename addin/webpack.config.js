// Builds the Outlook add-in's task panes and event runtime into dist/addin/, served by the backend
// under /addin/. Same toolchain as ui/ (webpack 5, esbuild-loader, native CSS): no framework.
// Each pane is one small entry; the chat panel and the socket client load as shared async chunks
// only when a chat is shown.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';

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

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One HTML file per page (office.js first, then the pane's own files) and the icons. */
class AddinPagesPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('AddinPagesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'AddinPagesPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE },
        () => {
          for (const [name, page] of Object.entries(pages)) {
            const files = compilation.entrypoints.get(name).getFiles().filter((f) => !f.endsWith('.map'));
            const css = files.filter((f) => f.endsWith('.css'));
            const js = files.filter((f) => f.endsWith('.js'));
            const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(page.title)}</title>
<script src="${OFFICE_JS}"></script>
${css.map((f) => `<link rel="stylesheet" href="${PUBLIC_PATH}${f}">`).join('\n')}
${js.map((f) => `<script defer src="${PUBLIC_PATH}${f}"></script>`).join('\n')}
</head>
<body>
<div id="app"><noscript>Inbox Chat needs JavaScript to run.</noscript></div>
</body>
</html>
`;
            compilation.emitAsset(page.html, new webpack.sources.RawSource(html));
          }
          const assets = path.join(here, 'assets');
          for (const file of readdirSync(assets)) {
            compilation.emitAsset(`assets/${file}`, new webpack.sources.RawSource(readFileSync(path.join(assets, file))));
          }
        },
      );
    });
  }
}

export default (_env, argv) => {
  const production = (argv.mode ?? 'production') === 'production';
  return {
    mode: production ? 'production' : 'development',
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
    experiments: { css: true },
    // The event runtime of classic Outlook is a plain JavaScript engine: keep the output ES2020.
    target: ['web', 'es2020'],
    devtool: production ? 'source-map' : 'eval-cheap-source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: 'es2020' } }],
    },
    optimization: {
      // The event bundle must stand alone (no runtime chunk, no shared initial chunk).
      splitChunks: { chunks: 'async' },
    },
    plugins: [new AddinPagesPlugin()],
    performance: { hints: production ? 'warning' : false, maxEntrypointSize: 150_000, maxAssetSize: 150_000 },
    stats: { preset: 'errors-warnings', assets: true, assetsSort: 'name', excludeAssets: /\.map$/ },
  };
};
