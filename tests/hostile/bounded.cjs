// bounded.cjs PORT LOG [slow MS] - HTTP strictness against a live tokd serve
// (started by test_bounded.sh with its defaults for connections), or with
// "slow": 1,500 slow clients from 127.0.0.1 that hold partial headers and
// reopen as they are closed, for MS milliseconds.
// - Content-Length twice with different values: 400; a Content-Length over
//   the limit, with or without Expect: 100-continue: 413 before any body;
//   a chunked body past the limit is answered 413 and cut off, not read to
//   its end; NUL in a path and over-long paths are 404/414, never cut and
//   routed; a long
//   method is 501 and logged whole.
// Every step has its own timeout. Prints "ok   ..." / "FAIL ..." lines.
'use strict';
const net = require('net');
const http = require('http');
const fs = require('fs');

const port = Number(process.argv[2]);
const log = process.argv[3];
let failed = 0;
const check = (name, ok, detail) => {
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : ': ' + detail));
  if (!ok) failed++;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A raw request; resolves with what came back before the server closed (or
// `ms` passed), and whether writing the rest of `body` failed.
function raw(head, body, ms) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    let got = '', done = false;
    const finish = () => { if (!done) { done = true; s.destroy(); resolve(got); } };
    s.on('data', (d) => { got += d.toString('latin1'); });
    s.on('close', finish);
    s.on('error', finish);
    s.on('connect', () => { s.write(head); if (body) body(s); });
    setTimeout(finish, ms);
  });
}
const status = (text) => (/^HTTP\/1\.1 (\d+)/.exec(text) || [])[1];

// Slow clients until `ms` have passed; the probes come from another
// process (test_bounded.sh), so this event loop's load does not time them.
async function slowClients(ms) {
  let stop = false;
  const one = () => {
    if (stop) return;
    const s = net.connect({ port, host: '127.0.0.1' });
    s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    s.on('error', () => {});
    s.on('close', () => setTimeout(one, 20));
  };
  for (let i = 0; i < 1500; i++) one();
  await sleep(ms);
  stop = true;
}

async function strictness() {
  let r = await raw('POST /v1/count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', null, 3000);
  check('two different Content-Length headers: 400', status(r) === '400' && /invalid_content_length/.test(r), r.slice(0, 200));
  r = await raw('POST /v1/count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n', null, 3000);
  check('Expect: 100-continue over the limit: 413, no 100', status(r) === '413' && !/ 100 /.test(r) && /body_too_large/.test(r), r.slice(0, 200));
  r = await raw('POST /v1/count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000000000000\r\n\r\n', null, 3000);
  check('an unbounded Content-Length: 413 at once', status(r) === '413', r.slice(0, 200));
  let written = 0;
  r = await raw('POST /v1/count HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', (s) => {
    const chunk = Buffer.concat([Buffer.from((1 << 20).toString(16) + '\r\n'), Buffer.alloc(1 << 20, 'a'), Buffer.from('\r\n')]);
    const more = () => { while (written < 200 && s.writable && s.write(chunk)) written++; if (written < 200 && s.writable) s.once('drain', () => { written++; more(); }); };
    more();
  }, 10000);
  check('a chunked body past the limit is cut off, not read to its end', written < 200, written + ' MB written');
  check('and answered 413 body_too_large naming max_body_bytes', status(r) === '413' && /body_too_large/.test(r) && /max_body_bytes/.test(r), r.slice(0, 200));
  r = await raw('GET /healthz%00xyz HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('NUL in a path: 404, not routed', status(r) === '404', r.slice(0, 100));
  r = await raw('GET /admin/v1/jobs/' + 'a'.repeat(112) + '/../x HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('a long path with /../ is not cut and routed: 404', status(r) === '404' && /not_found/.test(r), r.slice(0, 100));
  r = await raw('GET /healthz' + 'a'.repeat(2000) + ' HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('a path over 1,024 bytes: 414', status(r) === '414', r.slice(0, 100));
  r = await raw('GET /v1/tokenizers' + '/x'.repeat(500) + ' HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('a path of exactly 1,017 bytes is routed (404 JSON)', status(r) === '404' && /not_found/.test(r), r.slice(0, 100));
  r = await raw('PROPFINDMOREMORE /healthz HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('a 16-character method is answered 405', status(r) === '405', r.slice(0, 100));
  await sleep(300);
  check('the method is logged whole', fs.readFileSync(log, 'utf8').includes('"method":"PROPFINDMOREMORE"'), 'not in the log');
  r = await raw('PROPFINDMOREMOREX /healthz HTTP/1.1\r\nHost: x\r\n\r\n', null, 3000);
  check('a longer method: 501', status(r) === '501', r.slice(0, 100));
}

(async () => {
  if (process.argv[4] === 'slow') {
    await slowClients(Number(process.argv[5]));
    process.exit(0);
  }
  await strictness();
  process.exit(failed ? 1 : 0);
})();
