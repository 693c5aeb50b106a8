/** What every extension page shares: the relay to the background, and one-shot commands. */
import { ApiClient } from '../../../ui/src/api-client.ts';
import { ensureUiLanguage } from '../../../ui/src/i18n/index.ts';
import { realMessenger } from '../messenger.ts';
import { command, type Command, type CommandResult } from '../shared/commands.ts';
import { RELAY_PORT, type HelloResult } from '../relay/protocol.ts';
import { RelayTransport } from '../relay/relay-transport.ts';
import '../../../ui/src/chat-page/page.css';
import './pages.css';

export const messenger = realMessenger();

export interface Connection {
  transport: RelayTransport;
  hello: HelloResult;
  /** The shared REST client; requests go through the background, which adds the token. */
  api: ApiClient;
}

export async function connect(): Promise<Connection> {
  // Thunderbird's own language until a chat's panel knows the identity's reading language.
  ensureUiLanguage(messenger.i18n?.getUILanguage());
  // The relay reconnects by itself when Thunderbird suspends and restarts the background.
  const transport = new RelayTransport(() => messenger.runtime.connect({ name: RELAY_PORT }));
  const hello = await transport.hello();
  const api = new ApiClient({ baseUrl: hello.backendUrl, getToken: () => null, fetch: transport.fetch });
  return { transport, hello, api };
}

export function send<T>(m: Command): Promise<T> {
  return command<T>((c) => messenger.runtime.sendMessage(c) as Promise<CommandResult<T> | undefined>, m);
}
