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
import { convert } from 'office-addin-manifest-converter';
// The server serves the same package; one module knows the origin, icons and zip layout.
import {
  appPackageZip,
  JSON_MANIFEST,
  MANIFEST_ORIGIN,
  PACKAGE_ICONS,
  withOrigin,
  XML_MANIFEST,
} from '../backend/src/http/addin-package.ts';

export { JSON_MANIFEST, XML_MANIFEST };
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHORT_DESCRIPTION = 'Live chat with everyone an email goes to, right in Outlook.';
const ACCENT = '#0F6CBD';

/** The unified manifest for `origin` (https), as an object. */
export async function unifiedManifest(origin = MANIFEST_ORIGIN) {
  assertHttps(origin);
  const xml = withOrigin(await readFile(XML_MANIFEST, 'utf8'), origin);
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
  const [color, outline] = Object.keys(PACKAGE_ICONS);
  m.icons = { color, outline };
  m.accentColor = ACCENT;
  for (const ext of m.extensions) {
    const dropped = ext.runtimes.filter((r) => minVersion(r) === '1.3');
    const droppedActions = new Set(dropped.flatMap((r) => (r.actions ?? []).map((a) => a.id)));
    ext.runtimes = ext.runtimes.filter((r) => !dropped.includes(r));
    ext.ribbons = (ext.ribbons ?? []).filter(
      (ribbon) => !ribbon.tabs.some((t) => (t.groups ?? []).some((g) => (g.controls ?? []).some((c) => droppedActions.has(c.actionId)))),
    );
  }
  return m;
}

export function manifestText(m) {
  return `${JSON.stringify(m, null, 2)}\n`;
}

function assertHttps(origin) {
  if (!/^https:\/\/[^/]+$/.test(origin)) throw new Error(`the add-in origin must be https://host[:port], got ${origin}`);
}

/** The app package for `origin`: the checked-in manifest.json for that origin plus its icons. */
export async function appPackage(origin) {
  assertHttps(origin);
  return appPackageZip(origin);
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
