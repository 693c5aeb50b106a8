// The three test tiers, in one place (package.json's test:unit/test:integration/test:e2e run them, and
// test/tiers.test.ts checks that every test file belongs to exactly one). The fault suite
// (test/faults) is separate: `npm run test:faults`.
//   unit:        pure and mock suites; no server, database, Redis, worker or browser; a few seconds.
//   integration: a real server, PostgreSQL, Redis, sockets, SMTP (no browser).
//   e2e:         real Chromium or Thunderbird.
const { globSync } = require('node:fs');
const path = require('node:path');

// Unit tests may sit beside their modules. Expanded here, because mocha warns on every run about
// a spec pattern that matches nothing.
const besideModules = globSync('{backend/src,protocol,ui/src,addin/src,thunderbird-ext/src}/**/*.test.ts', {
  cwd: path.resolve(__dirname, '../..'),
});
const unit = [
  ...besideModules,
  'test/tiers.test.ts',
  'test/layers.test.ts',
  'test/addin/camera-permission.test.ts',
  'test/addin/email-panel.test.ts',
  'test/addin/fluent.test.ts',
  'test/addin/manifest.test.ts',
  'test/addin/office-words.test.ts',
  'test/backend/addresses.test.ts',
  'test/bridge/decide.test.ts',
  'test/bridge/reply-fixtures.test.ts',
  'test/mail-client/rules.test.ts',
  'test/thunderbird/compose.test.ts',
  'test/thunderbird/locales.test.ts',
  'test/thunderbird/logic.test.ts',
  'test/thunderbird/background.test.ts',
  'test/ui/alert-policy.test.ts',
  'test/ui/gap-watch.test.ts',
  'test/ui/outbox.test.ts',
  'test/ui/receipts.test.ts',
  'test/ui/transcript.test.ts',
];
const e2e = [
  'test/e2e/**/*.test.ts',
  'test/addin/e2e.test.ts',
  'test/thunderbird/thunderbird-client.test.ts',
  'test/thunderbird/suspension.test.ts',
  'test/thunderbird/mail-rules.test.ts',
];
const integration = [
  'test/backend/**/*.test.ts',
  'test/bridge/**/*.test.ts',
  'test/ui/**/*.test.ts',
  'test/addin/**/*.test.ts',
  'test/thunderbird/relay.test.ts',
  'test/thunderbird/distribution.test.ts',
  'test/media/**/*.test.ts',
];

const tiers = {
  unit: { spec: unit, ignore: [] },
  integration: { spec: integration, ignore: [...unit, ...e2e] },
  e2e: { spec: e2e, ignore: [] },
};

/** Mocha options for one tier (the same base options as .mocharc.json). */
function config(tier) {
  return {
    'node-option': ['import=tsx'],
    timeout: 60000,
    exit: true,
    reporter: 'spec',
    spec: tiers[tier].spec,
    ignore: tiers[tier].ignore,
  };
}

module.exports = { tiers, config };
