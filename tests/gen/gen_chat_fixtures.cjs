// gen_chat_fixtures.cjs - the chat, image, tool and Responses cases of
// tests/integration/test_chat.sh with their exact totals, computed without
// tokd: npm tiktoken counts the text, and the published rules are written
// out plainly below (OpenAI's cookbook "How to count tokens with tiktoken",
// the vision guide's tile and patch rules and worked examples), plus tokd's
// documented extensions (README, "Chat counting") for what nothing publishes.
// The cookbook's own totals (129, 124, 101) are asserted here first: if this
// reference drifts from the cookbook, generation fails.
//
// Image sizes come from the fixture names (tests/data/images/NAME_WxH.EXT,
// made by gen_images.sh), never from reading the files.
//
// Usage: node tests/gen/gen_chat_fixtures.cjs  (writes
// tests/integration/data/chat_cases.json)
'use strict';
const fs = require('fs');
const path = require('path');
const { ROOT, loadEncoding } = require('./common.cjs');

const enc = { o200k_base: loadEncoding('o200k_base'), cl100k_base: loadEncoding('cl100k_base') };
const IMAGES = path.join(ROOT, 'tests/data/images');

// ---- the published constants, per model (cookbook; vision guide)
const COOKBOOK_4O = { perMessage: 3, perName: 1, priming: 3, funcInit: 7, propInit: 3, propKey: 3, enumInit: -3, enumItem: 3, funcEnd: 12 };
const COOKBOOK_4 = { ...COOKBOOK_4O, funcInit: 10 };
const MODELS = {
  'gpt-4o': { enc: 'o200k_base', chat: COOKBOOK_4O, chatPublished: true, toolsPublished: true, image: { rule: 'tile', base: 85, tile: 170 }, imagePublished: true },
  'gpt-4o-mini': { enc: 'o200k_base', chat: COOKBOOK_4O, chatPublished: true, toolsPublished: true, image: { rule: 'tile', base: 2833, tile: 5667 }, imagePublished: true },
  'gpt-4-0613': { enc: 'cl100k_base', chat: COOKBOOK_4, chatPublished: true, toolsPublished: false },
  'gpt-4.1': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'tile', base: 85, tile: 170 }, imagePublished: true },
  'gpt-4.1-mini': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'patch', budget: 1536, mult: 1.62 }, imagePublished: true },
  'gpt-5': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'tile', base: 70, tile: 140 }, imagePublished: true },
  'gpt-5-mini': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'patch', budget: 1536, mult: 1.62 }, imagePublished: true },
  'gpt-5.1': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'tile', base: 70, tile: 140 }, imagePublished: false },
  'o1': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'tile', base: 75, tile: 150 }, imagePublished: true },
  'o4-mini': { enc: 'o200k_base', chat: COOKBOOK_4O, image: { rule: 'patch', budget: 1536, mult: 1.72 }, imagePublished: true },
};

function ntok(model, s) {
  return enc[MODELS[model].enc].encode_ordinary(s).length;
}

// ---- the vision guide
function tileTokens(img, w, h, detail) {
  if (detail === 'low') return img.base;
  const long = Math.max(w, h);
  if (long > 2048) { w = Math.floor(w * 2048 / long); h = Math.floor(h * 2048 / long); }
  const short = Math.min(w, h);
  if (short > 768) { w = Math.floor(w * 768 / short); h = Math.floor(h * 768 / short); }
  return img.base + img.tile * Math.ceil(w / 512) * Math.ceil(h / 512);
}

function patchCount(w, h, budget) {
  let patches = Math.ceil(w / 32) * Math.ceil(h / 32);
  if (patches > budget) {
    const shrink = Math.sqrt((32 * 32 * budget) / (w * h));
    const fw = (w * shrink) / 32, fh = (h * shrink) / 32;
    // the side that loses most keeps whole patches; the other follows the aspect ratio
    let rw, rh;
    if (Math.floor(fw) / fw <= Math.floor(fh) / fh) { rw = 32 * Math.floor(fw); rh = Math.floor((h * rw) / w); }
    else { rh = 32 * Math.floor(fh); rw = Math.floor((w * rh) / h); }
    patches = Math.ceil(rw / 32) * Math.ceil(rh / 32);
  }
  return Math.min(patches, budget);
}

