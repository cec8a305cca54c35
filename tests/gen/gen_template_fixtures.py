#!/usr/bin/python3
"""gen_template_fixtures.py - the reference renders of chat templates.

Drives Debian's python3-jinja2 exactly the way transformers' apply_chat_template
does (transformers/utils/chat_template_utils.py, _compile_jinja_template and
render_jinja_template):

  * ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
    extensions=[AssistantTracker, jinja2.ext.loopcontrols]);
  * its tojson filter: json.dumps(x, ensure_ascii=False, indent=indent,
    separators=separators, sort_keys=sort_keys);
  * globals raise_exception (raises TemplateError(message)) and strftime_now
    (datetime.now().strftime(format));
  * render(messages=..., tools=..., documents=None, add_generation_prompt=...,
    **special_tokens_map, **chat_template_kwargs).

The `{% generation %}` tag of AssistantTracker renders its body unchanged (as
it does when no assistant mask is asked for).

vLLM's chat-form /tokenize first rewrites the messages (vllm/entrypoints/
chat_utils.py at 001eadcf295d90aa0664963cd6a9d93f38a2f3da: _parse_chat_message_content
and _postprocess_messages) in the content format the template expects
(_detect_content_format: "openai" when the template loops over a message's
content, else "string"). Both are written out plainly below (vllm_messages,
content_format) for text-only models, and every template x conversation is
rendered again from the rewritten messages ("vllm" renders).

Reads tests/data/templates/*.json (the chat templates of the npm packages and
Mistral's from stored upstream sources, see each file's _provenance) and writes tests/data/template_fixtures.json: for each
template x conversation x add_generation_prompt, the exact output, or the error
(raised: the template's own raise_exception, with its message). A list of small
templates exercising the interpreter's features is rendered the same way.
Run once when fixtures change, with Debian's python3 and python3-jinja2 (3.1.2 on Debian 12;
the version is recorded in the output): /usr/bin/python3 tests/gen/gen_template_fixtures.py
"""
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class AssistantTracker(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def render(env, source, variables):
    try:
        return {"output": env.from_string(source).render(**variables)}
    except jinja2.exceptions.TemplateError as e:
        raised = type(e) is jinja2.exceptions.TemplateError
        return {"error": str(e), "raised": raised}
    except Exception as e:  # TypeError and the like: the template failed
        return {"error": "%s: %s" % (type(e).__name__, e), "raised": False}


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the current weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
        "required": ["city"]}}}

