// test_playground.cjs BASE_URL ARTIFACT_DIR - drive tokd's playground page
// (GET /) in Debian's headless Chromium with playwright-core, against a real
// tokd serve, and compare what the page shows with the API's own answers.
// Prints one line per check and "N passed, N failed"; exit status 1 on any
// failure. Screenshots go to ARTIFACT_DIR.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const [base, artifacts] = process.argv.slice(2);
let pass = 0, fail = 0;
function check(name, ok, detail) {
  if (ok) { pass++; console.log('ok   ' + name); } else { fail++; console.log('FAIL ' + name + ': ' + detail); }
}
async function api(p, body) {
  const r = await fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return r.json();
}
// Wait until the page has settled on an answer (its data-state), at most 20 s.
async function settled(page) {
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state), null, { timeout: 20000 });
}
async function typeText(page, text) {
  await page.fill('#text', text);
  await page.evaluate(() => { document.body.dataset.state = 'pending'; });
  await page.dispatchEvent('#text', 'input');
  await settled(page);
}
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, 'playground-' + name + '.png'), fullPage: true });

async function main() {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const network = [];
  page.on('request', (r) => network.push(r.url()));
  await page.goto(base + '/');
  await settled(page);
  check('the page loads and lists tokenizers', await page.locator('#pick option').count() >= 9,
        await page.locator('#pick option').count());

  const text = 'é😀x Hello world, héllo 😀 and 中文!\n\tTabs  and spaces.';
  await typeText(page, text);
  const want = await api('/v1/encode', { tokenizer: 'cl100k_base', text });
  const painted = await page.locator('#tokens .tok').count();
  check('painted tokens = API count', painted === want.count, painted + ' vs ' + want.count);
  check('count shown = API count', (await page.textContent('#count')) === String(want.count), await page.textContent('#count'));
  check('ids shown = API ids', (await page.inputValue('#ids')) === want.ids.join(', '), await page.inputValue('#ids'));
  const withOffsets = await api('/v1/encode', { tokenizer: 'cl100k_base', text, return_offsets: true, offset_unit: 'utf16' });
  const o = withOffsets.offsets, split = o.filter((x, i) => (i > 0 && x[0] < o[i - 1][1]) || (i + 1 < o.length && o[i + 1][0] < x[1])).length;
  const partial = await page.locator('#tokens .tok.partial').count();
  check('tokens that split a character are marked', split === 2 && partial === split, partial + ' marked, ' + split + ' split');
  const shown = await page.evaluate(() => [...document.querySelectorAll('#tokens .tok')].map((s) => s.textContent).join(''));
  check('whitespace made visible', shown.includes('·') && shown.includes('↵') && shown.includes('→'), shown);
  await shot(page, 'cl100k');

  await page.selectOption('#pick', 't:o200k_base');
  await settled(page);
  const o200k = await api('/v1/encode', { tokenizer: 'o200k_base', text });
  check('switching tokenizer re-counts', (await page.textContent('#count')) === String(o200k.count) &&
        (await page.locator('#tokens .tok').count()) === o200k.count, await page.textContent('#count'));

  await page.selectOption('#pick', 'm:gpt-4o');
  await settled(page);
  const ctx = await page.textContent('#context-text');
  check('a model shows its context window', await page.isVisible('#context') && ctx.includes('of 128,000 tokens') &&
        ctx.includes('16,384 reserved for output'), ctx);
  await shot(page, 'model');

  await page.check('#compare');
  await settled(page);
  const cols = await page.locator('#columns .column').evaluateAll((els) => els.map((e) => [e.dataset.tokenizer,
    e.querySelector('.count').textContent, e.querySelectorAll('.tok').length]));
  let same = cols.length === 3;
  for (const [name, count, n] of cols) {
    const r = await api('/v1/encode', { tokenizer: name, text });
    same = same && count === r.count + ' tokens' && n === r.count;
  }
  check('compare view: three tokenizers, each with the API count', same, JSON.stringify(cols));
  await shot(page, 'compare');
  await page.uncheck('#compare');
  await page.selectOption('#pick', 't:cl100k_base');
  await settled(page);

  await typeText(page, 'hi<|endoftext|>');
  const refused = await api('/v1/encode', { tokenizer: 'cl100k_base', text: 'hi<|endoftext|>' });
  check('a disallowed special token shows the API error', (await page.textContent('#error')) === refused.error.message,
        await page.textContent('#error'));
  await shot(page, 'special-error');
  await page.check('#special');
  await settled(page);
  check('allowing special tokens encodes it as one token', (await page.inputValue('#ids')) === '6151, 100257' &&
        (await page.textContent('#error')) === '', await page.inputValue('#ids'));
  await page.uncheck('#special');
  await settled(page);

  await page.focus('#pick');
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement.id);
  check('keyboard: Tab moves through the controls', next === 'special', next);

  const big = 'The quick brown fox jumps over the lazy dog. '.repeat(23302).slice(0, 1000000);
  const t0 = Date.now();
  await page.evaluate((t) => { document.getElementById('text').value = t; document.body.dataset.state = 'pending';
    document.getElementById('text').dispatchEvent(new Event('input')); }, big);
  await settled(page);
  const bigCount = (await api('/v1/count', { tokenizer: 'cl100k_base', text: big })).count;
  check('a 1 MB paste is counted exactly', (await page.textContent('#count')) === bigCount.toLocaleString('en-US'),
        await page.textContent('#count') + ' vs ' + bigCount);
  check('and only the first 5,000 tokens are painted', (await page.locator('#tokens .tok').count()) === 5000 &&
        (await page.textContent('#note')).startsWith('Showing the first 5,000 of'), await page.textContent('#note'));
  console.log('     (1 MB paste settled in ' + (Date.now() - t0) + ' ms)');

  const encodes = network.filter((u) => u.endsWith('/v1/encode')).length;
  await page.evaluate(() => { document.getElementById('text').value = ''; });
  for (const ch of 'typing fast') await page.type('#text', ch, { delay: 20 });
  await page.evaluate(() => { document.body.dataset.state = 'pending'; document.getElementById('text').dispatchEvent(new Event('input')); });
  await settled(page);
  const during = network.filter((u) => u.endsWith('/v1/encode')).length - encodes;
  check('typing is debounced (11 keys, at most 3 requests)', during <= 3, during + ' requests');
  check('the page only talks to the tokd API', network.every((u) => u.startsWith(base)), network.filter((u) => !u.startsWith(base)).join(' '));

  await page.setViewportSize({ width: 375, height: 800 });
  await typeText(page, text);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  check('phone width: nothing wider than the screen', overflow <= 375, overflow + ' px');
  await shot(page, 'phone');

  await browser.close();
  console.log(pass + ' passed, ' + fail + ' failed');
  process.exit(fail ? 1 : 0);
}

main().catch((e) => { console.log('FAIL ' + e.message); console.log(pass + ' passed, ' + (fail + 1) + ' failed'); process.exit(1); });
