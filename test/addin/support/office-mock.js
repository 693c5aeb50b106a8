// A stand-in for Microsoft's office.js, served in place of the CDN script in the end-to-end tests,
// because Outlook cannot run on this machine. It models one mailbox with one item at a time (a
// draft in compose, or a received email in read) as far as the add-in uses it: body with cursor,
// recipients, custom properties, internet headers, the info bar, ItemChanged and RecipientsChanged.
// Configuration comes from window.__OUTLOOK__ (set by the test with addInitScript); the state is
// exposed as window.__outlook for the test to inspect and drive.
(function () {
  'use strict';
  var config = window.__OUTLOOK__ || { me: 'nobody@example.com', item: null };
  var ok = function (cb, value) {
    setTimeout(function () {
      if (typeof cb === 'function') cb({ status: 'succeeded', value: value });
    }, 0);
  };
  var lastFn = function (args) {
    for (var i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i];
    return undefined;
  };
  var person = function (a) {
    return { emailAddress: a, displayName: a.split('@')[0] };
  };
  var handlers = { olkItemSelectedChanged: [], olkRecipientsChanged: [] };
  var state = {
    infoBar: {},
    /** Every info bar message shown, in order (the bar itself changes as IMs are read). */
    infoBarLog: [],
    customProperties: (config.item && config.item.customProperties) || {},
    /** Functions the event runtime registered with Office.actions.associate. */
    actions: {},
    headers: {},
    inserts: [],
  };

  function composeItem(d) {
    state.draft = d;
    d.cursor = typeof d.cursor === 'number' ? d.cursor : d.body.length;
    var recipients = function (field) {
      return {
        getAsync: function () {
          ok(lastFn(arguments), (d[field] || []).map(person));
        },
        setAsync: function (list) {
          d[field] = list;
          ok(lastFn(arguments));
          handlers.olkRecipientsChanged.forEach(function (h) {
            h({ type: 'olkRecipientsChanged' });
          });
        },
      };
    };
    return {
      itemType: 'message',
      subject: {
        getAsync: function () {
          ok(lastFn(arguments), d.subject || '');
        },
      },
      from: {
        getAsync: function () {
          ok(lastFn(arguments), person(d.from || config.me));
        },
      },
      to: recipients('to'),
      cc: recipients('cc'),
      bcc: recipients('bcc'),
      body: {
        getTypeAsync: function () {
          ok(lastFn(arguments), d.bodyKind || 'html');
        },
        getAsync: function () {
          ok(lastFn(arguments), d.body);
        },
        setSelectedDataAsync: function (data, options) {
          state.inserts.push({ data: data, coercionType: (options && options.coercionType) || 'text' });
          d.body = d.body.slice(0, d.cursor) + data + d.body.slice(d.cursor);
          d.cursor += data.length;
          ok(lastFn(arguments));
        },
      },
      loadCustomPropertiesAsync: function () {
        var props = state.customProperties;
        ok(lastFn(arguments), {
          get: function (k) {
            return props[k];
          },
          set: function (k, v) {
            props[k] = v;
          },
          remove: function (k) {
            delete props[k];
          },
          getAll: function () {
            return Object.assign({}, props);
          },
          saveAsync: function () {
            ok(lastFn(arguments));
          },
        });
      },
      internetHeaders: {
        setAsync: function (h) {
          Object.assign(state.headers, h);
          ok(lastFn(arguments));
        },
        removeAsync: function (names) {
          names.forEach(function (n) {
            delete state.headers[n];
          });
          ok(lastFn(arguments));
        },
        getAsync: function (names) {
          var out = {};
          names.forEach(function (n) {
            if (n in state.headers) out[n] = state.headers[n];
          });
          ok(lastFn(arguments), out);
        },
      },
      addHandlerAsync: function (type, handler) {
        (handlers[type] = handlers[type] || []).push(handler);
        ok(lastFn(arguments));
      },
    };
  }

  function readItem(m) {
    state.message = m;
    var key = 'id' + Math.random().toString(36).slice(2);
    return {
      itemType: 'message',
      itemId: m.itemId || key,
      internetMessageId: m.internetMessageId || '<' + key + '@mail.example>',
      subject: m.subject || '',
      from: person(m.from),
      sender: person(m.from),
      to: (m.to || []).map(person),
      cc: (m.cc || []).map(person),
      body: {
        getAsync: function (kind) {
          var html = m.html || '<div>' + (m.text || '') + '</div>';
          ok(lastFn(arguments), kind === 'html' ? html : m.text || html.replace(/<[^>]+>/g, ' '));
        },
      },
      getAllInternetHeadersAsync: function () {
        ok(lastFn(arguments), m.headers || '');
      },
      notificationMessages: {
        replaceAsync: function (key, details) {
          state.infoBar[key] = details.message;
          state.infoBarLog.push(details.message);
          ok(lastFn(arguments));
        },
        removeAsync: function (key) {
          delete state.infoBar[key];
          ok(lastFn(arguments));
        },
      },
    };
  }

  function buildItem(spec) {
    if (!spec) return null;
    return spec.kind === 'compose' ? composeItem(spec) : readItem(spec);
  }

  var maxMinor = Number(String(config.mailbox || '1.15').split('.')[1]);
  var mailbox = {
    item: buildItem(config.item),
    userProfile: { emailAddress: config.me, displayName: config.me.split('@')[0] },
    addHandlerAsync: function (type, handler) {
      (handlers[type] = handlers[type] || []).push(handler);
      ok(lastFn(arguments));
    },
  };
  var readyResolve;
  var ready = new Promise(function (r) {
    readyResolve = r;
  });
  window.Office = {
    onReady: function (cb) {
      return ready.then(function (info) {
        if (cb) cb(info);
        return info;
      });
    },
    context: {
      mailbox: mailbox,
      // Outlook's UI language (BCP 47), as office.js reports it.
      displayLanguage: config.displayLanguage || 'en-US',
      requirements: {
        isSetSupported: function (name, version) {
          return name === 'Mailbox' && Number(String(version || '1.1').split('.')[1]) <= maxMinor;
        },
      },
    },
    actions: {
      associate: function (name, fn) {
        state.actions[name] = fn;
      },
    },
    EventType: { ItemChanged: 'olkItemSelectedChanged', RecipientsChanged: 'olkRecipientsChanged' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    CoercionType: { Html: 'html', Text: 'text' },
    MailboxEnums: { ItemNotificationMessageType: { InformationalMessage: 'informationalMessage' } },
  };
  window.__outlook = {
    state: state,
    /** Moves the selection to another email, as clicking it in the message list does. */
    select: function (spec) {
      state.infoBar = {};
      mailbox.item = buildItem(spec);
      handlers.olkItemSelectedChanged.forEach(function (h) {
        h({ type: 'olkItemSelectedChanged' });
      });
    },
    setRecipients: function (field, list) {
      mailbox.item[field].setAsync(list, function () {});
    },
  };
  setTimeout(function () {
    readyResolve({ host: 'Outlook', platform: 'OfficeOnline' });
  }, 0);
})();
