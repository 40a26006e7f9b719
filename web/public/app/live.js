// New data, live: a graphql-ws subscription (`/graphql/ws`, protocol
// graphql-transport-ws) to `dataVersionChanged`, which the server answers with the data
// version now and again whenever an ETL run finishes. A screen redraws on a change
// instead of waiting for its timer; a dropped connection is tried again with backoff
// (the timer still refreshes meanwhile).

import { token } from './api.js';

const FIRST_RETRY_MS = 5_000;
const LAST_RETRY_MS = 60_000;

/** Calls `onChange(version)` each time the data version changes after the first seen;
 * returns a function that stops watching. */
export function watchDataVersion(onChange) {
  let socket = null;
  let stopped = false;
  let seen; // undefined until the first answer
  let retry = FIRST_RETRY_MS;
  let timer = null;
  const connect = () => {
    if (stopped || !token()) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/graphql/ws`, 'graphql-transport-ws');
    const send = (message) => socket.readyState === WebSocket.OPEN && socket.send(JSON.stringify(message));
    socket.onopen = () => send({ type: 'connection_init', payload: { Authorization: `Bearer ${token()}` } });
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'connection_ack') {
        retry = FIRST_RETRY_MS;
        send({ id: 'data', type: 'subscribe', payload: { query: 'subscription { dataVersionChanged }' } });
      } else if (message.type === 'ping') {
        send({ type: 'pong' });
      } else if (message.type === 'next' && message.payload.data) {
        const version = message.payload.data.dataVersionChanged;
        if (seen !== undefined && version !== seen) onChange(version);
        seen = version;
      } else if (message.type === 'error' || message.type === 'complete' || message.type === 'next') {
        // Refused or ended (a session gone, a role changed): try again later, afresh.
        socket.close();
      }
    };
    socket.onclose = () => {
      socket = null;
      if (stopped) return;
      timer = setTimeout(connect, retry);
      retry = Math.min(retry * 2, LAST_RETRY_MS);
    };
  };
  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}