function imageTokens(model, w, h, detail, why) {
  const img = MODELS[model].image;
  if (!MODELS[model].imagePublished) why.add('image-constants');
  if (img.rule === 'tile') {
    if (detail === 'auto') why.add('detail-auto');
    return tileTokens(img, w, h, detail === 'auto' ? 'high' : detail);
  }
  const t = patchCount(w, h, img.budget) * img.mult;
  if (Math.abs(t - Math.round(t)) > 1e-9) why.add('patch-rounding');
  return Math.ceil(t - 1e-9);
}

// the guide's worked examples, as published
if (tileTokens({ base: 85, tile: 170 }, 1024, 1024, 'high') !== 765) throw new Error('vision guide: 1024x1024 high is 765');
if (tileTokens({ base: 85, tile: 170 }, 2048, 4096, 'high') !== 1105) throw new Error('vision guide: 2048x4096 high is 1105');
if (tileTokens({ base: 85, tile: 170 }, 4096, 8192, 'low') !== 85) throw new Error('vision guide: low is 85');
if (patchCount(1024, 1024, 1536) !== 1024) throw new Error('vision guide: 1024x1024 is 1024 patches');
if (patchCount(1800, 2400, 1536) !== 1452) throw new Error('vision guide: 1800x2400 is 1452 patches');

// ---- images: data: URLs from the fixtures, size from the name
function image(name) {
  const m = /_(\d+)x(\d+)\.(png|jpg|gif|webp)$/.exec(name);
  const mime = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' }[m[3]];
  const b64 = fs.readFileSync(path.join(IMAGES, name)).toString('base64');
  return { url: `data:${mime};base64,${b64}`, w: Number(m[1]), h: Number(m[2]) };
}

// ---- the cookbook's messages rule, with tokd's documented extensions
function messagesTokens(model, messages, why) {
  const c = MODELS[model].chat;
  if (!MODELS[model].chatPublished) why.add('overhead');
  let n = 0;
  for (const m of messages) {
    n += c.perMessage;
    for (const [key, v] of Object.entries(m)) {
      if (v === null) continue;
      if (key === 'content' && Array.isArray(v)) n += partsTokens(model, v, why);
      else if (key === 'tool_calls') n += v.reduce((s, call) => s + callTokens(model, call.function, why), 0);
      else if (key === 'function_call') n += callTokens(model, v, why);
      else {
        if (!['role', 'content', 'name'].includes(key)) why.add(`field ${key}`);
        n += ntok(model, v);
        if (key === 'name') n += c.perName;
      }
    }
  }
  return n + c.priming;
}

function partsTokens(model, parts, why) {
  if (parts.length > 1) why.add('several-parts');
  let n = 0;
  for (const p of parts) {
    if (p.type === 'text') n += ntok(model, p.text);
    else if (p.type === 'refusal') { why.add('refusal'); n += ntok(model, p.refusal); }
    else if (p.type === 'image_url') {
      const detail = p.image_url.detail || 'auto';
      n += imageTokens(model, p.image_url.tokd_width || p._w, p.image_url.tokd_height || p._h, detail, why);
    } else throw new Error(`no rule for ${p.type}`);
  }
  return n;
}

function callTokens(model, fn, why) {
  why.add('tool-calls');
  return MODELS[model].chat.perMessage + ntok(model, fn.name) + (fn.arguments ? ntok(model, fn.arguments) : 0);
}

