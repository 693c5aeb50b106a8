/** The "My chats" task pane (pinnable): the sidebar on its own. */
import { bootPane } from './boot.ts';
import { createTransport } from './chat-host.ts';
import { mountSidebar } from '../sidebar/sidebar-view.ts';
import { paneAlerts } from './pane-alerts.ts';
import './pane.css';

async function main(): Promise<void> {
  const root = document.getElementById('app') ?? document.body;
  const ctx = await bootPane(root, 'addin.sidebarTitle');
  const transport = await createTransport(() => ctx.session.token);
  const sidebar = mountSidebar(root, { api: ctx.api, transport, me: ctx.session.address });
  paneAlerts({ api: ctx.api, transport, openChatId: sidebar.openChatId, openChat: sidebar.openChat });
}

void main();
