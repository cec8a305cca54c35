/* inspect.c - what a compiled template reads, found from its AST without
 * rendering: whether it loops over a message's "content" (a list of parts)
 * or prints it as a string. Servers that rewrite messages for the template
 * (vLLM joins text parts into one string unless the template iterates the
 * parts) decide by this.
 *
 * The rule is vLLM's (entrypoints/chat_utils.py, _detect_content_format):
 *   1. list names: "messages", and every `set x = E` whose E reads a list
 *      name (E is the name, or a filter, test or slice of such a read);
 *   2. message names: the target of every `for m in E` whose E reads a list
 *      name;
 *   3. "openai" (parts) when some `for p in E` has E reading a message
 *      name's "content" (m.content or m['content'], through filters, tests
 *      or slices), else "string".
 * Where vLLM's own analysis fails (a matching assignment or loop whose
 * target is not a single name) it answers "string", and so does this.
 * At most MAX_NAMES list and message names are followed (real templates
 * have two or three).
 *
 * Thread-safety: reads the immutable AST only. */
#include <string.h>

#include "tpl.h"

#define MAX_NAMES 32

typedef struct names {
    const char *v[MAX_NAMES];
    size_t n;
    int failed; /* vLLM's analysis would have raised: the answer is "string" */
} names;

typedef int (*visit_fn)(const node *n, names *lists, names *out);

static int has_name(const names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], name))
            return 1;
    return 0;
}

static void add_name(names *s, const char *name)
{
    if (!has_name(s, name) && s->n < MAX_NAMES)
        s->v[s->n++] = name;
}

/* E reads `name` (key NULL) or name.key / name['key']: directly, or under
 * filters, tests and slices. */
static int reads(const node *e, const char *name, const char *key)
{
    if (!e)
        return 0;
    if (e->type == N_FILTER || e->type == N_TEST || e->type == N_SLICE)
        return reads(e->a, name, key);
    if (!key)
        return e->type == N_NAME && !strcmp(e->str, name);
    const node *obj = e->a;
    if (!obj || obj->type != N_NAME || strcmp(obj->str, name))
        return 0;
    if (e->type == N_ATTR)
        return !strcmp(e->str, key);
    return e->type == N_ITEM && e->b && e->b->type == N_LIT && json_is_string(e->b->lit) &&
           !strcmp(json_string_value(e->b->lit), key);
}

static int reads_any(const node *e, const names *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (reads(e, s->v[i], key))
            return 1;
    return 0;
}

/* Call fn on every node under n, in document order; stop when it returns 1. */
static int walk(const node *n, visit_fn fn, names *lists, names *out)
{
    if (!n)
        return 0;
    if (fn(n, lists, out))
        return 1;
    const node *kids[] = {n->a, n->b, n->c, n->d};
    for (size_t i = 0; i < 4; i++)
        if (walk(kids[i], fn, lists, out))
            return 1;
    for (size_t i = 0; n->list && i < n->n; i++)
        if (walk(n->list[i], fn, lists, out))
            return 1;
    for (size_t i = 0; n->kw && i < n->n_kw; i++)
        if (walk(n->kw[i], fn, lists, out))
            return 1;
    return 0;
}

/* Step 1: a set from a list name names another list. */
static int visit_set(const node *n, names *lists, names *out)
{
    (void)out;
    if ((n->type != N_SET && n->type != N_SET_ATTR) || !reads_any(n->a, lists, NULL))
        return 0;
    if (n->type == N_SET_ATTR || n->n_kw != 1)
        lists->failed = 1;
    else
        add_name(lists, n->names[0]);
    return 0;
}

/* Step 2: a loop over a list names a message. */
static int visit_message_loop(const node *n, names *lists, names *out)
{
    if (n->type != N_FOR || !reads_any(n->a, lists, NULL))
        return 0;
    if (n->n_kw != 1)
        out->failed = 1;
    else
        add_name(out, n->names[0]);
    return 0;
}

/* Step 3: the first loop over a message's content decides. */
static int visit_content_loop(const node *n, names *messages, names *out)
{
    if (n->type != N_FOR || !reads_any(n->a, messages, "content"))
        return 0;
    out->failed = n->n_kw != 1;
    out->n = 1;
    return 1;
}

int tpl_loops_over_content(const node *root)
{
    names lists = {{"messages"}, 1, 0}, messages = {{0}, 0, 0}, found = {{0}, 0, 0};
    for (size_t seen = 0; seen != lists.n && !lists.failed;) {
        seen = lists.n;
        walk(root, visit_set, &lists, NULL);
    }
    if (lists.failed)
        return 0;
    walk(root, visit_message_loop, &lists, &messages);
    if (messages.failed)
        return 0;
    walk(root, visit_content_loop, &messages, &found);
    return found.n == 1 && !found.failed;
}
