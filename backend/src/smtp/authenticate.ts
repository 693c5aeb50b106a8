import { promises as dns } from 'node:dns';
import { authenticate, type DNSResolver } from 'mailauth';
import { normaliseAddress } from '../identity/addresses.ts';

export type { DNSResolver };

export interface AuthVerdict {
  /** pass: the From domain vouches for this message. fail: it does not. temporary: DNS trouble, try later. */
  outcome: 'pass' | 'fail' | 'temporary';
  reason: string;
  /** The Authentication-Results header mailauth built, for logs and held mail. */
  results: string;
}

/** A resolver against given DNS servers (INBOUND_DNS_SERVERS), or the system's. */
export function dnsResolver(servers: string[]): DNSResolver {
  const r = new dns.Resolver({ timeout: 5000, tries: 2 });
  if (servers.length) r.setServers(servers);
  return (name, rrtype) => r.resolve(name, rrtype as 'TXT') as Promise<string[][] | string[]>;
}

/** 127.0.0.0/8 and ::1: the connection comes from this machine. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.replace(/^::ffff:/i, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || ip === '::1';
}

/**
 * The development rule (config bridge.inboundLoopbackAuth, never in production or with
 * SMTP_URL): mail from loopback is vouched for by the machine itself, since no DNS can vouch
 * for a local sender. The From must still be one of the member's addresses.
 */
export function loopbackVerdict(ip: string): AuthVerdict | null {
  if (!isLoopback(ip)) return null;
  return {
    outcome: 'pass',
    reason: 'development: mail from loopback (DEV_LOOPBACK_AUTH)',
    results: `local; loopback=pass (development rule) smtp.remote-ip=${ip}`,
  };
}

/**
 * DKIM, SPF and DMARC through mailauth. Policy (docs/email-bridge.md):
 * - The verdict is only about `authorFrom` (the parsed From that identifies the member):
 *   unless mailauth read exactly one From field with exactly that one address, it vouched for
 *   something else and the mail is not authenticated. (Parsers that disagree on a malformed
 *   header are how a forged From once rode on the attacker's own SPF.)
 * - DMARC pass: authenticated.
 * - DMARC fail (whatever the domain's p=): not authenticated. We are the recipient the
 *   token was issued to, so we are stricter than the domain asks: a chat post in someone's
 *   name needs proof.
 * - DMARC not evaluated, or any result other than pass/fail/none/temperror: not
 *   authenticated. Only a DMARC lookup that found no record is "no policy".
 * - No DMARC record: authenticated only with SPF or DKIM that passes for the From domain
 *   itself (same organisational domain).
 * - DNS errors (temperror): temporary, the sender's server retries later.
 */
export async function checkSender(
  raw: Buffer,
  opts: { ip: string; helo: string; mailFrom: string; mta: string; resolver: DNSResolver; authorFrom: string },
): Promise<AuthVerdict> {
  const res = await authenticate(raw, {
    ip: opts.ip,
    helo: opts.helo,
    sender: opts.mailFrom,
    mta: opts.mta,
    resolver: opts.resolver,
    disableArc: true,
    disableBimi: true,
  });
  const results = res.headers.trim();
  const author = normaliseAddress(opts.authorFrom);
  const checked = res.dkim.headerFrom;
  if (res.dkim.fromFields !== 1 || checked.length !== 1 || normaliseAddress(checked[0]!) !== author) {
    return { outcome: 'fail', reason: 'the authentication result is not for the From address of the reply', results };
  }
  const dmarc = res.dmarc;
  if (!dmarc) return { outcome: 'fail', reason: 'DMARC could not be evaluated for the From address', results };
  const result = dmarc.status.result;
  if (result === 'pass') return { outcome: 'pass', reason: 'DMARC pass', results };
  if (result === 'temperror') return { outcome: 'temporary', reason: 'DMARC lookup failed temporarily', results };
  if (result === 'fail') return { outcome: 'fail', reason: 'the message failed DMARC for its From domain', results };
  if (result !== 'none') return { outcome: 'fail', reason: `DMARC ${result} for the From domain`, results };
  // No DMARC policy published: fall back to SPF or DKIM aligned with the From domain.
  const fromDomain = author.split('@').pop() ?? '';
  const aligned = (d: string | undefined) => !!d && (d.toLowerCase() === fromDomain || fromDomain.endsWith(`.${d.toLowerCase()}`));
  const spf = res.spf;
  if (spf && spf.status.result === 'pass' && aligned(spf.domain)) return { outcome: 'pass', reason: 'SPF pass, aligned', results };
  if (res.dkim.results.some((r) => r.status.result === 'pass' && aligned(r.signingDomain))) {
    return { outcome: 'pass', reason: 'DKIM pass, aligned', results };
  }
  if (spf && spf.status.result === 'temperror') return { outcome: 'temporary', reason: 'SPF lookup failed temporarily', results };
  return { outcome: 'fail', reason: 'neither SPF nor DKIM vouches for the From domain', results };
}