CONVERSATIONS = {
    "user": [{"role": "user", "content": "Hello!"}],
    "system_user": [{"role": "system", "content": "You are a helpful assistant."},
                    {"role": "user", "content": "What is 2 + 2?"}],
    "multi_turn": [{"role": "system", "content": "Be brief."},
                   {"role": "user", "content": "Hi"},
                   {"role": "assistant", "content": "Hello! How can I help?"},
                   {"role": "user", "content": "Tell me a joke."},
                   {"role": "assistant", "content": "Why did the chicken cross the road?"},
                   {"role": "user", "content": "Why?"}],
    "unicode": [{"role": "user", "content": "  Grüße aus Köln 🌍, 日本語で答えて。\n\n"},
                {"role": "assistant", "content": "\tもちろん！ «ça va» — naïve café\n"},
                {"role": "user", "content": "Emoji: 👩‍💻 🇨🇭 and a tab\tand \"quotes\" and \\backslash"}],
    "tools_call_string_args": [
        {"role": "user", "content": "What's the weather in Zürich?"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "{\"temperature\": 21, \"unit\": \"celsius\"}"},
        {"role": "assistant", "content": "It is 21 °C in Zürich."}],
    "tools_call_dict_args": [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "Weather in Paris and Oslo?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
            {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo", "unit": "celsius"}}}]},
        {"role": "tool", "content": "18"},
        {"role": "tool", "content": "7"},
        {"role": "user", "content": "Thanks"}],
    "tools_call_nine_char_ids": [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "Weather in Zürich?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "abc123XYZ", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}]},
        {"role": "tool", "tool_call_id": "abc123XYZ", "content": "{\"temperature\": 21}"},
        {"role": "assistant", "content": "It is 21 °C."},
        {"role": "user", "content": "Thanks!"}],
    "reasoning": [{"role": "user", "content": "Think first: 3 * 7?"},
                  {"role": "assistant", "content": "<think>\n3 times 7 is 21.\n</think>\n\n21"},
                  {"role": "user", "content": "And 4 * 6?"}],
    "content_parts": [{"role": "system", "content": [{"type": "text", "text": "Describe images."}]},
                      {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What is this?"}]}],
    "text_parts": [{"role": "system", "content": [{"type": "text", "text": "Be brief."},
                                                  {"type": "text", "text": "Answer in French."}]},
                   {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]},
                   {"role": "assistant", "content": "Bonjour !", "reasoning": "The user greets me."},
                   {"role": "user", "content": [{"type": "text", "text": "Ça va ?"}], "name": "ann",
                    "extra_field": "dropped"}],
    "not_alternating": [{"role": "user", "content": "one"}, {"role": "user", "content": "two"}],
    "assistant_first": [{"role": "assistant", "content": "I start."}, {"role": "user", "content": "ok"}],
}

# conversation -> (tools, chat_template_kwargs)
EXTRAS = {
    "tools_call_string_args": ([WEATHER], {}),
    "tools_call_dict_args": ([WEATHER], {}),
    "tools_call_nine_char_ids": ([WEATHER], {}),
    "reasoning": (None, {"enable_thinking": False}),
}

# Small templates for the interpreter's features, each rendered with FEATURE_VARS.
FEATURE_VARS = {"messages": CONVERSATIONS["multi_turn"], "tools": [WEATHER], "n": 7, "f": 2.5, "s": "  Hello, World  ",
                "d": {"b": 1, "a": [1, 2.0, "x", None, True]}, "empty": [], "none": None, "flag": False,
                "bos_token": "<s>", "eos_token": "</s>", "add_generation_prompt": True}
FEATURES = [
    "{{ n + 1 }} {{ n - 10 }} {{ n * 3 }} {{ n / 2 }} {{ n // 2 }} {{ n % 3 }} {{ -n // 2 }} {{ -n % 3 }} {{ 2 ** 10 }}",
    "{{ f }} {{ f * 2 }} {{ 1e20 }} {{ 0.1 + 0.2 }} {{ 1.0 }} {{ 1e-7 }} {{ 3.0 / 4 }} {{ 10 / 5 }}",
    "{{ none }} {{ flag }} {{ true }} {{ d }} {{ d.a }} {{ empty }} {{ [1, 'a', none] }} {{ 'it\\'s' }} {{ ['it\\'s'] }}",
    "[{{ s | trim }}] [{{ s.strip() }}] [{{ s.lstrip() }}] [{{ s.rstrip() }}] [{{ s.strip(' H') }}] [{{ 'xxhixx'.strip('x') }}]",
    "{{ s | lower }} {{ s | upper }} {{ 'hello world' | capitalize }} {{ 'hello world' | title }} {{ s | length }} {{ '日本語' | length }}",
    "{{ 'a,b,,c'.split(',') }} {{ '  a b  c '.split() }} {{ 'a-b-c'.split('-', 1) }} {{ 'a-b-c'.rsplit('-', 1) }}",
    "{{ 'abc'.startswith('a') }} {{ 'abc'.endswith('bc') }} {{ 'abc'.startswith(('x', 'a')) }} {{ 'aXbX'.replace('X', '-') }}",
    "{{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ 'hello'[-2:] }} {{ [1,2,3,4,5][1::2] }} {{ [1,2,3][::-1] }} {{ 'héllo'[1] }}",
    "{{ d | tojson }} {{ tools | tojson }} {{ 'é\"\\n' | tojson }} {{ d | tojson(indent=2) }} {{ {'z': 1, 'a': 2} | tojson(sort_keys=true) }}",
    "{% for k, v in d | items %}{{ k }}:{{ v }},{% endfor %} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys() | list }} {{ d.get('b') }} {{ d.get('q', 5) }}",
    "{{ [3, 1, 2] | join('-') }} {{ messages | map(attribute='role') | join(',') }} {{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'equalto', 'user') | map(attribute='role') | first }}",
    "{{ undefined_var | default('dflt') }} {{ '' | default('e', true) }} {{ none | default('n') }} {{ [1,2,3] | first }} {{ [1,2,3] | last }} {{ [1,2,3] | reverse | list }}",
    "{{ x is defined }} {{ n is defined }} {{ none is none }} {{ s is string }} {{ d is mapping }} {{ empty is sequence }} {{ n is number }} {{ n is odd }} {{ n is even }} {{ n is divisibleby 7 }} {{ flag is false }} {{ true is true }} {{ f is float }} {{ n is integer }} {{ d is iterable }}",
    "{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'b' in d }} {{ 'q' not in d }} {{ n > 3 and n < 10 }} {{ not flag or none }} {{ 1 < n < 8 }} {{ 'x' ~ n ~ none }}",
    "{{ 'yes' if n > 5 else 'no' }} {{ 'a' if flag }}|{{ (n if flag else f) }}",
    "{% for m in messages %}{{ loop.index }}/{{ loop.length }}:{{ loop.first }}{{ loop.last }}{{ loop.revindex }}{{ loop.index0 }} {% endfor %}",
    "{% for m in messages if m.role == 'user' %}{{ loop.index }}{{ m.content }};{% else %}none{% endfor %}|{% for x in empty %}x{% else %}empty{% endfor %}",
    "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 5 %}{% break %}{% endif %}{{ i }}{% endfor %} {{ range(3) | list }} {{ range(1, 10, 3) | list }}",
    "{% set x = 1 %}{% for i in range(3) %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}",
    "{% set ns = namespace(total=0, names=[]) %}{% for m in messages %}{% set ns.total = ns.total + 1 %}{% endfor %}{{ ns.total }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set block %}inner {{ n }}{% endset %}[{{ block }}]",
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', punct='?') }}",
    "{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body {{ n }}{% endcall %}",
    "  {% if true %}\n    kept\n  {% endif %}\n{%- if true %} dash {% endif -%}\n  end  \n{# comment #}\n  after\n",
    "{% for m in messages %}\n  {{- m.role }}\n{% endfor %}\n{%+ if true %}plus{% endif %}\n{% if true +%}\nnot trimmed{% endif %}",
    "line1\n{% if true %}\nline2\n{% endif %}\n{{ 'x' }}\n{% for i in [1] %}\n  item\n{% endfor %}\ntrailing\n",
    "{{ 'tab\\there' }} {{ \"dq 'q'\" }} {{ '\\u00e9\\x41' }} {{ 'a' 'b' }}",
    "{{ messages[0].content }} {{ messages[-1]['role'] }} {{ messages[1:3] | length }} {{ messages[0]['nope'] is defined }}",
    "{% generation %}gen {{ n }}{% endgeneration %}",
    "{{ raise_exception('custom failure: ' ~ n) }}",
    "{{ strftime_now('%Y') | length }}",
    "{{ [1, 2] + [3] }} {{ 'ab' * 3 }} {{ 'n=' + n | string }} {{ d['a'][2] }}",
    "{{ 'a' + 1 }}",
    "{{ none.attr is defined }} {{ s.nope is defined }}",
    "{{ [1,1,2] | unique | list }} {{ 'x' | indent(2, true) }} {{ 'a\\nb' | indent(2) }} {{ -3 | abs }} {{ '42' | int + 1 }} {{ 3 | float }}",
]


def content_format(env, source):
    """vLLM's _detect_content_format on jinja2's AST: "openai" if some loop
    iterates a message's content, else "string" (also where vLLM's own
    analysis raises: an assignment or loop target that is not a name)."""
    nodes_ = jinja2.nodes

    def reads(e, name, key=None):
        if isinstance(e, (nodes_.Filter, nodes_.Test)):
            return e.node is not None and reads(e.node, name, key)
        if isinstance(e, nodes_.Getitem) and isinstance(e.arg, nodes_.Slice):
            return reads(e.node, name, key)
        if key is None:
            return isinstance(e, nodes_.Name) and e.ctx == "load" and e.name == name
        if isinstance(e, nodes_.Getitem):
            return reads(e.node, name) and isinstance(e.arg, nodes_.Const) and e.arg.value == key
        if isinstance(e, nodes_.Getattr):
            return reads(e.node, name) and e.attr == key
        return False

    ast = env.parse(source)
    lists, grew = ["messages"], True
    while grew:
        grew = False
        for a in ast.find_all(nodes_.Assign):
            if any(reads(a.node, n) for n in lists):
                if not isinstance(a.target, nodes_.Name):
                    return "string"
                if a.target.name not in lists:
                    lists.append(a.target.name)
                    grew = True
    messages = []
    for loop in ast.find_all(nodes_.For):
        if any(reads(loop.iter, n) for n in lists):
            if not isinstance(loop.target, nodes_.Name):
                return "string"
            messages.append(loop.target.name)
    for loop in ast.find_all(nodes_.For):
        if any(reads(loop.iter, n, "content") for n in messages):
            return "openai" if isinstance(loop.target, nodes_.Name) else "string"
    return "string"


VLLM_TEXT_PARTS = {"text": "text", "input_text": "text", "output_text": "text", "refusal": "refusal",
                   "thinking": "thinking"}
VLLM_MEDIA_PARTS = ("image_url", "input_image", "image_embeds", "audio_embeds", "prompt_embeds", "image_pil",
                    "audio_url", "input_audio", "video_url")
VLLM_SUPPORTED = sorted(set(VLLM_TEXT_PARTS) | set(VLLM_MEDIA_PARTS) | {"tool_reference"})


class VllmRefuses(Exception):
    pass


def vllm_part(part, openai):
    """One content part as vLLM parses it for a text-only model: text (a
    string, or {"type": "text", "text"} in the openai format), a
    tool_reference, None (skipped), or VllmRefuses."""
    if isinstance(part, str):
        return {"type": "text", "text": part} if openai else part
    ptype, uuid = part.get("type"), part.get("uuid")
    if ptype is None or uuid is not None:
        if any(k in part for k in VLLM_MEDIA_PARTS):
            raise VllmRefuses("media")
        raise VllmRefuses("Missing 'type' field in multimodal part.")
    if not isinstance(ptype, str):
        raise VllmRefuses("Invalid 'type' field in multimodal part.")
    if ptype in VLLM_TEXT_PARTS:
        text = part.get(VLLM_TEXT_PARTS[ptype])
        if text is None and ptype in ("text", "refusal"):
            return None
        return {"type": "text", "text": text} if openai else text
    if ptype == "tool_reference":
        return {"type": "tool_reference", "name": part.get("name")} if openai else part.get("name")
    if ptype in VLLM_MEDIA_PARTS:
        raise VllmRefuses("media")
    raise VllmRefuses("Unsupported chat content part type: %r. Supported types: %s." % (ptype, ", ".join(VLLM_SUPPORTED)))


def vllm_message(m, openai):
    role, content = m["role"], m.get("content")
    parts = [] if content is None else [{"type": "text", "text": content}] if isinstance(content, str) else content
    items = [p for p in (vllm_part(p, openai) for p in parts) if p is not None]
    out = {"role": role, "content": items if openai else "\n".join(items)}
    if role == "assistant":
        if m.get("tool_calls") is not None:
            out["tool_calls"] = json.loads(json.dumps(m["tool_calls"]))
        if m.get("reasoning") is not None:
            out["reasoning"] = m["reasoning"]
            out["reasoning_content"] = m["reasoning"]
    elif role == "tool":
        if "tool_call_id" in m:
            out["tool_call_id"] = m["tool_call_id"]
        if isinstance(out["content"], list):
            if not any(isinstance(i, dict) and i.get("type") != "text" for i in out["content"]):
                texts = [i.get("text", "") for i in out["content"] if isinstance(i, dict)]
                out["content"] = "\n".join(texts) if texts else ""
    for key in ("name", "task"):
        if isinstance(m.get(key), str):
            out[key] = m[key]
    if role == "developer":
        out["tools"] = m.get("tools")
    return out


def vllm_messages(messages, fmt):
    """_parse_chat_message_content of each message, then _postprocess_messages."""
    conv = [vllm_message(m, fmt == "openai") for m in messages]
    for m in conv:
        calls = m.get("tool_calls") if m["role"] == "assistant" else None
        if not isinstance(calls, list):
            continue
        if not calls:
            del m["tool_calls"]
            continue
        for item in calls:
            args = item["function"].get("arguments")
            if isinstance(args, str):
                try:
                    item["function"]["arguments"] = json.loads(args)
                except json.JSONDecodeError:
                    item["function"]["arguments"] = {}
            elif not isinstance(args, (dict, list)):
                item["function"]["arguments"] = {}
    return conv


# Templates for the content-format test itself (what vLLM's analysis answers).
FORMAT_CASES = [
    "{% for m in messages %}{% for p in m['content'] %}{{ p.text }}{% endfor %}{% endfor %}",
    "{% for m in messages %}{% for p in m.content | selectattr('type', 'equalto', 'text') %}x{% endfor %}{% endfor %}",
    "{% set loop_messages = messages[1:] %}{% set rest = loop_messages %}{% for m in rest %}{% for p in m.content %}{% endfor %}{% endfor %}",
    "{% for m in messages %}{{ m.content }}{% endfor %}",
    "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{{ p }}{% endfor %}{% endif %}{% endfor %}",
    "{% for c in messages[0]['content'] %}{{ c }}{% endfor %}",
    "{% for i, m in messages | items %}{% for p in m.content %}{% endfor %}{% endfor %}",
    "{% set ns = namespace() %}{% set ns.m = messages %}{% for m in messages %}{% for p in m.content %}{% endfor %}{% endfor %}",
    "{% for m in messages %}{% for k, v in m.content %}{% endfor %}{% endfor %}",
    "{% macro f(ms) %}{% for m in ms %}{% for p in m.content %}{% endfor %}{% endfor %}{% endmacro %}{{ f(messages) }}",
    "{% for m in messages %}{% for p in m.content[:2] %}{% endfor %}{% endfor %}",
    "{% for m in messages %}{% for p in m.contents %}{% endfor %}{% endfor %}",
]


# vLLM's own examples of its chat-form /tokenize (tests/entrypoints/openai/test_tokenization.py at
# 0091c9502ffb9f6761588a21b8d917db8ede4990: test_tokenize_chat, test_tokenize_chat_with_tools),
# replayed against the bundled llama3 and its template: each request body, and the prompt vLLM
# tokenizes (tokenizer.apply_chat_template(..., tokenize=False), continue_final_message cut as
# transformers cuts it).
VLLM_CHAT = [{"role": "user", "content": "Hi there!"}, {"role": "assistant", "content": "Nice to meet you!"},
             {"role": "user", "content": "Can I ask a question? vllm1"}]
VLLM_TOOLS = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"location": {"type": "string"}}}}}]


