// Stage 2 for clients and guests (the waiting room), and the staff's list of who is waiting.

import { request } from './signaling.js';
import { announce, el, postJson } from './util.js';

const $ = (id) => document.getElementById(id);

/** The waiting room: position, notices from the worker, and the ways out (phone, home visit). */
export class WaitStage {
  constructor({ config, t }) {
    this.config = config;
    this.t = t;
    for (const button of document.querySelectorAll('[data-fallback]')) {
      button.addEventListener('click', () => this.fallback(button.dataset.fallback));
    }
  }

  position(n) {
    $('wait-position').textContent = n > 1 ? this.t('wait_position', { n }) : this.t('wait_next');
  }

  notice({ text, from }) {
    const list = $('wait-notices');
    list.hidden = false;
    list.querySelector('ol').append(el('li', {}, from ? `${from}: ${text}` : text));
  }

  async fallback(choice) {
    const result = $('fallback-result');
    try {
      const body = await postJson(this.config.fallbackUrl, { choice }, this.config.csrfToken);
      const fallbackText = choice === 'phone' ? $('fallback-phone-text').textContent : this.t('fallback_home_visit_sent');
      announce(result, body.text || fallbackText);
    } catch {
      announce(result, this.t('fallback_failed'));
    }
  }
}

/** Staff in the call: who is waiting, let them in, send a short notice. */
export class WaitingList {
  constructor({ t, socket, announceRegion }) {
    this.t = t;
    this.socket = socket;
    this.announceRegion = announceRegion;
    this.list = $('waiting-list');
    this.known = new Set();
    this.list.addEventListener('click', (event) => this.clicked(event));
    this.list.addEventListener('submit', (event) => { event.preventDefault(); this.sendNotice(event.target); });
    for (const item of this.list.querySelectorAll('[data-pid]')) this.known.add(Number(item.dataset.pid));
  }

  /** Redraws the list from a `lobby` event; announces newcomers once. */
  update(waiting) {
    const items = waiting.map((person) => this.item(person));
    this.list.replaceChildren(...items);
    $('waiting-empty').hidden = waiting.length > 0;
    for (const person of waiting) {
      if (!this.known.has(person.pid)) announce(this.announceRegion, this.t('someone_waiting', { name: person.name }));
    }
    this.known = new Set(waiting.map((p) => p.pid));
  }

  item({ pid, name, ors }) {
    const template = $('waiting-item-template');
    const li = template.content.firstElementChild.cloneNode(true);
    li.dataset.pid = pid;
    li.querySelector('.waiting__name').textContent = name;
    const score = li.querySelector('.waiting__ors');
    score.hidden = !ors;
    if (ors) score.textContent = score.textContent.replace('%(score)s', ors);
    for (const node of li.querySelectorAll('[id]')) node.id = `${node.id}-${pid}`;
    for (const node of li.querySelectorAll('[for]')) node.htmlFor = `${node.htmlFor}-${pid}`;
    for (const node of li.querySelectorAll('[aria-describedby]')) {
      node.setAttribute('aria-describedby', `${node.getAttribute('aria-describedby')}-${pid}`);
    }
    return li;
  }

  async clicked(event) {
    const button = event.target.closest('[data-action="admit"]');
    if (!button) return;
    const pid = Number(button.closest('[data-pid]').dataset.pid);
    button.disabled = true;
    const ack = await request(this.socket(), 'admit', { pid });
    if (!ack.ok) { button.disabled = false; announce(this.announceRegion, this.t('admit_failed')); }
  }

  async sendNotice(form) {
    const pid = Number(form.closest('[data-pid]').dataset.pid);
    const typed = form.querySelector('input').value.trim();
    const text = typed || form.querySelector('select').value;
    if (!text) return;
    const ack = await request(this.socket(), 'notice', { pid, text });
    announce(this.announceRegion, ack.ok ? this.t('notice_sent') : this.t('notice_failed'));
    if (ack.ok) form.querySelector('input').value = '';
  }
}
