/**
 * Mounts the shared chat panel in a pane. The panel (and its stylesheet) is a separate chunk,
 * loaded when a chat is actually shown, so the read pane opens fast on emails without one.
 */
import type { ChatView } from '../../../protocol/index.ts';
import type { ApiClient } from '../../../ui/src/api-client.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import { askOutlookForCamera, type CameraAccess } from '../office/camera-permission.ts';

export interface MountedChat {
  destroy(): void;
}

export async function mountChat(
  host: HTMLElement,
  opts: {
    chatId: string;
    api: ApiClient;
    transport: ChatTransport;
    onUnreadChange?: (n: number) => void;
    onChatLoaded?: (chat: ChatView) => void;
    onError?: (e: { code: string; message: string }) => void;
  },
): Promise<MountedChat> {
  const { mountChatPanel } = await import(/* webpackChunkName: "chat-panel" */ '../../../ui/src/chat-panel/index.ts');
  const clientLanguage = typeof Office === 'undefined' ? undefined : Office.context?.displayLanguage;
  return mountChatPanel(host, { ...opts, compact: true, clientLanguage, askCamera: askCameraInOutlook });
}

/** Office's device dialog before the recorder opens the camera; a first "Allow" works only after the pane reloads. */
async function askCameraInOutlook(): Promise<CameraAccess> {
  const access = await askOutlookForCamera(typeof Office === 'undefined' ? undefined : Office);
  // Long enough to read that the pane reloads and why.
  if (access === 'reload') setTimeout(() => location.reload(), 2_500);
  return access;
}

/** One socket per pane, created on first use. */
export async function createTransport(getToken: () => string | null): Promise<ChatTransport> {
  const { SocketTransport } = await import(/* webpackChunkName: "socket" */ '../../../ui/src/socket-transport.ts');
  // Outlook's display language is the person's client language (their default reading language).
  return new SocketTransport({
    getToken,
    capabilities: () =>
      import(/* webpackChunkName: "on-demand-capabilities" */ '../../../ui/src/capabilities.ts').then((c) =>
        c.detectCapabilities('outlook'),
      ),
    language: () => (typeof Office === 'undefined' ? undefined : Office.context?.displayLanguage),
  });
}
