// hostile.cjs PORT PID - at least 10,000 bad requests against a live tokd
// serve: random bytes, truncated and 100k-deep JSON, huge and negative and
// out-of-range numbers, NaN, invalid UTF-8, lone surrogates, NUL bytes,
// wrong types and content types, unknown names, bodies past the limit, then
// a slow-loris connection and hundreds of idle ones (from 127.0.0.1; the
// probe after them comes from 127.0.0.2: connections are limited per
// address). Every answer must be a 4xx JSON error naming a code;
// afterwards the server must still answer correctly, and its resident memory must not have grown by more than 8 MB
// over the 10,000 (measured after 5,000 of the same mix warm the allocator up).
// Deterministic (seeded); only loopback. Prints checks and "N passed, N failed".
'use strict';
const http = require('http');
const net = require('net');
const fs = require('fs');

const [port, pid] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let pass = 0, fail = 0;
const check = (name, ok, detail) => { if (ok) { pass++; console.log('ok   ' + name); } else { fail++; console.log('FAIL ' + name + ': ' + detail); } };

let seed = 12345;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
const bytes = (n) => Buffer.from(Array.from({ length: n }, () => rnd(256)));

const routes = ['/v1/encode', '/v1/decode', '/v1/count', '/v1/context/check', '/v1/windows', '/v1/embeddings',
                '/v1/embeddings/similar', '/admin/v1/train'];
const good = {
  '/v1/encode': '{"text":"hello world","tokenizer":"cl100k_base"}',
  '/v1/decode': '{"ids":[15339,1917],"tokenizer":"cl100k_base"}',
  '/v1/count': '{"texts":["a","b"],"model":"gpt-4o"}',
  '/v1/context/check': '{"model":"gpt-4o","text":"hi","truncate":"end"}',
  '/v1/windows': '{"ids":[1,2,3,4,5],"max_length":2}',
  '/v1/embeddings': '{"ids":[1,2],"pooling":"mean"}',
  '/v1/embeddings/similar': '{"id":5,"k":3}',
  '/admin/v1/train': '{"name":"x","vocab_size":300,"text":"abc"}',
};
// Bodies that are valid JSON objects but wrong for every route.
const wrongFields = [
  '{"text":5,"tokenizer":"cl100k_base"}', '{"text":"a","tokenizer":["cl100k_base"]}', '{"text":"a","tokenizer":"nope"}',
  '{"text":"a","model":"no-such-model"}', '{"ids":[200000],"tokenizer":"cl100k_base"}', '{"ids":[-1],"tokenizer":"gpt2"}',
  '{"ids":[4294967296],"tokenizer":"gpt2"}', '{"ids":[1e400],"tokenizer":"gpt2"}', '{"ids":[1.5],"tokenizer":"gpt2"}',
  '{"ids":[99999999999999999999999],"tokenizer":"gpt2"}', '{"ids":"1,2","tokenizer":"gpt2"}', '{"ids":[[1],[-2]],"tokenizer":"gpt2"}',
  '{"text":"<|endoftext|>","tokenizer":"cl100k_base"}', '{"text":"a","tokenizer":"cl100k_base","allowed_special":5}',
  '{"text":"a","tokenizer":"cl100k_base","allowed_special":["<|nope|>"]}', '{"texts":[1,2],"tokenizer":"gpt2"}',
  '{"messages":[{"role":5}],"model":"gpt-4o"}', '{"messages":"x","model":"gpt-4o"}', '{"max_length":-1,"ids":[1]}',
  '{"ids":[1],"max_length":0}', '{"id":-1}', '{"id":1e400}', '{"k":0,"id":1}', '{"table":"nope","ids":[1]}',
  '{"ids":[1],"positional":"yes"}', '{"ids":[1],"pooling":"max"}', '{}', '{"text":null,"tokenizer":null}',
  '{"text":"\\ud800","tokenizer":"cl100k_base"}', '{"text":"a","tokenizer":"cl100k_base","return_offsets":"yes"}',
  '{"model":"gpt-4o","text":"a","reserved":-5}', '{"model":"gpt-4o","text":"a","truncate":"sideways"}',
];
const nested = (d) => '['.repeat(d) + ']'.repeat(d);

