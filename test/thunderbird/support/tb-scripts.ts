/**
 * Chrome-context scripts the real-client test runs inside Thunderbird (as strings: they execute
 * in Thunderbird's privileged scope, with `args` and `done` from startThunderbird().chrome).
 * They only do what a user does (open a tab, type, press a button) and read the DOM; they wait
 * by polling, with the test's own timeout as the only limit.
 */

// Buttons are clicked (form.requestSubmit() called through chrome's Xray wrapper does not reach
// the page's submit listeners).
const PRELUDE = `
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function until(fn) {
    for (;;) {
      let v;
      try { v = await fn(); } catch (e) { v = undefined; }
      if (v) return v;
      await sleep(150);
    }
  }
  const win = await until(() => {
    const w = Services.wm.getMostRecentWindow('mail:3pane');
    // The first tab is the folder view; it exists once the window finished starting up.
    return w && w.document.readyState === 'complete' && w.document.getElementById('tabmail')?.tabInfo?.[0]?.chromeBrowser && w;
  });
  const tabmail = win.document.getElementById('tabmail');
  function optionsDoc() {
    const tab = tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec?.endsWith('/options.html'));
    return tab?.browser?.contentDocument;
  }
  function messagePaneDoc() {
    const tab = tabmail.tabInfo.find((t) => t.mode?.name === 'mailMessageTab');
    const pane = tab?.chromeBrowser?.contentWindow?.getMessagePaneBrowser?.();
    return pane?.contentDocument;
  }
`;

const script = (body: string) => `${PRELUDE}\n${body}`;

/** Waits for the main window and the extension; returns the options page URL. */
export const WAIT_FOR_EXTENSION = script(`
  const policy = await until(() => WebExtensionPolicy.getByID(args[0]));
  const spaceButtons = await until(() => {
    const titles = [...win.document.querySelectorAll('#spacesToolbar button')].map((b) => b.title);
    return titles.includes('Chats') && titles;
  });
  return { optionsUrl: policy.getURL('options.html'), spaceButtons };
`);

/** Opens the options page in a tab, like "Add-ons > Inbox Chat > Options". */
export const OPEN_OPTIONS = script(`
  tabmail.openTab('contentTab', { url: args[0] });
  await until(() => optionsDoc()?.getElementById('backend-url'));
  return true;
`);

export const SET_SERVER = script(`
  const doc = optionsDoc();
  doc.getElementById('backend-url').value = args[0];
  doc.querySelector('#server button[type=submit]').click();
  // The page re-renders with the server the background now uses.
  await until(() => optionsDoc()?.getElementById('server-current')?.textContent === args[0] && optionsDoc().getElementById('signin-address'));
  return true;
`);

export const REQUEST_CODE = script(`
  const doc = optionsDoc();
  doc.getElementById('signin-address').value = args[0];
  doc.querySelector('#account button[type=submit]').click();
  await until(() => optionsDoc()?.getElementById('signin-code'));
  return true;
`);

export const ENTER_CODE = script(`
  const doc = optionsDoc();
  doc.getElementById('signin-code').value = args[0];
  doc.querySelector('#account button[type=submit]').click();
  return await until(() => optionsDoc()?.getElementById('signed-in-as')?.textContent);
`);

/** Opens the first email of Local Folders/Inbox in a message tab (a double-click in the list). */
export const OPEN_FIRST_MESSAGE = script(`
  const { MailServices } = ChromeUtils.importESModule('resource:///modules/MailServices.sys.mjs');
  const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed('Inbox');
  // Showing the folder makes Thunderbird index the mbox it has not seen before.
  tabmail.switchToTab(0);
  (await until(() => tabmail.currentAbout3Pane)).displayFolder(inbox.URI);
  const hdr = await until(() => [...inbox.messages][0]);
  tabmail.openTab('mailMessageTab', { messageURI: inbox.getUriForMsg(hdr), background: false });
  await until(() => messagePaneDoc()?.body?.textContent?.includes(args[0]));
  return hdr.subject;
`);

/** Waits until the live chat is connected in the message pane; describes what is shown. */
export const CHAT_IN_MESSAGE_PANE = script(`
  const host = await until(() => {
    const h = messagePaneDoc()?.getElementById('inbox-chat-live');
    const ready = h?.querySelector('.ic-panel[data-status="online"] textarea.ic-draft:not([disabled])');
    return ready && h;
  });
  const before = host.previousElementSibling;
  return {
    title: host.querySelector('.ic-title')?.textContent,
    afterPanel: before?.tagName === 'TABLE' && !!before.querySelector('a[href*="/c/' + args[0] + '"]'),
    messages: [...host.querySelectorAll('.ic-log .ic-msg .ic-body')].map((n) => n.textContent),
  };
`);

