/**
 * manifest.xml against the Office add-in manifest schemas (MS-OWEMXML), offline with xmllint,
 * plus the promises the schema cannot check: the requirement sets the code needs, every
 * resource the manifest names exists and is HTTPS, and the event handler names match the code.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const MANIFEST = path.join(ROOT, 'manifest.xml');
const SCHEMA = path.join(ROOT, 'addin/schemas/OfficeAppManifestV1_1.xsd');

async function validate(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stderr } = await run('xmllint', ['--noout', '--nonet', '--schema', SCHEMA, file]);
    return { ok: true, output: stderr };
  } catch (err) {
    const e = err as { stderr?: string; code?: number | string };
    if (e.code === 'ENOENT') throw new Error('xmllint is missing: apt-get install -y libxml2-utils', { cause: err });
    return { ok: false, output: e.stderr ?? String(err) };
  }
}

describe('Outlook add-in: manifest.xml', function () {
  let xml: string;
  let tmp: string;
  before(async () => {
    xml = await readFile(MANIFEST, 'utf8');
    tmp = await mkdtemp(path.join(tmpdir(), 'inbox-chat-manifest-'));
  });
  after(async () => rm(tmp, { recursive: true, force: true }));

  async function validateVariant(name: string, text: string) {
    const file = path.join(tmp, name);
    await writeFile(file, text);
    return validate(file);
  }

  it('is valid against the official add-in manifest schemas (offline)', async () => {
    const result = await validate(MANIFEST);
    assert.ok(result.ok, result.output);
  });

  it('the validation is real: schema violations are rejected', async () => {
    const noId = await validateVariant('no-id.xml', xml.replace(/<Id>[^<]+<\/Id>/, ''));
    assert.equal(noId.ok, false);
    const badSendMode = await validateVariant('send-mode.xml', xml.replace('SendMode="PromptUser"', 'SendMode="Sometimes"'));
    assert.equal(badSendMode.ok, false);
    assert.match(badSendMode.output, /SendMode/);
    // Pinning only exists in VersionOverrides 1.1; Outlook rejects it in a 1.0 block.
    const pinIn10 = await validateVariant(
      'pin-1-0.xml',
      xml.replace(
        '<SourceLocation resid="Read.Url"/>\n                  </Action>',
        '<SourceLocation resid="Read.Url"/><SupportsPinning>true</SupportsPinning></Action>',
      ),
    );
    assert.equal(pinIn10.ok, false, 'SupportsPinning must be refused in VersionOverridesV1_0');
  });

  it("declares requirement sets by what each block's buttons need, since Office falls back to the base manifest, not the outer block", () => {
    assert.match(xml, /<Set Name="Mailbox" MinVersion="1\.1"\/>/);
    const required = (type: string) => {
      const m = new RegExp(`xsi:type="${type}">\\s*<Requirements>\\s*<bt:Sets DefaultMinVersion="([0-9.]+)">`).exec(xml);
      assert.ok(m, type);
      return Number(m[1]!.split('.')[1]);
    };
    // A client that knows VersionOverrides 1.1 but misses its requirement gets no buttons at all,
    // so the 1.1 block must ask only for what buttons and pinning need (Mailbox 1.5), not for
    // the events' 1.12; clients without event-based activation ignore the LaunchEvent point.
    assert.equal(required('VersionOverridesV1_0'), 3);
    assert.equal(required('VersionOverridesV1_1'), 5);
    assert.match(xml, /<LaunchEvent Type="OnMessageRecipientsChanged" FunctionName="onMessageRecipientsChanged"\/>/);
    // The send handler never blocks: PromptUser lets an unavailable or slow add-in be skipped.
    assert.match(xml, /<LaunchEvent Type="OnMessageSend" FunctionName="onMessageSend" SendMode="PromptUser"\/>/);
    assert.equal((xml.match(/<SupportsPinning>true<\/SupportsPinning>/g) ?? []).length, 2);
  });

  it('works with classic and unified clients: a browser runtime page with a JavaScript override, HTTPS everywhere', async () => {
    assert.match(xml, /<Runtime resid="Commands\.Url">\s*<Override type="javascript" resid="Events\.Js"\/>/);
    const urls = [...xml.matchAll(/(?:DefaultValue|<AppDomain>)="?(https?:\/\/[^"<]+)/g)].map((m) => m[1]!);
    assert.ok(urls.length > 10);
    for (const u of urls) assert.match(u, /^https:\/\//, `${u} must be HTTPS`);
    // Every resource id used is defined, in each VersionOverrides block that uses it.
    const used = new Set([...xml.matchAll(/resid="([^"]+)"/g)].map((m) => m[1]!));
    for (const id of used) assert.match(xml, new RegExp(`id="${id.replace('.', '\\.')}"`), `resource ${id}`);
    for (const id of used) assert.ok(id.length <= 32, `resid ${id} is at most 32 characters`);
    // The handler names are the ones the event runtime registers.
    const events = await readFile(path.join(ROOT, 'addin/src/events/main.ts'), 'utf8');
    for (const name of ['onMessageRecipientsChanged', 'onMessageSend']) {
      assert.ok(events.includes(`associate('${name}'`), name);
    }
  });
});
