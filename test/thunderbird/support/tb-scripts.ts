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
  /**
   * Runs a function body inside an extension page (options, Chats) and returns its JSON-able
   * value. Extension pages run in their own process (as for users), out of chrome's reach; the
   * Marionette window actor that Marionette itself uses for content runs the script there.
   */
  async function inPage(suffix, body, pageArgs = []) {
    const tab = tabmail.tabInfo.find((t) => t.browser?.currentURI?.spec?.endsWith(suffix));
    const global = tab?.browser?.browsingContext?.currentWindowGlobal;
    if (!global) return undefined;
    return global.getActor('MarionetteCommands').executeScript(body, pageArgs, { timeout: 60000 });
  }
  const inOptions = (body, pageArgs) => inPage('/options.html', body, pageArgs);
  const extension = () => WebExtensionPolicy.getByID('inbox-chat@inbox-chat.example')?.extension;
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
  await until(() => inOptions('return !!document.getElementById("backend-url")'));
  return true;
`);

export const SET_SERVER = script(`
  await inOptions('document.getElementById("backend-url").value = arguments[0]; document.querySelector("#server button[type=submit]").click();', [args[0]]);
  // The page re-renders with the server the background now uses.
  await until(() => inOptions('return document.getElementById("server-current")?.textContent === arguments[0] && !!document.getElementById("signin-address")', [args[0]]));
  return true;
`);

export const REQUEST_CODE = script(`
  await inOptions('document.getElementById("signin-address").value = arguments[0]; document.querySelector("#account button[type=submit]").click();', [args[0]]);
  await until(() => inOptions('return !!document.getElementById("signin-code")'));
  return true;
`);

/** Types the code and submits; returns the "Signed in as" line, or the error the page shows. */
export const ENTER_CODE = script(`
  await inOptions('document.getElementById("signin-code").value = arguments[0]; document.querySelector("#account button[type=submit]").click();', [args[0]]);
  return await until(() => inOptions('return document.getElementById("signed-in-as")?.textContent || [...document.querySelectorAll("#account .form-error")].find((e) => !e.hidden)?.textContent'));
`);

/**
 * Counts the times Thunderbird suspended the extension's background (its idle timeout in the
 * test profile is a few seconds). The first call starts counting.
 */
export const SUSPENSIONS = script(`
  const ext = await until(() => extension());
  if (ext.inboxChatTestSuspensions === undefined) {
    ext.inboxChatTestSuspensions = 0;
    ext.on('background-script-suspend', () => { ext.inboxChatTestSuspensions++; });
  }
  return ext.inboxChatTestSuspensions;
`);

/**
 * Waits until the background was suspended since the count was args[0], or is asleep right now
 * (a suspension just before counting started); returns true.
 */
export const WAIT_FOR_SUSPENSION = script(`
  const ext = extension();
  return await until(() => ext.inboxChatTestSuspensions > args[0] || ext.backgroundState === 'stopped');
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
    callLink: host.querySelector('.ic-call a:not([hidden])')?.getAttribute('href') ?? null,
    callButtons: [...host.querySelectorAll('.ic-call button')].filter((b) => b.checkVisibility()).length,
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

/** Opens the Inbox email with subject args[0] in a message tab; waits until args[1] shows. */
export const OPEN_MESSAGE = script(`
  const { MailServices } = ChromeUtils.importESModule('resource:///modules/MailServices.sys.mjs');
  const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed('Inbox');
  tabmail.switchToTab(0);
  (await until(() => tabmail.currentAbout3Pane)).displayFolder(inbox.URI);
  const hdr = await until(() => [...inbox.messages].find((h) => h.mime2DecodedSubject === args[0]));
  for (const t of tabmail.tabInfo.filter((t) => t.mode?.name === 'mailMessageTab')) tabmail.closeTab(t);
  tabmail.openTab('mailMessageTab', { messageURI: inbox.getUriForMsg(hdr), background: false });
  await until(() => messagePaneDoc()?.body?.textContent?.includes(args[1]));
  return hdr.mime2DecodedSubject;
`);

