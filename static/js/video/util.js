// Small shared pieces of the video pages: translated strings, JSON config, announcements, storage.

/** Parses the JSON of a <script type="application/json"> element (empty object when it is missing). */
export function readJson(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}

/** A translator over the strings the template rendered with _(); keeps %(name)s placeholders Python-style. */
export function translator(strings) {
  return (key, params = {}) => {
    const text = strings[key] ?? key;
    return text.replace(/%\((\w+)\)s|%%/g, (match, name) => {
      if (match === '%%') return '%';
      return name in params ? String(params[name]) : '';
    });
  };
}

/** Says something in a live region: clear first, so the same text twice is still announced. */
export function announce(region, text) {
  if (!region) return;
  region.textContent = '';
  window.setTimeout(() => { region.textContent = text; }, 60);
}

/** localStorage that survives being blocked (private modes, strict settings). */
export const remember = {
  get(key) { try { return window.localStorage.getItem(`silta.video.${key}`); } catch { return null; } },
  set(key, value) { try { window.localStorage.setItem(`silta.video.${key}`, value); } catch { /* not kept */ } },
};

/** sessionStorage flag per tab: a reload of this tab goes straight back into the call. */
export const inCall = {
  get(room) { try { return window.sessionStorage.getItem(`silta.video.in-call.${room}`) === '1'; } catch { return false; } },
  set(room, on) {
    try {
      if (on) window.sessionStorage.setItem(`silta.video.in-call.${room}`, '1');
      else window.sessionStorage.removeItem(`silta.video.in-call.${room}`);
    } catch { /* not kept */ }
  },
};

export const sleep = (ms) => new Promise((resolve) => { window.setTimeout(resolve, ms); });

/** Creates an element with attributes and text; avoids innerHTML (names come from users). */
export function el(tag, attrs = {}, text = '') {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  if (text) node.textContent = text;
  return node;
}

/** POSTs JSON with the CSRF header; resolves to the parsed body, rejects on HTTP errors. */
export async function postJson(url, body, csrfToken) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken, Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json().catch(() => ({}));
}
