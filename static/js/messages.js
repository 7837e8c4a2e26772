// Messages: live delivery over Socket.IO (/live) and a draft that survives a reload.
//
// The server pushes only ids ("message" {thread_id, message_id}); the text is fetched through the
// ordinary page route, which checks access and writes the audit record. Without JavaScript, or when the
// socket cannot connect, the pages work as plain forms and links.
(() => {
  'use strict';

  const configElement = document.getElementById('messages-config');
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const notice = document.getElementById('live-notice');
  const list = document.getElementById('message-list');

  function announce(text) {
    // Clear first so that the same sentence twice is read twice.
    notice.textContent = '';
    window.setTimeout(() => { notice.textContent = text; }, 50);
  }

  function lastId() {
    const items = list ? list.querySelectorAll('[data-message-id]') : [];
    return items.length ? Number(items[items.length - 1].dataset.messageId) : 0;
  }

  // One fetch at a time, in order: two events close together must not append a message twice.
  let chain = Promise.resolve();
  function fetchNew() {
    chain = chain.then(async () => {
      const url = config.afterUrl.replace(/\/0$/, `/${lastId()}`);
      const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (!response.ok) return;
      const html = (await response.text()).trim();
      if (!html) return;
      list.insertAdjacentHTML('beforeend', html);
      announce(config.strings.new_in_thread);
    }).catch(() => {}).then(changed);
  }

  // The navigation's unread counter (static/js/messages-unread.js) asks the server for the new number.
  function changed() {
    document.dispatchEvent(new CustomEvent('silta:messages-changed'));
  }

  function showUnrelated(text) {
    let banner = document.getElementById('live-banner');
    if (!banner) {
      banner = document.createElement('p');
      banner.id = 'live-banner';
      banner.className = 'hds-notification hds-notification--info';
      const main = document.getElementById('main');
      main.insertBefore(banner, main.querySelector('h1').nextSibling);
    }
    banner.textContent = `${text} `;
    if (config.inboxUrl) {
      const link = document.createElement('a');
      link.href = config.inboxUrl;
      link.textContent = config.strings.open;
      banner.appendChild(link);
    }
    announce(text);
  }

  function connect() {
    if (!window.io) return;
    const socket = window.io(window.location.origin + config.namespace, {
      path: config.socketPath, transports: ['websocket'], reconnectionDelayMax: 10000,
    });
    socket.on('message', (event) => {
      if (config.thread && event.thread_id === config.thread && list) fetchNew();
      else { showUnrelated(config.strings.new_message); changed(); }
    });
    socket.on('callback', () => showUnrelated(config.strings.callback));
    document.documentElement.dataset.live = 'connecting';
    socket.on('connect', () => { document.documentElement.dataset.live = 'connected'; });
    socket.on('disconnect', () => { document.documentElement.dataset.live = 'disconnected'; });
  }

  function keepDraft() {
    const holder = document.querySelector('[data-draft-url]');
    const textarea = holder && holder.querySelector('textarea');
    const form = holder && holder.closest('form');
    if (!textarea || !form) return;
    const token = form.querySelector('input[name$="csrf_token"]');
    let timer = null;
    let saved = textarea.value;
    let sending = false;
    form.addEventListener('submit', () => { sending = true; window.clearTimeout(timer); });
    const save = () => {
      if (textarea.value === saved) return Promise.resolve();
      const body = new URLSearchParams({ body: textarea.value });
      if (token) body.set('csrf_token', token.value);
      const value = textarea.value;
      return fetch(holder.dataset.draftUrl, { method: 'POST', body, credentials: 'same-origin' })
        .then((response) => { if (response.ok) { saved = value; textarea.dataset.draft = 'saved'; } })
        .catch(() => {});
    };
    textarea.addEventListener('input', () => {
      textarea.dataset.draft = 'pending';
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 600);
    });
    // Leaving the page: send what is left even if the timer has not fired.
    window.addEventListener('pagehide', () => {
      if (sending || textarea.value === saved) return;
      const body = new FormData();
      body.set('body', textarea.value);
      if (token) body.set('csrf_token', token.value);
      navigator.sendBeacon(holder.dataset.draftUrl, body);
    });
  }

  keepDraft();
  connect();
})();
