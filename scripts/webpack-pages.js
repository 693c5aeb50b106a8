// Shared by the browser builds (ui/, addin/): one HTML page per entry, and the common toolchain
// options (webpack 5, esbuild-loader, native CSS, ES2020 output).
import webpack from 'webpack';

const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Writes one HTML file per page referencing its (hashed) bundles. No inline script or style:
 * the pages are served with a CSP of script-src/style-src 'self' (plus Office.js for the add-in).
 * `headScripts` come first (e.g. Office.js, which Microsoft requires from its CDN); `emitExtra`
 * may add other assets to the same compilation.
 */
export class PageHtmlPlugin {
  constructor({ pages, publicPath, headScripts = [], emitExtra = () => {} }) {
    Object.assign(this, { pages, publicPath, headScripts, emitExtra });
  }

  apply(compiler) {
    compiler.hooks.thisCompilation.tap('PageHtmlPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'PageHtmlPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_SUMMARIZE }, () => {
        for (const [name, page] of Object.entries(this.pages)) {
          const files = compilation.entrypoints
            .get(name)
            .getFiles()
            .filter((f) => !f.endsWith('.map'));
          const css = files.filter((f) => f.endsWith('.css'));
          const js = files.filter((f) => f.endsWith('.js'));
          const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escape(page.title)}</title>
${[
  ...this.headScripts.map((src) => `<script src="${src}"></script>`),
  ...css.map((f) => `<link rel="stylesheet" href="${this.publicPath}${f}">`),
  ...js.map((f) => `<script defer src="${this.publicPath}${f}"></script>`),
].join('\n')}
</head>
<body>
<div id="app"><noscript>Inbox Chat needs JavaScript to run.</noscript></div>
</body>
</html>
`;
          compilation.emitAsset(page.html, new webpack.sources.RawSource(html));
        }
        this.emitExtra(compilation);
      });
    });
  }
}

/** Options every browser bundle shares. */
export function browserDefaults(production) {
  return {
    mode: production ? 'production' : 'development',
    experiments: { css: true },
    // ES2020 output: classic Outlook's event runtime is a plain JavaScript engine.
    target: ['web', 'es2020'],
    devtool: production ? 'source-map' : 'eval-cheap-source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: 'es2020' } }],
    },
    stats: { preset: 'errors-warnings', assets: true, assetsSort: 'name', excludeAssets: /\.map$/ },
  };
}
