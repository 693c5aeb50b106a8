// The layering rules of the code, checked by test/layers.test.ts (and by hand with
// `npx depcruise backend/src protocol ui/src addin/src thunderbird-ext/src`).
// Domain folders know nothing of the adapters at the edge (HTTP, sockets, inbound SMTP), so each can be
// read, tested and changed without them; server.ts is the one place that wires both. Cycles, between
// files or between folders, would make the order of construction depend on the order of imports.
const domain = '^backend/src/(chats|identity|email-bridge|jobs|mail|db|ops|config)/';
const adapters = '^backend/src/(http|realtime|smtp)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A file must not reach itself through its imports.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      comment: 'A folder must not reach itself through its imports (mail/ ↔ chats/ and the like).',
      severity: 'error',
      scope: 'folder',
      // The add-in's folders are its Outlook surfaces (panes, compose, office, sidebar), which share helpers both ways.
      from: { pathNot: '^addin/src/' },
      to: { circular: true },
    },
    {
      name: 'domain-not-adapters',
      comment: 'Domain modules are called by the adapters, never the other way round: what they need from one is an interface they define.',
      severity: 'error',
      from: { path: domain },
      to: { path: adapters },
    },
    {
      name: 'adapters-not-each-other',
      comment: 'Each adapter stands alone beside the others (realtime/ may not reach into http/, smtp/ into realtime/...).',
      severity: 'error',
      from: { path: '^backend/src/(http|realtime|smtp)/' },
      to: { path: adapters, pathNot: '^backend/src/$1/' },
    },
    {
      name: 'mail-is-a-leaf',
      comment: 'mail/ is the mailer, the catcher and the shared email pieces; the domain uses it, it uses no domain.',
      severity: 'error',
      from: { path: '^backend/src/mail/' },
      to: { path: '^backend/src/(chats|identity|email-bridge|jobs|http|realtime|smtp)/' },
    },
    {
      name: 'protocol-stands-alone',
      comment: 'protocol/ is shared by the server and every client, so it imports from neither.',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(backend|ui|addin|thunderbird-ext)/' },
    },
    {
      name: 'clients-not-server',
      comment: 'Browser and extension code is bundled for the client; the server is not.',
      severity: 'error',
      from: { path: '^(ui/src|addin/src|thunderbird-ext/src)/' },
      to: { path: '^backend/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^backend/src/generated/', '\\.test\\.ts$'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