export const WAIT_FOR_MESSAGE_IN_PANE = script(`
  return await until(() => {
    const bodies = [...(messagePaneDoc()?.querySelectorAll('#inbox-chat-live .ic-log .ic-msg') ?? [])];
    const m = bodies.find((li) => li.querySelector('.ic-body')?.textContent === args[0]);
    return m && { author: m.querySelector('.ic-author')?.textContent, seq: m.getAttribute('data-seq') };
  });
`);

export const SEND_FROM_PANE = script(`
  const doc = messagePaneDoc();
  const box = doc.querySelector('#inbox-chat-live textarea.ic-draft');
  box.value = args[0];
  box.closest('form').querySelector('button[type=submit]').click();
  // Committed: it left the outbox and sits in the log with a seq.
  return await until(() => {
    const li = [...doc.querySelectorAll('#inbox-chat-live .ic-log .ic-msg.ic-mine')].find((n) => n.querySelector('.ic-body')?.textContent === args[0]);
    return li && li.getAttribute('data-seq');
  });
`);

const BADGE = `
  function badge() {
    const b = [...win.document.querySelectorAll('#spacesToolbar button')].find((x) => x.title === 'Chats');
    return Number(b?.querySelector('.spaces-badge-container')?.textContent?.trim() || 0);
  }
`;

/** Closes the message tab (the chat in it leaves) and returns the Chats badge count. */
export const CLOSE_MESSAGE_TAB = script(`${BADGE}
  const tab = tabmail.tabInfo.find((t) => t.mode?.name === 'mailMessageTab');
  tabmail.closeTab(tab);
  await until(() => !messagePaneDoc());
  return badge();
`);

/** Waits until the Chats badge shows more than args[0]. */
export const BADGE_ABOVE = script(`${BADGE}
  return await until(() => badge() > args[0] && badge());
`);

/** Scrolls the live chat into view so the screenshot shows the panel and the chat under it. */
export const SCROLL_TO_CHAT = script(`
  const doc = messagePaneDoc();
  doc.getElementById('inbox-chat-live').previousElementSibling.scrollIntoView({ block: 'start' });
  await sleep(300);
  return true;
`);

/** Opens a new HTML message to args[0] with subject args[1]; waits until its editor is ready. */
export const OPEN_COMPOSE = script(`
  const { MailServices } = ChromeUtils.importESModule('resource:///modules/MailServices.sys.mjs');
  const params = Cc['@mozilla.org/messengercompose/composeparams;1'].createInstance(Ci.nsIMsgComposeParams);
  const fields = Cc['@mozilla.org/messengercompose/composefields;1'].createInstance(Ci.nsIMsgCompFields);
  fields.to = args[0];
  fields.subject = args[1];
  fields.body = '<p>Shall we meet on Friday?</p>';
  params.type = Ci.nsIMsgCompType.New;
  params.format = Ci.nsIMsgCompFormat.HTML;
  params.identity = MailServices.accounts.allIdentities[0];
  params.composeFields = fields;
  MailServices.compose.OpenComposeWindowWithParams(null, params);
  const cw = await until(() => {
    const w = Services.wm.getMostRecentWindow('msgcompose');
    return w && w.gMsgCompose && w.GetCurrentEditorElement()?.contentDocument?.body?.textContent?.includes('Friday') && w;
  });
  return true;
`);

/** Clicks the "Embed IM" compose action; returns the chat id of the panel it inserted. */
export const CLICK_EMBED_IM = script(`
  const cw = Services.wm.getMostRecentWindow('msgcompose');
  const button = await until(() => cw.document.querySelector('[id$="-composeAction-toolbarbutton"]'));
  cw.GetCurrentEditorElement().contentWindow.focus();
  // Extension toolbar buttons act on mousedown, as a user's press does.
  button.dispatchEvent(new cw.MouseEvent('mousedown', { button: 0, bubbles: true, cancelable: true }));
  const body = await until(() => {
    const b = cw.GetCurrentEditorElement().contentDocument.body;
    return new RegExp('/c/[0-9a-f-]{36}').test(b.innerHTML) && b;
  });
  return new RegExp('/c/([0-9a-f-]{36})').exec(body.innerHTML)[1];
`);

/** Adds a To recipient in the compose window, then sends. */
export const ADD_RECIPIENT_AND_SEND = script(`
  const cw = Services.wm.getMostRecentWindow('msgcompose');
  cw.addressRowAddRecipientsArray(cw.document.getElementById('addressRowTo'), [args[0]]);
  cw.goDoCommand('cmd_sendNow');
  await until(() => !Services.wm.getMostRecentWindow('msgcompose'));
  return true;
`);

