/* chat_trim.c - fitting a conversation into a token budget by dropping its
 * oldest turns (see chat_trim in chat.h).
 *
 * Each message is counted once on its own (the cookbook's total is the sum
 * of its messages plus the reply priming and the tools), then units are
 * dropped oldest first until the sum fits; the kept messages are counted
 * again as a whole into the caller's counter, so the answer carries the
 * same exactness notes as an untrimmed count. */
#include <stdlib.h>
#include <string.h>

#include "chat.h"

static const char *role_of(json_t *m)
{
    return json_string_value(json_object_get(m, "role"));
}

static int is_pinned(json_t *m, size_t i, size_t last_user)
{
    const char *role = role_of(m);
    return i == last_user || !strcmp(role, "system") || !strcmp(role, "developer");
}

static int has_tool_calls(json_t *m)
{
    return !strcmp(role_of(m), "assistant") && json_array_size(json_object_get(m, "tool_calls")) > 0;
}

static int out_of_memory(reply *r)
{
    reply_error(r, 503, "out_of_memory", NULL, "out of memory");
    return -1;
}

/* The messages' costs (without priming) into cost[], and the fixed part
 * (priming and tools) into *fixed, each counted under the request's budget
 * (c->base). */
static int costs(const counter *c, const model_info *model, json_t *messages, json_t *tools, long *cost, long *fixed,
                 reply *r)
{
    counter one;
    size_t i;
    json_t *m;
    json_array_foreach(messages, i, m)
    {
        int rc = counter_init(&one, c->tok, 0, c->base) != 0 ? out_of_memory(r)
                                                              : chat_message_count(&one, model, m, i, r);
        cost[i] = one.total;
        counter_release(&one);
        if (rc != 0)
            return -1;
    }
    if (counter_init(&one, c->tok, 0, c->base) != 0)
        return out_of_memory(r);
    int rc = tools ? chat_tools_count(&one, model, tools, r) : 0;
    *fixed = one.total + model->chat->reply_priming;
    counter_release(&one);
    return rc;
}

/* Mark units dropped[] oldest first while total > budget. */
static size_t drop_oldest(json_t *messages, const long *cost, long total, long budget, char *dropped)
{
    size_t n = json_array_size(messages), last_user = n, count = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(role_of(json_array_get(messages, i)), "user"))
            last_user = i;
    for (size_t i = 0; i < n && total > budget;) {
        json_t *m = json_array_get(messages, i);
        if (is_pinned(m, i, last_user)) {
            i++;
            continue;
        }
        size_t end = i + 1;
        if (has_tool_calls(m))
            while (end < n && end != last_user && !strcmp(role_of(json_array_get(messages, end)), "tool"))
                end++;
        for (; i < end; i++) {
            dropped[i] = 1;
            total -= cost[i];
            count++;
        }
    }
    return count;
}

int chat_trim(counter *c, const model_info *model, json_t *messages, json_t *tools, long budget, json_t **kept,
              size_t *dropped, reply *r)
{
    size_t n = json_array_size(messages);
    long *cost = calloc(n + 1, sizeof *cost), fixed = 0, total;
    char *gone = calloc(n + 1, 1);
    int rc = cost && gone ? 0 : out_of_memory(r);
    *kept = NULL;
    if (rc == 0)
        rc = costs(c, model, messages, tools, cost, &fixed, r);
    if (rc == 0) {
        total = fixed;
        for (size_t i = 0; i < n; i++)
            total += cost[i];
        *dropped = drop_oldest(messages, cost, total, budget, gone);
        *kept = json_array();
        for (size_t i = 0; i < n; i++)
            if (!gone[i])
                json_array_append(*kept, json_array_get(messages, i));
        rc = chat_count(c, model, *kept, tools, r);
    }
    free(cost);
    free(gone);
    return rc;
}
