/** The "My chats" task pane (pinnable): the sidebar on its own. */
import { bootPane } from './boot.ts';
import { createTransport } from './chat-host.ts';
import { mountSidebar } from '../sidebar/sidebar-view.ts';
import './pane.css';

async function main(): Promise<void> {
  const root = document.getElementById('app') ?? document.body;
  const ctx = await bootPane(root);
  const transport = await createTransport(() => ctx.session.token);
  mountSidebar(root, { api: ctx.api, transport, me: ctx.session.address });
}

void main();
