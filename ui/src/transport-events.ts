import type { ConnectionStatus, TransportEvents } from './transport.ts';

type AnyHandler = (payload: never) => void;

/**
 * What every ChatTransport shares whatever carries its traffic: the panel's event
 * subscriptions and the connection status (announced only when it changes).
 */
export abstract class TransportEventHub {
  private readonly handlers = new Map<keyof TransportEvents, Set<AnyHandler>>();
  protected current: ConnectionStatus = 'connecting';

  get status(): ConnectionStatus {
    return this.current;
  }

  on<E extends keyof TransportEvents>(event: E, handler: TransportEvents[E]): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const h = handler as AnyHandler;
    set.add(h);
    return () => void set.delete(h);
  }

  protected setStatus(s: ConnectionStatus): void {
    if (s === this.current) return;
    this.current = s;
    this.emitEvent('status', s);
  }

  protected emitEvent<E extends keyof TransportEvents>(event: E, payload: Parameters<TransportEvents[E]>[0]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (p: typeof payload) => void)(payload);
  }
}
