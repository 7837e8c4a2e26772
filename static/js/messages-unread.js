// The unread counter in the navigation's Messages link, kept up to date while the page is open.
//
// The number comes from the server (GET data-unread-url, counted in SQL), never from counting events:
// a message read in another tab lowers it too. It is asked again when a message arrives over Socket.IO
// /live. On the message pages static/js/messages.js already holds the /live connection and tells this
// script through a "silta:messages-changed" event; elsewhere this script connects itself (on staff pages
// the connection shares the video lobby's websocket).
(() => {
  'use strict';

  const holder = document.querySelector('[data-unread-url]');
  if (!holder) return;
  const number = holder.querySelector('[data-unread-number]');
  const text = holder.querySelector('[data-unread-text]');

  let chain = Promise.resolve();
  function refresh() {
    chain = chain.then(async () => {
      const response = await fetch(holder.dataset.unreadUrl, {
        credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      if (!response.ok) return;
      const data = await response.json();
      number.textContent = String(data.count);
      text.textContent = data.text;
      holder.hidden = data.count === 0;
      holder.dataset.unreadCount = String(data.count);
    }).catch(() => {});
  }

  document.addEventListener('silta:messages-changed', refresh);
  if (document.getElementById('messages-config') || !window.io) return;
  const socket = window.io(window.location.origin + '/live', {
    path: '/socket.io', transports: ['websocket'], reconnectionDelayMax: 10000,
  });
  socket.on('message', refresh);
  socket.on('connect', () => { holder.dataset.live = 'connected'; });
})();