/** What the message pane shows under a panel: the chat's state, or the note about another server. */
export const PANE_STATE = script(`
  return await until(() => {
    const h = messagePaneDoc()?.getElementById('inbox-chat-live');
    if (!h) return undefined;
    const panel = h.querySelector('.ic-panel');
    if (h.dataset.otherServer) return { otherServer: h.dataset.otherServer, note: h.textContent };
    // Joined: online, and the composer enabled (the title is a placeholder until then).
    const ready = panel?.dataset?.status === 'online' && h.querySelector('textarea.ic-draft:not([disabled])');
    return ready && { status: 'online', title: h.querySelector('.ic-title')?.textContent };
  });
`);

/**
 * Clicks "Embed IM" in the open compose window. Returns the chat ids of the panels in the body
 * once they stopped changing (a bounded wait: a click that inserts nothing returns []), and
 * whether the click opened the options page instead.
 */
export const EMBED_IM_COUNT = script(`
  const cw = Services.wm.getMostRecentWindow('msgcompose');
  const button = await until(() => cw.document.querySelector('[id$="-composeAction-toolbarbutton"]'));
  const optionsShown = () => !!tabmail.currentTabInfo?.browser?.currentURI?.spec?.endsWith('/options.html');
  const optionsBefore = optionsShown();
  cw.GetCurrentEditorElement().contentWindow.focus();
  button.dispatchEvent(new cw.MouseEvent('mousedown', { button: 0, bubbles: true, cancelable: true }));
  const panels = () => [...cw.GetCurrentEditorElement().contentDocument.body.innerHTML.matchAll(/\\/c\\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
  const started = Date.now();
  while (panels().length === 0 && Date.now() - started < 30000) await sleep(200);
  // Duplicates would arrive right after the first one.
  await sleep(2000);
  return { chatIds: panels(), openedOptions: !optionsBefore && optionsShown() };
`);

/** Lists the transcript folder choices on the options page and picks the one ending in args[0]. */
export const CHOOSE_TRANSCRIPT_FOLDER = script(`
  const labels = await until(() => inOptions('const o = [...document.querySelectorAll("#transcript-folder option")].filter((x) => x.value).map((x) => x.textContent); return o.length && o;'));
  await inOptions(\`
    const select = document.getElementById('transcript-folder');
    const option = [...select.options].find((o) => o.textContent.endsWith(arguments[0]));
    select.value = option.value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  \`, [args[0]]);
  const result = await until(() => inOptions('return document.querySelector("#transcripts .ext-result")?.textContent'));
  return { labels, result };
`);

const CHATS_TAB = `
  const inChats = (body, pageArgs) => inPage('/chats.html', body, pageArgs);
`;

/** Opens the "Chats" space and the chat args[0] in it; waits until it is online. */
export const OPEN_CHAT_IN_SPACE = script(`${CHATS_TAB}
  const button = [...win.document.querySelectorAll('#spacesToolbar button')].find((b) => b.title === 'Chats');
  button.click();
  await until(() => inChats('const b = document.querySelector(\\'.chats-list button[data-chat-id="\\' + arguments[0] + \\'"]\\'); if (b) b.click(); return !!b;', [args[0]]));
  return await until(() => inChats('return !!document.querySelector(".chats-main .ic-panel[data-status=online] textarea.ic-draft:not([disabled])")'));
`);

/** Opens the "Chats" space; waits until the list shows chat args[0] and returns whether it is marked new. */
export const CHAT_IN_SPACE_IS_NEW = script(`${CHATS_TAB}
  const button = [...win.document.querySelectorAll('#spacesToolbar button')].find((b) => b.title === 'Chats');
  button.click();
  const q = '.chats-list button[data-chat-id="' + args[0] + '"]';
  return await until(() => inChats('const b = document.querySelector(arguments[0]); return b ? { isNew: !!b.querySelector(".chat-new") } : null;', [q]));
`);

/** Where the Chats tab puts the list and the open chat (CSS pixels). */
export const CHATS_LAYOUT = script(`${CHATS_TAB}
  return await inChats(\`
    const r = (s) => { const b = document.querySelector(s).getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
    return { list: r('.chats-list'), main: r('.chats-main'), width: innerWidth };
  \`);
`);

/** Clicks "Save transcript" under the open chat in the Chats tab; returns the result line. */
export const SAVE_TRANSCRIPT_IN_SPACE = script(`${CHATS_TAB}
  await inChats('[...document.querySelectorAll(".chats-main .ext-actions button")].find((b) => b.textContent === "Save transcript").click()');
  return await until(() => inChats('const t = document.querySelector(".chats-main .ext-actions .ext-result")?.textContent; return t && t !== "Saving…" && t;'));
`);

