import type pg from 'pg';
import type { MessageService } from '../chats/messages.ts';
import type { MediaService } from '../media/media.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log.ts';
import { dnsResolver, type DNSResolver } from './authenticate.ts';
import { InboundMail } from './listener.ts';

/** The inbound SMTP listener for reply-by-email as the config asks for it, or null when INBOUND_SMTP is off. */
export function createReplyListener(
  config: Config,
  pool: pg.Pool,
  /** Posts the reply's text and the files attached to it. */
  poster: Pick<MessageService, 'send'> & Pick<MediaService, 'checkEmailedFiles' | 'postEmailedFile'>,
  log: Logger,
  /** Tests inject fake DNS here; otherwise INBOUND_DNS_SERVERS or the system resolver. */
  resolver?: DNSResolver,
): InboundMail | null {
  const b = config.bridge;
  if (!b.inboundEnabled) return null;
  return new InboundMail(pool, poster, log.child({ component: 'inbound-mail' }), {
    port: b.inboundPort,
    host: b.inboundHost,
    domain: b.inboundDomain,
    maxBytes: b.inboundMaxBytes,
    maxMessageChars: config.maxMessageChars,
    authFailure: b.inboundAuthFailure,
    resolver: resolver ?? dnsResolver(b.inboundDnsServers),
    loopbackAuth: b.inboundLoopbackAuth,
  });
}

/**
 * Starts taking replies. A default port that is taken only turns reply-by-email off (another
 * instance on a developer's machine has it), while a port the operator chose must work.
 */
export async function listenForReplies(inbound: InboundMail, config: Config, log: Logger): Promise<void> {
  try {
    await inbound.listen();
  } catch (err) {
    if (config.bridge.inboundPortExplicit) throw err;
    log.warn(
      { err, port: config.bridge.inboundPort },
      'reply-by-email is off: the default inbound SMTP port is taken; set INBOUND_SMTP_PORT',
    );
  }
}
