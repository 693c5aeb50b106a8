// Builds the browser code into dist/ui/, served by the backend under /assets (pages at / and /c/:id).
// Plain webpack 5 + esbuild-loader; CSS through webpack's native CSS support, so no extra plugins.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC_PATH = '/assets/';

/** Page entries and the HTML file each gets. */
const pages = {
  'chat-page': { entry: './src/chat-page/main.ts', html: 'chat.html', title: 'Inbox Chat' },
};

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Writes one HTML file per page that references its hashed bundles. No inline script or style:
 * the pages are served with a CSP of script-src 'self' and style-src 'self'.
 */
class PageHtmlPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('PageHtmlPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'PageHtmlPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE },
        () => {
          for (const [name, page] of Object.entries(pages)) {
            const files = compilation.entrypoints.get(name).getFiles();
            const css = files.filter((f) => f.endsWith('.css'));
            const js = files.filter((f) => f.endsWith('.js'));
            const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(page.title)}</title>
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
      path: path.resolve(here, '../dist/ui'),
      publicPath: PUBLIC_PATH,
      filename: production ? '[name].[contenthash:8].js' : '[name].js',
      cssFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      clean: true,
    },
    experiments: { css: true },
    target: ['web', 'es2020'],
    devtool: production ? 'source-map' : 'eval-cheap-source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: 'es2020' } }],
    },
    plugins: [new PageHtmlPlugin()],
    performance: { hints: production ? 'warning' : false, maxEntrypointSize: 200_000, maxAssetSize: 200_000 },
    stats: { preset: 'errors-warnings', assets: true, assetsSort: 'name', excludeAssets: /\.map$/ },
  };
};
