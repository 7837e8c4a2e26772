// The worker's task list, kept up to date while "My day" is open.
//
// /live says only that a task came or was handled (its id); the list itself is fetched again from the
// server (GET data-list-url), which decides what this worker may see. A reply being typed is kept: the
// list is not replaced while a field in it has focus or text, and is refreshed when that field is left.
(() => {
  'use strict';

  const holder = document.getElementById('task-list');
  if (!holder || !window.io) return;

  let chain = Promise.resolve();
  let pending = false;

  function busy() {
    const active = document.activeElement;
    if (active && holder.contains(active) && active.tagName === 'TEXTAREA') return true;
    return Array.from(holder.querySelectorAll('textarea')).some((t) => t.value.trim() !== '');
  }

  function refresh() {
    if (busy()) { pending = true; return; }
    pending = false;
    chain = chain.then(async () => {
      const response = await fetch(holder.dataset.listUrl, { credentials: 'same-origin' });
      if (!response.ok) return;
      holder.innerHTML = await response.text();
      holder.dataset.refreshed = String(Date.now());
    }).catch(() => {});
  }

  holder.addEventListener('focusout', () => { if (pending) setTimeout(refresh, 0); });
  const socket = window.io(window.location.origin + '/live', {
    path: '/socket.io', transports: ['websocket'], reconnectionDelayMax: 10000,
  });
  socket.on('task', refresh);
  socket.on('message', refresh);
  socket.on('connect', () => { holder.dataset.live = 'connected'; });
})();