// The cookbook's num_tokens_for_tools; nested properties by the same rule.
function toolsTokens(model, tools, why) {
  if (!tools || tools.length === 0) return 0;
  const c = MODELS[model].chat;
  if (!MODELS[model].toolsPublished) why.add('tools-overhead');
  let n = 0;
  const strip = (d) => (d || '').replace(/\.$/, '');
  const props = (properties) => {
    for (const [key, p] of Object.entries(properties)) {
      n += c.propKey;
      if (p.enum) {
        n += c.enumInit;
        for (const item of p.enum) n += c.enumItem + ntok(model, item);
      }
      n += ntok(model, `${key}:${p.type || ''}:${strip(p.description)}`);
      const nested = p.properties && Object.keys(p.properties).length ? p.properties
        : p.items && p.items.properties && Object.keys(p.items.properties).length ? p.items.properties : null;
      if (nested) { why.add('nested'); props(nested); }
    }
  };
  for (const t of tools) {
    const f = t.function;
    n += c.funcInit + ntok(model, `${f.name}:${strip(f.description)}`);
    const properties = (f.parameters && f.parameters.properties) || {};
    if (Object.keys(properties).length) { n += c.propInit; props(properties); }
  }
  return n + c.funcEnd;
}

function chatTotal(model, messages, tools) {
  const why = new Set();
  const count = messagesTokens(model, messages, why) + toolsTokens(model, tools, why);
  return { count, exact: why.size === 0 };
}

// ---- the Responses mapping (README, "The Responses endpoint")
function responsesToChat(body) {
  const messages = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });
  const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  let calls = null;
  const part = (p) => p.type === 'input_image'
    ? { type: 'image_url', image_url: { url: p.image_url, detail: p.detail, tokd_width: p.tokd_width, tokd_height: p.tokd_height } }
    : { type: 'text', text: p.text };
  for (const item of input) {
    if (item.type === 'function_call') {
      if (!calls) { calls = { role: 'assistant', content: null, tool_calls: [] }; messages.push(calls); }
      calls.tool_calls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } });
      continue;
    }
    calls = null;
    if (item.type === 'function_call_output') messages.push({ role: 'tool', tool_call_id: item.call_id, content: item.output });
    else messages.push({ role: item.role, content: Array.isArray(item.content) ? item.content.map(part) : item.content });
  }
  const tools = (body.tools || []).map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
  return { messages, tools };
}

// ---- trimming (README, "Trimming a conversation")
function trim(model, messages, tools, budget) {
  const cost = messages.map((m) => messagesTokens(model, [m], new Set()) - MODELS[model].chat.priming);
  let total = cost.reduce((a, b) => a + b, 0) + MODELS[model].chat.priming + toolsTokens(model, tools, new Set());
  let lastUser = -1;
  messages.forEach((m, i) => { if (m.role === 'user') lastUser = i; });
  const dropped = new Set();
  for (let i = 0; i < messages.length && total > budget;) {
    const m = messages[i];
    if (i === lastUser || m.role === 'system' || m.role === 'developer') { i++; continue; }
    let end = i + 1;
    if (m.role === 'assistant' && m.tool_calls && m.tool_calls.length)
      while (end < messages.length && end !== lastUser && messages[end].role === 'tool') end++;
    for (; i < end; i++) { dropped.add(i); total -= cost[i]; }
  }
  const kept = messages.filter((_, i) => !dropped.has(i));
  return { kept, dropped: dropped.size, tokens: chatTotal(model, kept, tools).count };
}

// ---- the cookbook's published totals
const cookbook = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/integration/data/cookbook_messages.json'), 'utf8'));
const cookbookTools = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/integration/data/cookbook_tools.json'), 'utf8'));
for (const [model, want] of [['gpt-4-0613', 129], ['gpt-4o', 124]])
  if (chatTotal(model, cookbook).count !== want) throw new Error(`cookbook: ${model} example is ${want}`);
if (chatTotal('gpt-4o', cookbookTools.messages, cookbookTools.tools).count !== 101) throw new Error('cookbook: tools example is 101');