/** Subjects of the messages in the Local Folders folder named args[0]. */
export const FOLDER_SUBJECTS = script(`
  const { MailServices } = ChromeUtils.importESModule('resource:///modules/MailServices.sys.mjs');
  const folder = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed(args[0]);
  return await until(() => { const s = [...folder.messages].map((h) => h.mime2DecodedSubject); return s.length && s; });
`);

/** Debugging aid: the options page's text and the background's state. */
export const DEBUG_STATE = script(`
  const ext = extension();
  return { bg: ext?.backgroundState, suspensions: ext?.inboxChatTestSuspensions, options: await inOptions('return document.body.innerText').catch((e) => String(e)), tabs: tabmail.tabInfo.map((t) => t.browser?.currentURI?.spec) };
`);

/**
 * Closes every tab that shows a chat (message tabs, the Chats space), so no view keeps the
 * background awake; returns the Chats badge count.
 */
export const CLOSE_CHAT_VIEWS = script(`${BADGE}
  for (const t of [...tabmail.tabInfo]) {
    if (t.mode?.name === 'mailMessageTab' || t.browser?.currentURI?.spec?.endsWith('/chats.html')) tabmail.closeTab(t);
  }
  await until(() => !messagePaneDoc() && !tabmail.tabInfo.some((t) => t.browser?.currentURI?.spec?.endsWith('/chats.html')));
  return badge();
`);

/** The Chats badge count now. */
export const BADGE_NOW = script(`${BADGE}
  return badge();
`);

/**
 * In the open compose window, selects the panel's table and deletes it as a user would (select,
 * Delete), waits until no panel link is left, then sends.
 */
export const REMOVE_PANEL_AND_SEND = script(`
  const cw = Services.wm.getMostRecentWindow('msgcompose');
  const doc = cw.GetCurrentEditorElement().contentDocument;
  const table = await until(() => doc.querySelector('a[href*="/c/"]')?.closest('table'));
  cw.GetCurrentEditorElement().contentWindow.focus();
  cw.GetCurrentEditor().selectElement(table);
  cw.goDoCommand('cmd_delete');
  await until(() => !doc.querySelector('a[href*="/c/"]'));
  cw.goDoCommand('cmd_sendNow');
  await until(() => !Services.wm.getMostRecentWindow('msgcompose'));
  return true;
`);

/** In the open chat of the Chats space: waits until a request to join from args[0] shows; returns its text and note. */
export const ACCESS_REQUEST_IN_SPACE = script(`${CHATS_TAB}
  return await until(() => inChats(\`
    const li = [...document.querySelectorAll('.chats-main .requests:not([hidden]) .request')].find((n) => n.querySelector('strong')?.textContent === arguments[0]);
    return li && { text: li.querySelector('p').textContent, note: li.querySelector('.request-note')?.textContent ?? null, heading: document.getElementById('requests-title')?.textContent };
  \`, [args[0]]));
`);

/** Clicks Approve or Decline (args[1]) on the request from args[0]; waits until it left the list. */
export const DECIDE_ACCESS_IN_SPACE = script(`${CHATS_TAB}
  await inChats(\`
    const li = [...document.querySelectorAll('.chats-main .request')].find((n) => n.querySelector('strong')?.textContent === arguments[0]);
    [...li.querySelectorAll('button')].find((b) => b.textContent === arguments[1]).click();
  \`, [args[0], args[1]]);
  return await until(() => inChats(\`
    return ![...document.querySelectorAll('.chats-main .request strong')].some((n) => n.textContent === arguments[0]);
  \`, [args[0]]));
`);

/** Whether the open chat of the Chats space shows a requests section at all (owner only). */
export const REQUESTS_SECTION_IN_SPACE = script(`${CHATS_TAB}
  return await inChats('return !!document.querySelector(".chats-main .requests")');
`);

/** Sends the open compose window as it is. */
export const SEND_COMPOSE = script(`
  const cw = Services.wm.getMostRecentWindow('msgcompose');
  cw.goDoCommand('cmd_sendNow');
  await until(() => !Services.wm.getMostRecentWindow('msgcompose'));
  return true;
`);

