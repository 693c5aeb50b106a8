// Builds the browser code into dist/ui/, served by the backend under /assets (pages at / and /c/:id).
// Plain webpack 5 + esbuild-loader; CSS through webpack's native CSS support, so no extra plugins.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserDefaults, PageHtmlPlugin } from '../scripts/webpack-pages.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PUBLIC_PATH = '/assets/';

/** Page entries and the HTML file each gets. */
const pages = {
  'chat-page': { entry: './src/chat-page/main.ts', html: 'chat.html', title: 'Inbox Chat' },
};

export default (_env, argv) => {
  const production = (argv.mode ?? 'production') === 'production';
  return {
    ...browserDefaults(production),
    context: here,
    entry: Object.fromEntries(Object.entries(pages).map(([name, p]) => [name, p.entry])),
    output: {
      path: path.resolve(here, '../dist/ui'),
      publicPath: PUBLIC_PATH,
      filename: production ? '[name].[contenthash:8].js' : '[name].js',
      cssFilename: production ? '[name].[contenthash:8].css' : '[name].css',
      clean: true,
    },
    plugins: [new PageHtmlPlugin({ pages, publicPath: PUBLIC_PATH })],
    performance: { hints: production ? 'warning' : false, maxEntrypointSize: 200_000, maxAssetSize: 200_000 },
  };
};