// ---- the cases
const cases = [];
function chatCase(name, model, messages, tools, extra = {}) {
  const body = { model, messages, ...(tools ? { tools } : {}), ...extra };
  // the request as sent: strip the generator's private size hints
  const sent = JSON.parse(JSON.stringify(body, (k, v) => (k === '_w' || k === '_h' ? undefined : v)));
  const registry = extra.registry || model;
  cases.push({ name, path: '/v1/count', body: sent, want: chatTotal(registry, messages, tools) });
}
function imagePart(name, detail) {
  const img = image(name);
  return { type: 'image_url', image_url: { url: img.url, ...(detail ? { detail } : {}) }, _w: img.w, _h: img.h };
}
const user = (content) => ({ role: 'user', content });

chatCase('cookbook messages gpt-4-0613 (129)', 'gpt-4-0613', cookbook);
chatCase('cookbook messages gpt-4o (124)', 'gpt-4o', cookbook);
chatCase('cookbook tools gpt-4o (101)', 'gpt-4o', cookbookTools.messages, cookbookTools.tools);
chatCase('one text part equals string content', 'gpt-4o', [{ role: 'system', content: 'Be terse.' }, user([{ type: 'text', text: 'What is in this picture?' }])]);
chatCase('text and image parts (png 1024x1024 high)', 'gpt-4o', [user([{ type: 'text', text: 'Describe it.' }, imagePart('png_1024x1024.png', 'high')])]);
chatCase('vision example 2048x4096 high (jpeg)', 'gpt-4o', [user([imagePart('jpeg_2048x4096.jpg', 'high')])]);
chatCase('vision example 1024x1024 high (png)', 'gpt-4o', [user([imagePart('png_1024x1024.png', 'high')])]);
chatCase('vision example 4096x8192 low (remote URL, no size needed)', 'gpt-4o',
  [user([{ type: 'image_url', image_url: { url: 'https://example.com/big.png', detail: 'low' } }])]);
chatCase('remote URL with tokd_width/tokd_height high', 'gpt-4.1',
  [user([{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'high', tokd_width: 1920, tokd_height: 1080 } }])]);
chatCase('detail auto counted as high (estimate)', 'gpt-4o', [user([imagePart('png_1024x1024.png')])]);
chatCase('gpt-4o-mini tile constants (gif 512x512)', 'gpt-4o-mini', [user([imagePart('gif_512x512.gif', 'high')])]);
chatCase('o1 tile constants', 'o1', [user([imagePart('jpeg_2048x4096.jpg', 'high')])]);
chatCase('gpt-5 tile constants', 'gpt-5', [user([imagePart('png_1024x1024.png', 'high')])]);
chatCase('gpt-5.1: gpt-5 image constants (estimate)', 'gpt-5.1', [user([imagePart('png_1024x1024.png', 'low')])]);
chatCase('patch example 1800x2400 on gpt-4.1-mini (webp)', 'gpt-4.1-mini', [user([imagePart('webp_1800x2400.webp')])]);
chatCase('patch 1024x1024 on gpt-5-mini', 'gpt-5-mini', [user([imagePart('png_1024x1024.png', 'high')])]);
chatCase('patch on o4-mini (1.72)', 'o4-mini', [user([imagePart('jpeg_2048x4096.jpg')])]);
chatCase('small images: png, gif, jpeg, webp 3x2', 'gpt-4o', [user(['png_3x2.png', 'gif_3x2.gif', 'jpeg-progressive_3x2.jpg', 'webp-lossless_3x2.webp', 'webp-alpha_3x2.webp'].map((f) => imagePart(f, 'high')))]);

