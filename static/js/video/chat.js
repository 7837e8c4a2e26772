// The call's text chat (PROTOCOL `chat`): relayed to everyone in the room, never stored.

import { request } from './signaling.js';
import { el } from './util.js';

export class Chat {
  constructor({ t, socket }) {
    this.t = t;
    this.socket = socket;
    this.log = document.getElementById('chat-log');
    this.form = document.getElementById('chat-form');
    this.input = document.getElementById('chat-input');
    this.error = document.getElementById('chat-error');
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.send(); });
  }

  async send() {
    const text = this.input.value.trim();
    if (!text) return;
    const ack = await request(this.socket(), 'chat', { text });
    if (ack.ok) {
      this.input.value = '';
      this.error.textContent = '';
    } else {
      this.error.textContent = this.t('chat_failed');
    }
  }

  receive({ from, name, text, at }, myConn) {
    const time = at ? new Date(at).toLocaleTimeString(document.documentElement.lang, { hour: '2-digit', minute: '2-digit' }) : '';
    const who = from === myConn ? this.t('chat_you') : name;
    const item = el('li', { class: 'chat__message' });
    item.append(el('span', { class: 'chat__who' }, `${who} ${time}`), el('span', { class: 'chat__text' }, text));
    this.log.append(item);
    const scroller = this.log.parentElement;
    scroller.scrollTop = scroller.scrollHeight;
  }
}
