import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, never a downloaded one (ENVIRONMENT.md lists the flags that work here).
 * With `outlookFraming`, a public https page (our stand-in for outlook.office.com) may frame the
 * panes on http://localhost: Chromium's Local Network Access check would otherwise ask the user,
 * as it does when a developer sideloads against localhost in Outlook on the web (docs/outlook.md).
 */
export async function launchChromium(opts: { outlookFraming?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`flock /tmp/apt.lock apt-get install -y chromium\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(opts.outlookFraming ? ['--disable-features=LocalNetworkAccessChecks'] : [])],
  });
}
