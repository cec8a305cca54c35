// The baseline for bench/http.sh: a minimal Node.js http server that counts
// tokens with npm tiktoken (cl100k_base), answering like tokd's /v1/count.
// Usage: node node_count_server.cjs PORT
'use strict';
const http = require('http');
const { get_encoding } = require('tiktoken');

const enc = get_encoding('cl100k_base');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const count = enc.encode(body.text).length;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ tokenizer: 'cl100k_base', count }));
    } catch (e) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'invalid_json', message: String(e) } }));
    }
  });
});
server.listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening'));
