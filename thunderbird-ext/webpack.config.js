// Builds the Thunderbird extension into dist/thunderbird/ and packs dist/inbox-chat-thunderbird.xpi.
// Same toolchain as ui/webpack.config.js (webpack 5, esbuild-loader, native CSS). No hashed names:
// the manifest and the background refer to files by fixed paths.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.resolve(here, '../dist/thunderbird');
const XPI = path.resolve(here, '../dist/inbox-chat-thunderbird.xpi');
const STATIC = path.resolve(here, 'static');

function* files(dir, prefix = '') {
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full, `${prefix}${name}/`);
    else yield [`${prefix}${name}`, full];
  }
}

/** Copies static/ (manifest, HTML, icons) next to the bundles, then zips the whole folder. */
class ExtensionPackPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('ExtensionPackPlugin', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'ExtensionPackPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          const pkg = JSON.parse(readFileSync(path.resolve(here, '../package.json'), 'utf8'));
          for (const [name, full] of files(STATIC)) {
            let content = readFileSync(full);
            if (name === 'manifest.json') {
              const manifest = JSON.parse(content.toString('utf8'));
              manifest.version = pkg.version;
              content = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
            }
            compilation.emitAsset(name, new webpack.sources.RawSource(content));
          }
        },
      );
    });
    compiler.hooks.afterEmit.tap('ExtensionPackPlugin', (compilation) => {
      const entries = {};
      for (const [name, full] of files(OUT)) {
        if (name.endsWith('.map')) continue;
        // A fixed timestamp keeps the .xpi byte-identical for identical sources.
        entries[name] = [readFileSync(full), { mtime: new Date('2026-01-01T00:00:00Z') }];
      }
      const zip = zipSync(entries, { level: 9 });
      compilation.compiler.outputFileSystem.writeFileSync(XPI, zip);
    });
  }
}

export default (_env, argv) => {
  const production = (argv.mode ?? 'production') === 'production';
  return {
    mode: production ? 'production' : 'development',
    context: here,
    entry: {
      background: './src/background/main.ts',
      'message-display': './src/display/message-script.ts',
      'compose-script': './src/compose/compose-script.ts',
      options: './src/pages/options.ts',
      popup: './src/pages/popup.ts',
      chats: './src/pages/chats.ts',
    },
    output: {
      path: OUT,
      filename: '[name].js',
      cssFilename: '[name].css',
      publicPath: '',
      clean: true,
    },
    experiments: { css: true },
    // Scripts injected into messages must be single files: no shared chunks, no runtime chunk.
    optimization: { splitChunks: false, runtimeChunk: false },
    target: ['web', 'es2022'],
    devtool: production ? false : 'cheap-source-map',
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'esbuild-loader', options: { loader: 'ts', target: 'es2022' } }],
    },
    plugins: [new ExtensionPackPlugin()],
    performance: { hints: false },
    stats: { preset: 'errors-warnings', assets: true, assetsSort: 'name' },
  };
};
