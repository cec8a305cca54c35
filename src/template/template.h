/* template.h - a Jinja interpreter for chat templates, run the way
 * transformers' apply_chat_template runs jinja2: an immutable sandboxed
 * environment with trim_blocks and lstrip_blocks, the loopcontrols
 * extension, its tojson (json.dumps with ensure_ascii=False), and the
 * globals raise_exception and strftime_now.
 *
 * The subset is what real chat templates use: if/elif/else, for (loop.*,
 * else, a filter on the iterable, break/continue), set (also a block set
 * and namespace attributes), macro/call, generation; expressions with
 * attributes, items, slices, filters, tests, `in`, `~`, and/or/not,
 * comparisons, inline if, and the Python str/dict methods templates call.
 * Data are jansson values; the render's output is UTF-8 bytes.
 *
 * Every render is bounded: steps (expression and statement evaluations),
 * output bytes, call depth and wall-clock time, so a template sent in a
 * request cannot hang or exhaust the server.
 *
 * This is an internal library of the server (libtokd_template), not part
 * of the installed API.
 *
 * Thread-safety: a compiled template is immutable and may be rendered by
 * many threads at once; each render keeps its state on its own. */
#ifndef TOKD_TEMPLATE_H
#define TOKD_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "tokd/tokenizer.h"

typedef struct tokd_template tokd_template;

/* What went wrong: `code` a TOKD_E* value (EINVAL for a syntax or runtime
 * error, ELIMIT for a bound, ENOMEM), `raised` set when the template
 * itself called raise_exception (then `text` is exactly its message),
 * `line` the 1-based template line (0 if unknown). */
typedef struct tokd_template_error {
    int code;
    int raised;
    size_t line;
    char text[320];
} tokd_template_error;

typedef struct tokd_template_limits {
    size_t max_output; /* bytes of output */
    size_t max_steps;  /* evaluations */
    size_t max_depth;  /* nested macro calls */
    long max_ms;       /* wall clock; 0 = none */
} tokd_template_limits;

/* Compile `len` bytes of template source. On success *out is a new
 * template the caller frees with tokd_template_free. */
int tokd_template_compile(const char *src, size_t len, tokd_template **out, tokd_template_error *err);

void tokd_template_free(tokd_template *t);

/* 1 if the template iterates a message's "content" as a list of parts
 * (`for part in message['content']`), 0 if it reads content as a string:
 * vLLM's test for the content format a template expects ("openai" or
 * "string"), found once at compile time (inspect.c). */
int tokd_template_loops_over_content(const tokd_template *t);

/* Render with the variables of `vars` (a JSON object, borrowed), appending
 * to `out` (the caller's; on error it holds what was rendered so far). */
int tokd_template_render(const tokd_template *t, json_t *vars, const tokd_template_limits *lim, tokd_bytes *out,
                         tokd_template_error *err);

#endif