function body(i) {
  const route = routes[i % routes.length];
  switch (rnd(12)) {
    case 0: return { route, body: bytes(rnd(2000)) };
    case 1: { const g = good[route]; return { route, body: g.slice(0, rnd(g.length - 1)) }; }
    case 2: return { route, body: Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xff, 0xfe, 0xc0, 0x80]), Buffer.from('","tokenizer":"gpt2"}')]) };
    case 3: return { route, body: '{"text":"a\u0000b","tokenizer":' + 'NaN}' };
    case 4: return { route, body: Buffer.from('{"text":"a\0b","tokenizer":"gpt2"}') };
    case 5: return { route, body: '{"ids":[NaN, Infinity, -Infinity],"tokenizer":"gpt2"}' };
    case 6: return { route, body: i % 50 === 6 ? nested(100000) : nested(3000 + rnd(5000)) };
    case 7: return { route, body: good[route], type: ['text/plain', 'multipart/form-data', 'application/jsonx', ''][rnd(4)] };
    case 8: return { route, body: '{"text":"\\udc00\\ud800","tokenizer":"cl100k_base"' };
    case 9: return { route, body: '[1,2,3]' };
    default: return { route, body: wrongFields[rnd(wrongFields.length)] };
  }
}

function send(path, data, type, headers = {}, from) {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: from ? false : agent, localAddress: from,
      headers: Object.assign(type === '' ? {} : { 'Content-Type': type || 'application/json' }, headers) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e) => resolve({ status: 0, text: e.message }));
    req.end(data);
  });
}

const rss = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'))[1]) / 1024;

async function barrage(n, bad) {
  for (let i = 0; i < n; i += 8) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 8); j++) {
      const b = body(j);
      batch.push(send(b.route, b.body, b.type).then((r) => {
        let ok = r.status >= 400 && r.status < 500 && /^application\/json/.test(r.type || '');
        try { ok = ok && typeof JSON.parse(r.text).error.code === 'string'; } catch (e) { ok = false; }
        if (!ok && bad.length < 5) bad.push(b.route + ' ' + JSON.stringify(String(b.body).slice(0, 60)) + ' -> ' + r.status + ' ' + r.text.slice(0, 120));
        return ok;
      }));
    }
    const oks = await Promise.all(batch);
    bad.count = (bad.count || 0) + oks.filter((x) => !x).length;
  }
}

function slowLoris() {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let closed = false, sent = 0;
    s.on('close', () => { closed = true; });
    s.on('error', () => { closed = true; });
    const parts = 'POST /v1/encode HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te'.split('');
    const tick = setInterval(() => {
      if (closed || sent >= parts.length) { clearInterval(tick); setTimeout(() => { s.destroy(); resolve(closed); }, 3500); return; }
      s.write(parts[sent++]);
    }, 250);
  });
}

async function idle(n) {
  const socks = await Promise.all(Array.from({ length: n }, () => new Promise((res) => {
    const s = net.connect(port, '127.0.0.1', () => res(s));
    s.on('error', () => res(s));
  })));
  const r = await send('/v1/encode', good['/v1/encode'], null, {}, '127.0.0.2'); // another client address
  socks.forEach((s) => s.destroy());
  return r;
}

async function main() {
  const warm = [];
  await barrage(5000, warm);
  const before = rss();
  const bad = [];
  const N = 10000;
  await barrage(N, bad);
  check(N + ' bad requests: every answer a 4xx JSON error', !bad.count, bad.count + ' not: ' + bad.join(' | '));
  const afterBad = rss();
  const big = Buffer.alloc(70000, 'a');
  const r413 = await send('/v1/encode', Buffer.concat([Buffer.from('{"text":"'), big, Buffer.from('"}')]));
  check('a body past the limit: 413 JSON', r413.status === 413 && /body_too_large/.test(r413.text), r413.status + ' ' + r413.text);
  const unauth = await send('/admin/v1/train', good['/admin/v1/train'], null, { Authorization: 'Bearer \u00ff\u00fe' + 'x'.repeat(5000) });
  check('a mangled admin token: 4xx', unauth.status >= 400 && unauth.status < 500, unauth.status);
  check('a slow-loris connection is closed by the server', await slowLoris(), 'still open');
  const r = await idle(300);
  check('300 idle connections from one address do not block another', r.status === 200 && r.text === '{"ids":[15339,1917],"count":2,"tokenizer":"cl100k_base"}', r.status + ' ' + r.text);
  await new Promise((r) => setTimeout(r, 500));
  const after = rss();
  console.log('     resident memory ' + before.toFixed(1) + ' MB before, ' + afterBad.toFixed(1) + ' MB after ' + N +
              ' bad requests, ' + after.toFixed(1) + ' MB after the slow and idle connections');
  check('memory grew by less than 8 MB', after - before < 8, (after - before).toFixed(1) + ' MB');
  for (const route of routes.slice(0, 7)) {
    const ok = await send(route, good[route]);
    check('still correct afterwards: ' + route, ok.status === 200, ok.status + ' ' + ok.text.slice(0, 100));
  }
  agent.destroy();
  console.log(pass + ' passed, ' + fail + ' failed');
  process.exit(fail ? 1 : 0);
}
main();
