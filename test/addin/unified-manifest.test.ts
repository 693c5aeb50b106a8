/**
 * The unified manifest for Microsoft 365 (manifest.json and the app package), generated offline
 * from manifest.xml by Microsoft's converter (scripts/unified-manifest.mjs), validated against the
 * published JSON schema it names (shipped in @microsoft/app-manifest), plus what the schema cannot
 * check: it matches manifest.xml, keeps our send mode and event script, has each button once, and
 * the package carries the icons at the sizes the package format requires.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';
import AjvFormats from 'ajv-formats';
import { unzipSync } from 'fflate';
import { appPackage, JSON_MANIFEST, manifestText, unifiedManifest } from '../../scripts/unified-manifest.mjs';
import { startTestServer } from '../support/server.ts';

const require = createRequire(import.meta.url);
// CommonJS packages: their classes are the `default` export of the module object.
const Ajv = AjvDraft04.default;
const addFormats = AjvFormats.default;

interface Manifest {
  $schema: string;
  id: string;
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  extensions: {
    runtimes: { id: string; code: { page: string; script?: string }; actions?: { id: string; type: string; pinnable?: boolean }[] }[];
    ribbons: { tabs: { groups: { controls: { id: string; actionId: string }[] }[] }[] }[];
    autoRunEvents: { events: { type: string; actionId: string; options?: { sendMode?: string } }[] }[];
  }[];
}

/** The schema file for the $schema URL, from the npm package that ships Microsoft's schemas. */
function schemaFor(url: string): object {
  const m = /json-schemas\/teams\/(v[\w.]+)\/MicrosoftTeams\.schema\.json/.exec(url);
  assert.ok(m, `unexpected $schema ${url}`);
  return require(`@microsoft/app-manifest/build/json-schemas/teams/${m[1]}/MicrosoftTeams.schema.json`) as object;
}

function validator(schema: object) {
  // The teams schemas are draft-04 and use a few non-standard keywords, hence strict: false.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (m: unknown) => (validate(m) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Every URL in the manifest except the schema reference. */
const allUrls = (m: unknown) =>
  (JSON.stringify(m).match(/https?:\/\/[^"]+/g) ?? []).filter((u) => !u.startsWith('https://developer.microsoft.com/json-schemas/'));

describe('Outlook add-in: unified manifest (JSON app package)', function () {
  this.timeout(30_000);
  const checkedIn = readFileSync(JSON_MANIFEST, 'utf8');
  const manifest = JSON.parse(checkedIn) as Manifest;
  const validate = validator(schemaFor(manifest.$schema));

  it('manifest.json is what the converter makes from manifest.xml today', async () => {
    assert.equal(checkedIn, manifestText(await unifiedManifest()), 'run node scripts/unified-manifest.mjs');
  });

  it('validates against its published JSON schema, and the validation is real', () => {
    assert.match(manifest.$schema, /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/v1\.\d+\/MicrosoftTeams\.schema\.json/);
    assert.deepEqual(validate(manifest), []);
    const broken = (change: (m: Record<string, unknown> & Manifest) => void) => {
      const copy = JSON.parse(checkedIn) as Record<string, unknown> & Manifest;
      change(copy);
      return validate(copy);
    };
    assert.notDeepEqual(
      broken((m) => delete (m as Partial<Manifest>).id),
      [],
      'id is required',
    );
    assert.notDeepEqual(
      broken((m) => (m.description.short = 'x'.repeat(81))),
      [],
      'short description is at most 80',
    );
    assert.notDeepEqual(
      broken((m) => (m.extensions[0]!.autoRunEvents[0]!.events[1]!.options = { sendMode: 'sometimes' })),
      [],
      'send mode enum',
    );
  });

  it('says what manifest.xml says: same id, HTTPS pages, events.js for classic Outlook, PromptUser, each button once', () => {
    const xml = readFileSync(JSON_MANIFEST.replace(/manifest\.json$/, 'manifest.xml'), 'utf8');
    assert.equal(manifest.id, /<Id>([^<]+)<\/Id>/.exec(xml)![1]);
    for (const u of allUrls(manifest)) assert.match(u, /^https:\/\/localhost:3000(\/|$)/, u);
    const ext = manifest.extensions[0]!;
    const events = ext.runtimes.find((r) => r.actions?.some((a) => a.id === 'onMessageSend'))!;
    assert.equal(events.code.page, 'https://localhost:3000/addin/commands.html');
    assert.equal(events.code.script, 'https://localhost:3000/addin/events.js');
    const autoRun = ext.autoRunEvents.flatMap((a) => a.events);
    assert.deepEqual(autoRun.map((e) => e.type).sort(), ['messageRecipientsChanged', 'messageSending']);
    assert.equal(autoRun.find((e) => e.type === 'messageSending')!.options!.sendMode, 'promptUser');
    const controls = ext.ribbons.flatMap((r) => r.tabs.flatMap((t) => t.groups.flatMap((g) => g.controls.map((c) => c.id))));
    assert.deepEqual(controls.sort(), ['embedButton', 'readButton', 'sidebarButton'], 'no button twice');
    const pinnable = ext.runtimes.flatMap((r) => r.actions ?? []).filter((a) => a.pinnable).length;
    assert.equal(pinnable, 2, 'read pane and My chats pin');
  });

  it('packages manifest.json with its icons for any HTTPS server, still valid', async () => {
    const files = unzipSync(await appPackage('https://chat.contoso.example'));
    assert.deepEqual(Object.keys(files).sort(), ['color.png', 'manifest.json', 'outline.png']);
    const m = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as Manifest;
    assert.deepEqual(validate(m), []);
    for (const u of allUrls(m)) assert.match(u, /^https:\/\/chat\.contoso\.example(\/|$)/, u);
    assert.deepEqual(pngSize(files['color.png']!), { width: 192, height: 192 });
    assert.deepEqual(pngSize(files['outline.png']!), { width: 32, height: 32 });
    await assert.rejects(appPackage('http://chat.contoso.example'), /https/);
  });

  it('the server offers both for its own PUBLIC_URL: /addin/manifest.json and /addin/app-package.zip', async () => {
    const server = await startTestServer();
    try {
      const json = await fetch(`${server.url}/addin/manifest.json`);
      assert.equal(json.status, 200);
      const served = (await json.json()) as Manifest;
      assert.equal(served.id, manifest.id);
      for (const u of allUrls(served)) assert.ok(u === server.url || u.startsWith(`${server.url}/`), u);

      const zip = await fetch(`${server.url}/addin/app-package.zip`);
      assert.equal(zip.status, 200);
      assert.equal(zip.headers.get('content-type'), 'application/zip');
      const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
      assert.deepEqual(Object.keys(files).sort(), ['color.png', 'manifest.json', 'outline.png']);
      assert.deepEqual(JSON.parse(new TextDecoder().decode(files['manifest.json'])), served);
    } finally {
      await server.close();
    }
  });
});
