/**
 * The transcript is one Tab stop however long the chat grows: the buttons and links inside
 * messages are taken out of the Tab order, and the arrow keys move between messages instead
 * (a roving focus, as in the WAI-ARIA grid and feed patterns). A focused message puts its own
 * controls back in the Tab order, so Delete is still one Tab away from it.
 */
const CONTROLS = 'button, a[href], input, select, textarea, summary';
const MESSAGE = '.ic-msg';

export function attachLogKeyboard(scroller: HTMLElement, log: HTMLElement): () => void {
  let active: HTMLElement | null = null;

  const setControlsReachable = (message: HTMLElement, reachable: boolean) => {
    for (const c of message.querySelectorAll<HTMLElement>(CONTROLS)) c.tabIndex = reachable ? 0 : -1;
  };
  const messages = () => [...log.querySelectorAll<HTMLElement>(MESSAGE)];
  const activate = (message: HTMLElement) => {
    if (active && active !== message) setControlsReachable(active, false);
    active = message;
    message.tabIndex = -1;
    setControlsReachable(message, true);
    message.focus();
  };

  // Messages arrive, are re-rendered and are replaced: each new one starts out of the Tab order.
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (!(n instanceof HTMLElement)) continue;
        const message = n.matches(MESSAGE) ? n : n.closest<HTMLElement>(MESSAGE);
        if (message && message !== active) setControlsReachable(message, false);
        else if (!message) for (const m of n.querySelectorAll<HTMLElement>(MESSAGE)) setControlsReachable(m, false);
      }
    }
  });
  observer.observe(log, { childList: true, subtree: true });
  for (const m of messages()) setControlsReachable(m, false);

  const onKeyDown = (e: KeyboardEvent) => {
    if (!(e.target instanceof HTMLElement) || e.altKey || e.ctrlKey || e.metaKey) return;
    const all = messages();
    if (all.length === 0) return;
    const current = e.target.closest<HTMLElement>(MESSAGE);
    const at = current ? all.indexOf(current) : all.length;
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowUp') next = all[Math.max(0, at - 1)];
    else if (e.key === 'ArrowDown' && current) next = all[Math.min(all.length - 1, at + 1)];
    else if (e.key === 'Home') next = all[0];
    else if (e.key === 'End') next = all[all.length - 1];
    else if (e.key === 'Escape' && current) {
      e.preventDefault();
      scroller.focus();
      return;
    }
    if (!next || (e.target !== scroller && !current)) return;
    e.preventDefault();
    activate(next);
  };
  const onFocusOut = (e: FocusEvent) => {
    // Leaving the transcript: its controls go back out of the Tab order.
    if (active && !(e.relatedTarget instanceof Node && scroller.contains(e.relatedTarget))) {
      setControlsReachable(active, false);
      active = null;
    }
  };
  scroller.addEventListener('keydown', onKeyDown);
  scroller.addEventListener('focusout', onFocusOut);
  return () => {
    observer.disconnect();
    scroller.removeEventListener('keydown', onKeyDown);
    scroller.removeEventListener('focusout', onFocusOut);
  };
}
