/** The local folders a transcript can be filed into, labelled by their path. */
import type { MailFolder, Messenger } from '../messenger.ts';
import type { FolderChoice } from '../shared/commands.ts';

const LOCAL_TYPES = new Set(['local', 'none']);

type FolderTree = MailFolder & { subFolders?: FolderTree[] };

export async function localFolders(m: Messenger): Promise<FolderChoice[]> {
  const out: FolderChoice[] = [];
  const visit = (folder: FolderTree, prefix: string) => {
    for (const sub of folder.subFolders ?? []) {
      const label = `${prefix} / ${sub.name ?? sub.path ?? sub.id}`;
      out.push({ id: sub.id, label });
      visit(sub, label);
    }
  };
  for (const account of await m.accounts.list(true)) {
    // Local Folders: transcripts stay on this computer. Thunderbird 128 reported its type as
    // "none", 153 reports "local".
    if (!LOCAL_TYPES.has(account.type) || !account.rootFolder) continue;
    visit(account.rootFolder as FolderTree, account.name);
  }
  return out;
}
