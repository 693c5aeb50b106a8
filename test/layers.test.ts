import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseOptions } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

// The layering rules (.dependency-cruiser.cjs): no import cycles between files or folders, domain
// folders never import the adapters (http/, realtime/, smtp/), and so on. Checked on the real tree,
// and on a small made-up tree that breaks each rule once, so a rule that matches nothing fails here.
const root = path.resolve(import.meta.dirname, '..');
const sources = ['backend/src', 'protocol', 'ui/src', 'addin/src', 'thunderbird-ext/src'];

async function violations(baseDir: string, dirs: string[], options: ICruiseOptions): Promise<string[]> {
  const { output } = await cruise(dirs, { ...options, baseDir });
  if (typeof output === 'string') throw new Error('dependency-cruiser returned a report, not a result');
  return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('layers', function () {
  this.timeout(60_000);
  let options: ICruiseOptions;
  before(async () => {
    options = await extractDepcruiseOptions(path.join(root, '.dependency-cruiser.cjs'));
  });

  it('the code has no import cycle and no import across a layer', async () => {
    assert.deepEqual(await violations(root, sources, options), []);
  });

  describe('on a tree that breaks each rule', () => {
    let dir: string;
    const files: Record<string, string> = {
      // file cycle (reported once, from where the search first meets it)
      'backend/src/chats/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'backend/src/chats/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      // folder cycle without a file cycle, and mail/ reaching into the domain
      'backend/src/mail/mailer.ts': "import { normalise } from '../identity/addresses.ts';\nexport const mailer = normalise;\n",
      'backend/src/identity/addresses.ts': 'export const normalise = (s: string) => s;\n',
      'backend/src/identity/verification.ts': "import { mailer } from '../mail/mailer.ts';\nexport const verify = mailer;\n",
      // the domain reaching an adapter (a type import counts too)
      'backend/src/email-bridge/receipts.ts': "import type { Rooms } from '../realtime/rooms.ts';\nexport type Sink = Rooms;\n",
      'backend/src/realtime/rooms.ts': "import { roomOf } from './names.ts';\nexport type Rooms = typeof roomOf;\n",
      'backend/src/realtime/names.ts': 'export const roomOf = (id: string) => id;\n',
      // one adapter reaching another; and an adapter using the domain, which is allowed
      'backend/src/smtp/listener.ts':
        "import { roomOf } from '../realtime/names.ts';\nimport { normalise } from '../identity/addresses.ts';\nexport const l = [roomOf, normalise];\n",
      'protocol/index.ts': "import { a } from '../backend/src/chats/a.ts';\nexport const p = a;\n",
      'ui/src/panel.ts': "import { normalise } from '../../backend/src/identity/addresses.ts';\nexport const panel = normalise;\n",
    };
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'layers-'));
      for (const [name, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), text);
      }
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('reports every broken rule, and nothing that is allowed', async () => {
      assert.deepEqual(
        await violations(dir, ['backend/src', 'protocol', 'ui/src'], options),
        [
          'adapters-not-each-other: backend/src/smtp/listener.ts → backend/src/realtime/names.ts',
          'clients-not-server: ui/src/panel.ts → backend/src/identity/addresses.ts',
          'domain-not-adapters: backend/src/email-bridge/receipts.ts → backend/src/realtime/rooms.ts',
          'mail-is-a-leaf: backend/src/mail/mailer.ts → backend/src/identity/addresses.ts',
          'no-circular-folders: backend/src/identity → backend/src/mail',
          'no-circular-folders: backend/src/mail → backend/src/identity',
          'no-circular: backend/src/chats/a.ts → backend/src/chats/b.ts',
          'protocol-stands-alone: protocol/index.ts → backend/src/chats/a.ts',
        ].sort(),
      );
    });
  });
});
