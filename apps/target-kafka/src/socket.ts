// kafkajs's own socket factory with Nagle's algorithm off. kafkajs leaves it on
// (the Java client turns it off): a request written while an earlier one on the
// same connection — a heartbeat, a metadata refresh — waits for its ACK can sit
// in the kernel until the peer's delayed ACK, tens of milliseconds.
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const KEEP_ALIVE_MS = 60_000; // kafkajs's own value

export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_MS);
  socket.setNoDelay(true);
  return socket;
};
