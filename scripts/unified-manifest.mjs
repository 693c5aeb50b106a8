// The unified manifest for Microsoft 365 (JSON app package), generated offline from manifest.xml
// with Microsoft's office-addin-manifest-converter, then tidied:
//  - the converter keeps both VersionOverrides blocks, which in a unified manifest would put every
//    button twice (there is no "richest block wins" there); clients that read unified manifests
//    all know VersionOverrides 1.1, so the Mailbox 1.3 copies are dropped;
//  - a short description within 80 characters (the converter truncates with a marker);
//  - package icons: color 192x192 and outline 32x32, as the app package requires;
//  - Fluent's brand colour as the accent colour.
// test/addin/unified-manifest.test.ts checks manifest.json is current and valid against the
// published JSON schema it names.
//
//   node scripts/unified-manifest.mjs                        rewrite manifest.json (https://localhost:3000)
//   node scripts/unified-manifest.mjs https://chat.example   dist/outlook-app-package.zip for that server
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { convert } from 'office-addin-manifest-converter';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const XML_MANIFEST = path.join(root, 'manifest.xml');
export const JSON_MANIFEST = path.join(root, 'manifest.json');
/** The origin manifest.xml is written for; the server swaps it for PUBLIC_URL. */
export const DEV_ORIGIN = 'https://localhost:3000';
export const ICONS = { color: path.join(root, 'addin/assets/icon-192.png'), outline: path.join(root, 'addin/assets/icon-32.png') };
const SHORT_DESCRIPTION = 'Live chat with everyone an email goes to, right in Outlook.';
const ACCENT = '#0F6CBD';

/** The unified manifest for `origin` (https), as an object. */
export async function unifiedManifest(origin = DEV_ORIGIN) {
  if (!/^https:\/\/[^/]+$/.test(origin)) throw new Error(`the add-in origin must be https://host[:port], got ${origin}`);
  const xml = (await readFile(XML_MANIFEST, 'utf8')).replaceAll(DEV_ORIGIN, origin);
  const dir = await mkdtemp(path.join(tmpdir(), 'inbox-chat-unified-'));
  try {
    await writeFile(path.join(dir, 'manifest.xml'), xml);
    // No image download: the converter would fetch the icons over the network.
    await convert(path.join(dir, 'manifest.xml'), path.join(dir, 'out'), false);
    return tidy(JSON.parse(await readFile(path.join(dir, 'out', 'manifest.json'), 'utf8')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const minVersion = (part) => part.requirements?.capabilities?.find((c) => c.name === 'Mailbox')?.minVersion;

function tidy(m) {
  m.description.short = SHORT_DESCRIPTION;
  m.icons = { color: 'color.png', outline: 'outline.png' };
  m.accentColor = ACCENT;
  for (const ext of m.extensions) {
    const dropped = ext.runtimes.filter((r) => minVersion(r) === '1.3');
    const droppedActions = new Set(dropped.flatMap((r) => (r.actions ?? []).map((a) => a.id)));
    ext.runtimes = ext.runtimes.filter((r) => !dropped.includes(r));
    ext.ribbons = (ext.ribbons ?? []).filter(
      (ribbon) =>
        !ribbon.tabs.some((t) => (t.groups ?? []).some((g) => (g.controls ?? []).some((c) => droppedActions.has(c.actionId)))),
    );
  }
  return m;
}

export function manifestText(m) {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The app package: manifest.json plus its two icons, zipped at the root. */
export async function appPackage(origin) {
  const m = await unifiedManifest(origin);
  return zipSync({
    'manifest.json': new TextEncoder().encode(manifestText(m)),
    'color.png': new Uint8Array(await readFile(ICONS.color)),
    'outline.png': new Uint8Array(await readFile(ICONS.outline)),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const origin = process.argv[2]?.replace(/\/+$/, '');
  if (!origin) {
    await writeFile(JSON_MANIFEST, manifestText(await unifiedManifest()));
    console.log(`wrote ${path.relative(root, JSON_MANIFEST)}`);
  } else {
    const out = path.join(root, 'dist/outlook-app-package.zip');
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, await appPackage(origin));
    console.log(`wrote ${path.relative(root, out)} for ${origin}`);
  }
}
