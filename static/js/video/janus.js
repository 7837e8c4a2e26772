// A small client of the Janus API over HTTP long-poll (Janus 1.1, VideoRoom plugin), for group rooms.
//
// Why not janus.js: Debian's `janus` package ships no browser library (janus.js is in the source tree
// only), and Silta needs a few requests of one plugin: session, attach, message, trickle, long-poll. HTTP
// long-poll rather than WebSocket because Silta's config runs only Janus's HTTP transport (nginx proxies
// /janus/ on Silta's own origin, so the page's connect-src 'self' covers it). Every request carries the
// token Silta issued for this room; the browser never holds an API secret, a room secret or admin key.

const PLUGIN = 'janus.plugin.videoroom';
const REQUEST_MS = 10000;
let serial = 0;

export class JanusError extends Error {
  constructor(what, code, reason = '') {
    super(`janus refused ${what}: ${code} ${reason}`.trim());
    this.code = code;
  }
}

async function post(url, body) {
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), REQUEST_MS);
  try {
    const response = await fetch(url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      signal: controller.signal, credentials: 'omit',
    });
    const answer = await response.json();
    if (answer.janus === 'error') throw new JanusError(body.janus, answer.error?.code, answer.error?.reason);
    return answer;
  } finally {
    window.clearTimeout(timer);
  }
}

export class JanusSession {
  constructor(url, token) {
    this.url = url.replace(/\/$/, '');
    this.token = token;
    this.sessionUrl = null;
    this.handles = new Map();
    this.closed = false;
    this.onLost = () => {};
  }

  send(url, body) {
    serial += 1;
    return post(url, { transaction: `t${serial}`, ...body, token: this.token });
  }

  async create() {
    const answer = await this.send(this.url, { janus: 'create' });
    this.sessionUrl = `${this.url}/${answer.data.id}`;
    this.poll();
  }

  async attach() {
    const answer = await this.send(this.sessionUrl, { janus: 'attach', plugin: PLUGIN });
    const handle = new JanusHandle(this, answer.data.id);
    this.handles.set(handle.id, handle);
    return handle;
  }

  /** The long-poll loop: Janus holds each GET up to 30 s; it also keeps the session alive. */
  async poll() {
    let failures = 0;
    while (!this.closed) {
      try {
        const response = await fetch(`${this.sessionUrl}?maxev=10&token=${encodeURIComponent(this.token)}&rid=${Date.now()}`,
          { credentials: 'omit' });
        const answer = await response.json();
        if (!Array.isArray(answer) && answer.janus === 'error') { this.lost(); return; }
        for (const event of Array.isArray(answer) ? answer : [answer]) this.handles.get(event.sender)?.deliver(event);
        failures = 0;
      } catch {
        failures += 1;
        if (failures >= 3) { this.lost(); return; }
        await new Promise((resolve) => { window.setTimeout(resolve, 1000 * failures); });
      }
    }
  }

  lost() {
    if (!this.closed) this.onLost();
  }

  async destroy() {
    this.closed = true;
    for (const handle of this.handles.values()) handle.closePc();
    if (this.sessionUrl) await this.send(this.sessionUrl, { janus: 'destroy' }).catch(() => {});
  }
}

export class JanusHandle {
  constructor(session, id) {
    this.session = session;
    this.id = id;
    this.url = `${session.sessionUrl}/${id}`;
    this.waiting = new Map();
    this.onEvent = () => {};
    this.pc = null;
  }

  deliver(event) {
    const waiter = this.waiting.get(event.transaction);
    if (waiter && event.janus === 'event') {
      this.waiting.delete(event.transaction);
      waiter(event);
    } else if (event.janus === 'event') {
      this.onEvent(event.plugindata?.data || {}, event.jsep);
    }
  }

  /** A VideoRoom request; resolves to {data, jsep} when it is answered (at once or by an event). */
  async request(body, jsep) {
    serial += 1;
    const transaction = `r${serial}`;
    const later = new Promise((resolve, reject) => {
      this.waiting.set(transaction, resolve);
      window.setTimeout(() => { this.waiting.delete(transaction); reject(new JanusError(body.request, 'timeout')); },
        REQUEST_MS);
    });
    const answer = await post(this.url, { janus: 'message', transaction, token: this.session.token, body,
      ...(jsep ? { jsep } : {}) });
    const event = answer.janus === 'success' ? answer : await later;
    this.waiting.delete(transaction);
    const data = event.plugindata?.data || {};
    if (data.error_code) throw new JanusError(body.request, data.error_code, data.error);
    return { data, jsep: event.jsep };
  }

  /** Our ICE candidates as they come (null: gathering is complete). */
  trickle(candidate) {
    const body = candidate ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex } : { completed: true };
    return this.session.send(this.url, { janus: 'trickle', candidate: body }).catch(() => {});
  }

  closePc() {
    if (this.pc) this.pc.close();
    this.pc = null;
  }
}