def continue_final(rendered, messages):
    """transformers' continue_final_message: cut after the final message's content."""
    final = messages[-1]["content"]
    if final not in rendered:
        final = final.strip()
    return rendered[: rendered.rindex(final) + len(final)]


def vllm_upstream(env):
    cfg = json.load(open(os.path.join(ROOT, "data", "encodings", "llama3", "tokenizer_config.json"), encoding="utf-8"))
    out = []
    for test, base, tools in (("test_tokenize_chat", VLLM_CHAT, None),
                              ("test_tokenize_chat_with_tools", VLLM_CHAT[:0] + [{"role": "user", "content":
                               "What's the weather like in Paris today?"}], VLLM_TOOLS)):
        for gen in (False, True):
            for special in (False, True):
                for cont in (False, True):
                    if gen and cont:
                        continue
                    messages = base + ([{"role": "assistant", "content": "Sure,"}] if cont else [])
                    body = {"add_generation_prompt": gen, "continue_final_message": cont, "add_special_tokens": special,
                            "messages": messages, "model": "llama-3"}
                    if tools:
                        body["tools"] = tools
                    text = env.from_string(cfg["chat_template"]).render(
                        messages=vllm_messages(messages, content_format(env, cfg["chat_template"])), tools=tools,
                        documents=None, add_generation_prompt=gen and not cont, bos_token=cfg["bos_token"],
                        eos_token=cfg["eos_token"])
                    out.append({"test": test, "request": body, "prompt": continue_final(text, messages) if cont else text})
    return out


