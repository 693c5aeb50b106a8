/**
 * Development only: HTTPS in front of a local Inbox Chat server, because Outlook loads add-in
 * pages only over HTTPS with a certificate it trusts. Terminates TLS with the certificate from
 * `npx office-addin-dev-certs install` (or mkcert) and forwards every request and WebSocket to
 * the server, which runs with PUBLIC_URL=https://localhost:3000 and TRUST_PROXY=true.
 *
 *   PORT=3001 PUBLIC_URL=https://localhost:3000 TRUST_PROXY=true npm start
 *   npx tsx addin/dev/https-proxy.ts            # https://localhost:3000 -> http://127.0.0.1:3001
 *
 * Options (environment): HTTPS_PORT (3000), TARGET (http://127.0.0.1:3001),
 * DEV_TLS_CERT / DEV_TLS_KEY (default ~/.office-addin-dev-certs/localhost.crt|.key).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const certDir = path.join(os.homedir(), '.office-addin-dev-certs');
const port = Number(process.env.HTTPS_PORT ?? 3000);
const target = new URL(process.env.TARGET ?? 'http://127.0.0.1:3001');
const tls = {
  cert: readFileSync(process.env.DEV_TLS_CERT ?? path.join(certDir, 'localhost.crt')),
  key: readFileSync(process.env.DEV_TLS_KEY ?? path.join(certDir, 'localhost.key')),
};

function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  return {
    ...req.headers,
    'x-forwarded-proto': 'https',
    'x-forwarded-host': req.headers.host ?? `localhost:${port}`,
    'x-forwarded-for': req.socket.remoteAddress ?? '',
  };
}

const server = https.createServer(tls, (req, res) => {
  const upstream = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: forwardedHeaders(req) },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`Inbox Chat server not reachable at ${target.origin}: ${err.message}`);
  });
  req.pipe(upstream);
});

// WebSockets (Socket.IO): replay the upgrade request upstream, then splice the two sockets.
server.on('upgrade', (req, socket, head) => {
  const upstream = net.connect(Number(target.port), target.hostname, () => {
    const headers = forwardedHeaders(req);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (const [k, v] of Object.entries(headers)) {
      for (const value of Array.isArray(v) ? v : [v]) if (value !== undefined) lines.push(`${k}: ${value}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  const close = () => {
    socket.destroy();
    upstream.destroy();
  };
  upstream.on('error', close);
  socket.on('error', close);
});

server.listen(port, () => {
  console.log(`Inbox Chat over HTTPS: https://localhost:${port} -> ${target.origin}`);
  console.log(`Sideload https://localhost:${port}/addin/manifest.xml (or the repository's manifest.xml).`);
});
