/**
 * A fresh Thunderbird profile in a temp folder: a Local Folders account whose Inbox holds the
 * given emails (an mbox file Thunderbird indexes on first open), an identity, and the extension
 * installed the way a user's sideload lands (`<profile>/extensions/<gecko id>.xpi`).
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProfileOptions {
  marionettePort: number;
  extension: { id: string; xpi: string };
  /** RFC 5322 messages (CRLF or LF) to put into Local Folders/Inbox. */
  inbox: string[];
  identity: { name: string; email: string };
  /** An SMTP server for sending (the test server's mail catcher). */
  smtpPort?: number;
  /** Test-only preferences on top of the defaults below. */
  extraPrefs?: Record<string, string | number | boolean>;
}

/** mboxrd: a "From " separator per message, and body lines starting with ">*From " get one more ">". */
export function toMbox(messages: string[]): string {
  return messages
    .map((raw) => {
      const lines = raw.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
      const escaped = lines.map((l) => (/^>*From /.test(l) ? `>${l}` : l));
      return `From - Sat Jan  1 00:00:00 2000\n${escaped.join('\n')}\n\n`;
    })
    .join('');
}

const pref = (name: string, value: string | number | boolean) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`;

export function createProfile(opts: ProfileOptions): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'inbox-chat-tb-'));
  const local = path.join(dir, 'Mail', 'Local Folders');
  mkdirSync(local, { recursive: true });
  writeFileSync(path.join(local, 'Inbox'), toMbox(opts.inbox));
  // Thunderbird looks for the folder list to exist before it trusts an empty Trash etc.
  writeFileSync(path.join(local, 'Trash'), '');

  mkdirSync(path.join(dir, 'extensions'));
  copyFileSync(opts.extension.xpi, path.join(dir, 'extensions', `${opts.extension.id}.xpi`));

  const prefs = [
    // A sideloaded, unsigned extension in the profile is enabled without a prompt (Debian sets 3).
    pref('extensions.autoDisableScopes', 0),
    pref('extensions.startupScanScopes', 1),
    pref('xpinstall.signatures.required', false),
    pref('marionette.port', opts.marionettePort),
    // Accounts: Local Folders (server1) and a mail account (server2) carrying the identity.
    pref('mail.accountmanager.accounts', 'account1,account2'),
    pref('mail.accountmanager.defaultaccount', 'account2'),
    pref('mail.accountmanager.localfoldersserver', 'server1'),
    pref('mail.account.account1.server', 'server1'),
    pref('mail.server.server1.type', 'none'),
    pref('mail.server.server1.hostname', 'Local Folders'),
    pref('mail.server.server1.name', 'Local Folders'),
    pref('mail.server.server1.userName', 'nobody'),
    pref('mail.server.server1.directory-rel', '[ProfD]Mail/Local Folders'),
    pref('mail.account.account2.server', 'server2'),
    pref('mail.account.account2.identities', 'id1'),
    pref('mail.server.server2.type', 'none'),
    pref('mail.server.server2.hostname', 'Mail Account'),
    pref('mail.server.server2.name', opts.identity.email),
    pref('mail.server.server2.userName', opts.identity.email),
    pref('mail.server.server2.directory-rel', '[ProfD]Mail/Account'),
    pref('mail.identity.id1.fullName', opts.identity.name),
    pref('mail.identity.id1.useremail', opts.identity.email),
    pref('mail.identity.id1.valid', true),
    pref('mail.identity.id1.compose_html', true),
    ...(opts.smtpPort
      ? [
          pref('mail.smtpservers', 'smtp1'),
          pref('mail.smtp.defaultserver', 'smtp1'),
          pref('mail.smtpserver.smtp1.hostname', '127.0.0.1'),
          pref('mail.smtpserver.smtp1.port', opts.smtpPort),
          pref('mail.smtpserver.smtp1.authMethod', 1),
          pref('mail.smtpserver.smtp1.try_ssl', 0),
          pref('mail.smtpserver.smtp1.type', 'smtp'),
          pref('mail.identity.id1.smtpServer', 'smtp1'),
        ]
      : []),
    // Sent copies go to Local Folders; no dialog asks where.
    pref('mail.identity.id1.fcc_folder', 'mailbox://nobody@Local%20Folders/Sent'),
    pref('mail.identity.id1.fcc', true),
    // No first-run wizards, default-client prompts, start page, telemetry or updates.
    pref('mail.provider.suppress_dialog_on_startup', true),
    pref('mail.shell.checkDefaultClient', false),
    pref('mail.spotlight.firstRunDone', true),
    pref('mailnews.start_page.enabled', false),
    pref('mail.rights.override', true),
    pref('mail.startup.enabledMailCheckOnce', true),
    pref('mailnews.auto_config_url', ''),
    pref('datareporting.policy.dataSubmissionEnabled', false),
    pref('datareporting.healthreport.uploadEnabled', false),
    pref('toolkit.telemetry.reportingpolicy.firstRun', false),
    pref('app.update.disabledForTesting', true),
    pref('browser.shell.checkDefaultBrowser', false),
    pref('mail.inappnotifications.enabled', false),
    ...Object.entries(opts.extraPrefs ?? {}).map(([k, v]) => pref(k, v)),
  ];
  writeFileSync(path.join(dir, 'user.js'), `${prefs.join('\n')}\n`);
  return dir;
}