def main():
    env = environment()
    tdir = os.path.join(ROOT, "tests", "data", "templates")
    out = {"generator": "tests/gen/gen_template_fixtures.py", "jinja2": jinja2.__version__, "templates": [], "features": []}
    for name in sorted(f[:-5] for f in os.listdir(tdir) if f.endswith(".json")):
        t = json.load(open(os.path.join(tdir, name + ".json"), encoding="utf-8"))
        for conv in CONVERSATIONS:
            tools, kwargs = EXTRAS.get(conv, (None, {}))
            for gen in (True, False):
                special = {k: t[k] for k in ("bos_token", "eos_token") if t.get(k) is not None}
                variables = {**special, **kwargs, "messages": CONVERSATIONS[conv], "tools": tools,
                             "documents": None, "add_generation_prompt": gen}
                case = {"template": name, "case": conv, "add_generation_prompt": gen, "vars": variables}
                case.update(render(env, t["chat_template"], variables))
                out["templates"].append(case)
    out["content_formats"] = {}
    out["vllm"] = []
    for name in sorted(f[:-5] for f in os.listdir(tdir) if f.endswith(".json")):
        t = json.load(open(os.path.join(tdir, name + ".json"), encoding="utf-8"))
        fmt = out["content_formats"][name] = content_format(env, t["chat_template"])
        for conv in CONVERSATIONS:
            tools, kwargs = EXTRAS.get(conv, (None, {}))
            try:
                messages = vllm_messages(CONVERSATIONS[conv], fmt)
            except VllmRefuses as e:
                out["vllm"].append({"template": name, "case": conv, "refused": str(e)})
                continue
            for gen in (True, False):
                special = {k: t[k] for k in ("bos_token", "eos_token") if t.get(k) is not None}
                variables = {**special, **kwargs, "messages": messages, "tools": tools,
                             "documents": None, "add_generation_prompt": gen}
                case = {"template": name, "case": conv, "add_generation_prompt": gen, "messages": messages}
                case.update(render(env, t["chat_template"], variables))
                out["vllm"].append(case)
    out["vllm_upstream"] = vllm_upstream(env)
    out["content_format_cases"] = [{"source": src, "format": content_format(env, src)} for src in FORMAT_CASES]
    for src in FEATURES:
        case = {"source": src}
        case.update(render(env, src, FEATURE_VARS))
        out["features"].append(case)
    out["feature_vars"] = FEATURE_VARS
    path = os.path.join(ROOT, "tests", "data", "template_fixtures.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    bad = [c for c in out["features"] if "error" in c]
    print("%d template renders, %d vLLM renders, %d feature renders (%d errors: %s), formats %s %s -> %s" % (
        len(out["templates"]), len(out["vllm"]), len(out["features"]), len(bad), [c["error"][:40] for c in bad],
        out["content_formats"], [c["format"] for c in out["content_format_cases"]], path))


if __name__ == "__main__":
    sys.exit(main())
