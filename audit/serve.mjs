// Serves a built page (dist/) under the sub-path the end-to-end harness uses, as a plain static
// host would: node audit/serve.mjs DIR [PORT]. Prints the page's address once listening, and
// serves until it is stopped. Used by scripts/audit.sh; needs no npm module.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

// As tests/e2e/harness.mjs's SUB_PATH (not imported: that would load playwright-core).
const SUB_PATH = '/course/bayes-renorm/';
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain',
};

const [dir, port = '0'] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node audit/serve.mjs DIR [PORT]');
  process.exit(2);
}
const root = path.resolve(dir);

const server = http.createServer((req, res) => {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === SUB_PATH.slice(0, -1)) { res.writeHead(301, { location: SUB_PATH }).end(); return; }
  if (!pathname.startsWith(SUB_PATH)) { res.writeHead(404).end(); return; }
  let file = path.join(root, decodeURIComponent(pathname.slice(SUB_PATH.length)));
  if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
  if (file === root || file.endsWith(path.sep)) file = path.join(file, 'index.html');
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  });
});

server.listen(Number(port), '127.0.0.1', () => {
  console.log(`http://127.0.0.1:${server.address().port}${SUB_PATH}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
