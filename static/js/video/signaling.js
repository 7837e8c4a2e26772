// The /rtc Socket.IO connection (rtc/PROTOCOL.md): websocket only, auth at connect, acks as promises.

/** ICE servers for a participant ticket; fetched BEFORE join so no early candidate is dropped. */
export async function fetchIceServers(url, ticket) {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${ticket}` }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`ice-servers HTTP ${response.status}`);
  const body = await response.json();
  return { iceServers: body.iceServers || [], fetchedAt: Date.now(), ttl: body.ttl || 0 };
}

/** Opens the namespace with an auth payload ({ticket} or {user_ticket}); `window.io` is the vendored client. */
export function connect(config, auth) {
  return window.io(window.location.origin + config.namespace, {
    path: config.socketPath,
    transports: ['websocket'],
    auth,
    forceNew: true, // one websocket per identity: never share a manager with the lobby or echo connections
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
  });
}

/** Emits with an acknowledgement; resolves to the ack ({ok, error}) or {ok: false, error: 'timeout'}. */
export function request(socket, event, payload = {}, timeoutMs = 8000) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      resolve(err ? { ok: false, error: 'timeout' } : (ack || { ok: true }));
    });
  });
}
