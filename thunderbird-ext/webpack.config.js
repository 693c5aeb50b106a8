// Builds the Thunderbird extension into dist/thunderbird/ and packs dist/inbox-chat-thunderbird.xpi.
// Same toolchain as ui/webpack.config.js (webpack 5, esbuild-loader, native CSS). No hashed names:
// the manifest and the background refer to files by fixed paths.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

const LICENCE_FILES = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE', 'license', 'license.md'];

/**
 * The licence notices of every npm package that ended up in a bundle (MIT and friends require
 * them to travel with the code): THIRD-PARTY-NOTICES.txt in the .xpi.
 */
function thirdPartyNotices(compilation) {
  const packages = new Map();
  for (const module of compilation.modules) {
    const resource = module.resource ?? module.rootModule?.resource;
    const inner = module.modules?.map((m) => m.resource) ?? [];
    for (const file of [resource, ...inner]) {
      const m = file && /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
      if (m) packages.set(m[2].replace(/\\/g, '/'), path.join(m[1], m[2]));
    }
  }
  const sections = [...packages.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, dir]) => {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const file = LICENCE_FILES.map((f) => path.join(dir, f)).find((f) => existsSync(f));
      const text = file ? readFileSync(file, 'utf8').trim() : `Licence: ${pkg.license ?? 'see the package'}`;
      return `${name} ${pkg.version} (${pkg.license ?? 'unknown licence'})\n${'-'.repeat(60)}\n${text}\n`;
    });
  return `Inbox Chat for Thunderbird includes the following third-party software.\n\n${sections.join('\n')}`;
}

/** Copies static/ (manifest, HTML, icons) next to the bundles, then zips the whole folder. */
class ExtensionPackPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('ExtensionPackPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'ExtensionPackPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_REPORT }, () =>
        compilation.emitAsset('THIRD-PARTY-NOTICES.txt', new webpack.sources.RawSource(thirdPartyNotices(compilation))),
      );
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
      // Scripts injected into messages must be single files: what the web page loads on demand
      // (interface languages, the upload client) is bundled in here instead.
      asyncChunks: false,
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