/** In the displayed email: waits until a request to join from args[0] shows above the live chat; describes it. */
export const ACCESS_REQUEST_IN_PANE = script(`
  return await until(() => {
    const doc = messagePaneDoc();
    const box = doc?.querySelector('.inbox-chat-requests');
    const li = [...(box?.querySelectorAll('.requests:not([hidden]) .request') ?? [])].find((n) => n.querySelector('strong')?.textContent === args[0]);
    return li && {
      text: li.querySelector('p').textContent,
      aboveChat: box.nextElementSibling?.id === 'inbox-chat-live',
      afterPanel: box.previousElementSibling?.tagName === 'TABLE',
    };
  });
`);

/** In the displayed email: clicks Approve or Decline (args[1]) on the request from args[0]; waits until it left. */
export const DECIDE_ACCESS_IN_PANE = script(`
  const doc = messagePaneDoc();
  const li = [...doc.querySelectorAll('.inbox-chat-requests .request')].find((n) => n.querySelector('strong')?.textContent === args[0]);
  [...li.querySelectorAll('button')].find((b) => b.textContent === args[1]).click();
  return await until(() => ![...doc.querySelectorAll('.inbox-chat-requests .request strong')].some((n) => n.textContent === args[0]));
`);

/** Presses "Sign out" on the open options page; waits until it offers sign-in again. */
export const SIGN_OUT = script(`
  await until(() => inOptions('const b = [...document.querySelectorAll("#account button")].find((x) => x.textContent === "Sign out"); if (b) b.click(); return !!b;'));
  await until(() => inOptions('return !!document.getElementById("signin-address")'));
  return true;
`);

/**
 * Records every alert Thunderbird hands to the operating system from now on, and returns those
 * recorded so far ({ name, title, text }). The system's notification bubble is what cannot be
 * observed here; so the alerts service (the one boundary between the WebExtension notifications
 * API and the system) is wrapped: each call is recorded, then passed on to the real service.
 */
export const WATCH_ALERTS = script(`
  if (!win.inboxChatAlerts) {
    const CONTRACT = '@mozilla.org/alerts-service;1';
    const real = Cc[CONTRACT].getService(Ci.nsIAlertsService);
    const shown = [];
    const recorder = {
      QueryInterface: ChromeUtils.generateQI(['nsIAlertsService']),
      showAlert(alert, listener) {
        shown.push({ name: alert.name, title: alert.title, text: alert.text, listener });
        try { real.showAlert(alert, listener); } catch (e) { /* no system alerts in this session */ }
      },
      showAlertNotification(...a) { return real.showAlertNotification(...a); },
      closeAlert(...a) { try { real.closeAlert(...a); } catch (e) { /* already gone */ } },
    };
    const registrar = Components.manager.QueryInterface(Ci.nsIComponentRegistrar);
    registrar.registerFactory(
      Components.ID('{5d0f3c1e-8a4b-4a8e-9d59-3b7f1c2a6e41}'),
      'Inbox Chat test: recorded alerts',
      CONTRACT,
      { createInstance: (iid) => recorder.QueryInterface(iid) },
    );
    win.inboxChatAlerts = shown;
  }
  return win.inboxChatAlerts.map(({ name, title, text }) => ({ name, title, text }));
`);

/** Waits until more than args[0] alerts were recorded; returns them all. */
export const ALERTS_ABOVE = script(`
  await until(() => win.inboxChatAlerts.length > args[0]);
  return win.inboxChatAlerts.map(({ name, title, text }) => ({ name, title, text }));
`);

/** Clicks the recorded alert named args[0] (as the system reports a click); waits until the Chats tab shows chat args[1]. */
export const CLICK_ALERT = script(`${CHATS_TAB}
  const alert = win.inboxChatAlerts.find((a) => a.name === args[0]);
  alert.listener.observe(null, 'alertclickcallback', args[0]);
  const q = '.chats-list button[data-chat-id="' + args[1] + '"][aria-current="true"]';
  return await until(() => inChats('return !!document.querySelector(arguments[0]) && !!document.querySelector(".chats-main .ic-panel")', [q]));
`);

/** Waits until the Chats badge shows exactly args[0]. */
export const BADGE_IS = script(`${BADGE}
  return await until(() => badge() === args[0] && 'yes');
`);
