/* Serves the browser build's folder on 127.0.0.1 (make web-serve, and
 * web/check.js): a static file server with the types a page needs, and
 * nothing outside the folder. No npm packages. */
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.md': 'text/plain; charset=utf-8', '.json': 'application/json',
  '.png': 'image/png'
};

/* Starts serving root on port (0: any free one); calls ready(server, port). */
function serve(root, port, ready) {
  root = path.resolve(root);
  const server = http.createServer((req, res) => {
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch (e) {
      res.writeHead(400).end('bad request\n');
      return;
    }
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end('forbidden\n');
      return;
    }
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
        'Cache-Control': 'no-cache'
      });
      res.end(data);
    });
  });
  server.listen(port, '127.0.0.1', () => ready(server, server.address().port));
  return server;
}

module.exports = { serve };

if (require.main === module) {
  const [root, port] = process.argv.slice(2);
  if (!root || !fs.existsSync(path.join(root, 'index.html'))) {
    console.error('usage: node web/serve.js SITE-DIR [PORT]  (SITE-DIR holds index.html; make web builds it)');
    process.exit(2);
  }
  serve(root, Number(port || 8000), (server, p) => {
    console.log(`walviz: serving ${root} at http://127.0.0.1:${p}/ (Ctrl-C stops)`);
  }).on('error', (e) => {
    console.error(`walviz: cannot serve on port ${port}: ${e.message}`);
    process.exit(1);
  });
}
