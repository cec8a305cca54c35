/* fuzz_handlers.c - every JSON request handler of tokd serve, called
 * directly: the first byte picks the handler, the rest is the body. A body
 * that is a JSON object must get an answer below 500 (503 out of memory
 * aside), with a JSON body; nothing may crash or leak. Training is off in
 * this app (no jobs run), so the training request's validation is fuzzed
 * through admin_train_spec, with a corpus directory holding one file.
 * Every request runs under a work budget of BUDGET_MS, as in the server,
 * so the seeds of the amplifying shapes (windows with stride 1, count with
 * many tokenizers, encode with tokens and offsets, truncate "middle") and
 * what the fuzzer grows from them reach the budget's and the limits' 413s
 * instead of libFuzzer's timeout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "jobs.h"
#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const handler_fn handlers[] = {api_encode,     api_decode,  api_count,      api_context_check,
                                      api_windows,    api_embeddings, api_similar, api_tokenizers,
                                      api_models,     api_responses_input_tokens, api_tei_tokenize,
                                      api_tei_decode, api_vllm_tokenize, api_vllm_detokenize,
                                      api_llamacpp_tokenize, api_llamacpp_detokenize,
                                      api_llamacpp_apply_template};
static const admin_fn admins[] = {admin_train, admin_jobs, admin_job, admin_cancel};
#define N_HANDLERS (sizeof handlers / sizeof handlers[0])
#define N_ADMINS (sizeof admins / sizeof admins[0])
#define BUDGET_MS 2000

static char corpus_dir[] = "/tmp/tokd-fuzz-corpus-XXXXXX", corpus_file[64];

static void clean_up(void)
{
    unlink(corpus_file);
    rmdir(corpus_dir);
}

static app *the_app(void)
{
    static app a;
    static int ready;
    if (!ready) {
        char *argv[] = {"tokd-fuzz", "--log-requests", "false", NULL};
        if (config_load(&a.cfg, 3, argv) != 0 || catalog_init(&a.tokenizers) != 0 || app_load(&a) != 0)
            abort();
        snprintf(a.admin_token, sizeof a.admin_token, "fuzz-admin-token-0123456789");
        if (!mkdtemp(corpus_dir))
            abort();
        snprintf(corpus_file, sizeof corpus_file, "%s/corpus.txt", corpus_dir);
        FILE *f = fopen(corpus_file, "w");
        fputs("a small corpus for path validation", f);
        fclose(f);
        atexit(clean_up);
        snprintf(a.cfg.corpus_dir, sizeof a.cfg.corpus_dir, "%s", corpus_dir);
        atomic_store(&a.ready, 1);
        ready = 1;
    }
    return &a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    app *a = the_app();
    if (size < 1)
        return 0;
    json_t *body = json_loadb((const char *)data + 1, size - 1, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(body)) {
        json_decref(body);
        return 0;
    }
    req_budget budget;
    budget_start(&budget, BUDGET_MS, -1, NULL);
    reply r = {.budget = &budget};
    size_t pick = data[0] % (N_HANDLERS + N_ADMINS + 1);
    train_spec spec = {.fd = -1};
    if (pick == N_HANDLERS + N_ADMINS) {
        if (admin_train_spec(a, body, &spec, &r) == 0)
            reply_json(&r, json_object()); /* valid: would be queued */
        train_spec_release(&spec);
    } else if (pick < N_HANDLERS)
        handlers[pick](a, body, &r);
    else
        admins[pick - N_HANDLERS](a, data[0] & 1 ? "1" : "x9", body, &r);
    if (r.status < 200 || (r.status >= 500 && r.status != 503) || (!r.body && !r.text))
        abort();
    reply_release(&r);
    json_decref(body);
    return 0;
}