const weatherTool = cookbookTools.tools;
const agentLoop = [
  { role: 'developer', content: 'You answer weather questions with the tool.' },
  user('Weather in Paris and Tokyo?'),
  { role: 'assistant', content: null, tool_calls: [
    { id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Paris, FR","unit":"celsius"}' } },
    { id: 'call_2', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Tokyo, JP","unit":"celsius"}' } }] },
  { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": 18, "sky": "cloudy"}' },
  { role: 'tool', tool_call_id: 'call_2', content: '{"temperature": 24, "sky": "clear"}' },
  { role: 'assistant', content: 'Paris is 18°C and cloudy; Tokyo is 24°C and clear.', refusal: null },
  user('And in Oslo?'),
];
chatCase('agent loop: tool_calls, tool messages, developer role', 'gpt-4o', agentLoop, weatherTool);
chatCase('legacy function_call and function role', 'gpt-4o', [
  user('Weather in Rome?'),
  { role: 'assistant', content: null, function_call: { name: 'get_current_weather', arguments: '{"location":"Rome"}' } },
  { role: 'function', name: 'get_current_weather', content: '{"temperature": 22}' }]);
chatCase('refusal part', 'gpt-4o', [user('hi'), { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] }]);
chatCase('nested tool parameters (estimate)', 'gpt-4o', [user('Book it')], [{ type: 'function', function: {
  name: 'book', description: 'Book a trip.', parameters: { type: 'object', properties: {
    traveller: { type: 'object', description: 'Who travels.', properties: { name: { type: 'string', description: 'Full name' }, age: { type: 'integer' } } },
    legs: { type: 'array', description: 'The legs.', items: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } } },
    class: { type: 'string', enum: ['economy', 'business'] } } } } }]);
chatCase('gpt-5.1 (its own entry): overhead not published', 'gpt-5.1', [user('Hello!')]);
chatCase('gpt-5.9 (tiktoken prefix gpt-5.)', 'gpt-5.9', [user('Hello!')], null, { registry: 'gpt-5' });
chatCase('dated snapshot gpt-4o-2024-11-20', 'gpt-4o-2024-11-20', [user('Hello!')], null, { registry: 'gpt-4o' });

// Responses
function responsesCase(name, model, body) {
  const { messages, tools } = responsesToChat(body);
  cases.push({ name, path: '/v1/responses/input_tokens', body: { model, ...body },
    want: { input_tokens: chatTotal(model, messages, tools).count, exact: false } });
}
responsesCase('responses: string input', 'gpt-4o', { input: 'Tell me a three sentence bedtime story about a unicorn.' });
responsesCase('responses: instructions, image, function calls, tools', 'gpt-4o', {
  instructions: 'You are a weather bot.',
  input: [
    { role: 'user', content: [{ type: 'input_text', text: 'What is the weather where this photo was taken?' },
      { type: 'input_image', image_url: 'https://example.com/photo.jpg', detail: 'high', tokd_width: 1024, tokd_height: 1024 }] },
    { type: 'function_call', call_id: 'call_9', name: 'get_current_weather', arguments: '{"location":"Paris"}' },
    { type: 'function_call_output', call_id: 'call_9', output: '{"temperature": 18}' }],
  tools: weatherTool.map((t) => ({ type: 'function', ...t.function })) });

// Trimming
{
  const long = [{ role: 'system', content: 'You are terse.' },
    user('First question about the weather in a very long and wordy way, with many words.'),
    { role: 'assistant', content: 'A first answer that is also rather long, to take room.' },
    ...agentLoop.slice(1)];
  const full = chatTotal('gpt-4o', long, weatherTool).count;
  for (const budget of [full, full - 20, 150, 10]) {
    const t = trim('gpt-4o', long, weatherTool, budget);
    cases.push({ name: `trim to ${budget} of ${full}`, path: '/v1/context/check',
      body: { model: 'gpt-4o', messages: long, tools: weatherTool, context_window: budget, max_output_tokens: 0, truncate: 'start' },
      want: { input_tokens: full, truncated_tokens: t.tokens, dropped_messages: t.dropped, truncated_fits: t.tokens <= budget,
        roles: t.kept.map((m) => m.role) } });
  }
}

fs.writeFileSync(path.join(ROOT, 'tests/integration/data/chat_cases.json'), JSON.stringify(cases, null, 1) + '\n');
console.log(`${cases.length} cases`);
