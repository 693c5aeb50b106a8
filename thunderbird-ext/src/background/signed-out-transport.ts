/** The transport while nobody is signed in: no socket is opened, every call says "sign in". */
import type { ChatSummary, JoinResult, MessageReactions, MessageView } from '../../../protocol/index.ts';
import { TransportError, type ChatTransport, type TransportEvents } from '../../../ui/src/transport.ts';
import { word } from './words.ts';

const signIn = () => Promise.reject(new TransportError('UNAUTHENTICATED', word('errorSignIn')));

export class SignedOutTransport implements ChatTransport {
  readonly status = 'unauthorized' as const;
  join(): Promise<JoinResult> {
    return signIn();
  }
  async leave(): Promise<void> {}
  send(): Promise<MessageView> {
    return signIn();
  }
  deleteMessage(): Promise<MessageView> {
    return signIn();
  }
  editMessage(): Promise<MessageView> {
    return signIn();
  }
  react(): Promise<MessageReactions> {
    return signIn();
  }
  typing(): void {}
  markRead(): Promise<number> {
    return signIn();
  }
  watchChats(): Promise<ChatSummary[]> {
    return signIn();
  }
  on<E extends keyof TransportEvents>(_event: E, _handler: TransportEvents[E]): () => void {
    return () => undefined;
  }
  close(): void {}
}
