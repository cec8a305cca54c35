/* server.c - the life of tokd serve.
 *
 * Start listening first (so /healthz answers and /readyz says 503 while the
 * tokenizers load), load the encodings and the model registry, mark ready,
 * then wait for SIGTERM or SIGINT: stop accepting, let in-flight requests
 * finish within shutdown_grace_s, cancel what still runs, exit 0. SIGHUP is
 * logged and ignored (there is nothing to reload). The signals are blocked
 * before any thread starts, so only the main thread receives them, via
 * sigwait. */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "chat_template.h"
#include "http.h"
#include "jobs.h"
#include "server.h"

static int serve_fixed(app *a, tokd_tokenizer *t)
{
    char name[128];
    snprintf(name, sizeof name, "%s", tokd_tokenizer_name(t)); /* t may be gone after catalog_add */
    int rc = catalog_add(&a->tokenizers, t, 0, 0);
    if (rc == TOKD_EEXIST || rc == TOKD_ERESERVED)
        fprintf(stderr, "tokd serve: tokenizers: the name '%s' is taken\n", name);
    else if (rc == TOKD_ELIMIT)
        fprintf(stderr, "tokd serve: tokenizers: at most %d tokenizers in all\n", CATALOG_MAX);
    else if (rc != 0)
        fprintf(stderr, "tokd serve: tokenizers: %s\n", tokd_strerror(rc));
    return rc == 0 ? 0 : -1;
}

/* The "tokenizers" setting: NAME=PATH entries separated by commas. A
 * malformed entry stops startup (the configuration is wrong); a tokenizer
 * that fails to load is logged, listed as not loaded in GET /v1/tokenizers,
 * and skipped: the others are served. */
static int load_registered(app *a, const char *dir)
{
    char list[sizeof a->cfg.tokenizers];
    memcpy(list, a->cfg.tokenizers, sizeof list);
    for (char *save, *spec = strtok_r(list, ",", &save); spec; spec = strtok_r(NULL, ",", &save)) {
        tokd_error err = {0};
        tokd_tokenizer *t;
        char *eq = strchr(spec, '=');
        if (!eq) {
            fprintf(stderr, "tokd serve: tokenizers: '%s' must be NAME=PATH\n", spec);
            return -1;
        }
        if (tokd_tokenizer_load(spec, dir, &t, &err) != 0) {
            *eq = '\0';
            app_log(json_pack("{s:s, s:o*, s:o*, s:o*}", "event", "tokenizer_not_loaded", "name",
                              json_safe_string(spec, strlen(spec)), "path", json_safe_string(eq + 1, strlen(eq + 1)),
                              "error", json_safe_string(err.text, strlen(err.text))));
            catalog_failed(&a->tokenizers, spec, eq + 1, err.text);
            continue;
        }
        if (serve_fixed(a, t) != 0)
            return -1;
    }
    return 0;
}

static int load_shipped(app *a, const char *dir)
{
    tokd_error err = {0};
    tokd_tokenizer *builtins[16];
    size_t n = 0;
    while (tokd_builtin_encodings()[n])
        n++;
    if (n > sizeof builtins / sizeof builtins[0] || tokd_tokenizer_load_builtins(dir, builtins, &err) != 0) {
        fprintf(stderr, "tokd serve: %s\n", err.text);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc |= serve_fixed(a, builtins[i]);
    for (const char *const *b = tokd_bundled_tokenizers(); rc == 0 && *b; b++) {
        tokd_tokenizer *t;
        if (tokd_tokenizer_load(*b, dir, &t, &err) != 0) {
            fprintf(stderr, "tokd serve: %s\n", err.text);
            return -1;
        }
        rc = serve_fixed(a, t);
    }
    return rc;
}

int app_load(app *a)
{
    const char *dir = a->cfg.data_dir[0] ? a->cfg.data_dir : NULL;
    if (load_shipped(a, dir) != 0 || load_registered(a, dir) != 0 || chat_templates_load(a, dir) != 0)
        return -1;
    const char *models = a->cfg.models_file[0] ? a->cfg.models_file : models_default_path();
    char msg[600];
    if (!models[0]) {
        fprintf(stderr, "tokd serve: no model registry found; set models_file (config/models.json)\n");
        return -1;
    }
    if (models_load(&a->models, models, msg, sizeof msg) != 0) {
        fprintf(stderr, "tokd serve: %s\n", msg);
        return -1;
    }
    if (a->cfg.tokenizer_dir[0] && jobs_start(a, &a->jobs) != 0)
        return -1;
    return tables_load(a);
}

void app_release(app *a)
{
    jobs_stop(a->jobs);
    tables_release(a);
    catalog_release(&a->tokenizers);
    chat_templates_release(a);
    models_release(&a->models);
}

int server_main(int argc, char **argv)
{
    static app a; /* large (metrics); lives for the whole run */
    int rc = config_load(&a.cfg, argc, argv);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (catalog_init(&a.tokenizers) != 0 || admin_token_load(&a) != 0)
        return 2;
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* past a file size limit, writes fail (EFBIG) and jobs report it */
    unsigned port;
    struct MHD_Daemon *d = http_start(&a, &port);
    if (!d)
        return 1;
    printf("tokd listening on http://%s%s%s:%u\n", strchr(a.cfg.listen, ':') ? "[" : "", a.cfg.listen,
           strchr(a.cfg.listen, ':') ? "]" : "", port);
    fflush(stdout);
    if (app_load(&a) != 0) {
        MHD_stop_daemon(d);
        app_release(&a);
        return 1;
    }
    atomic_store(&a.ready, 1);
    char *cfg = config_describe(&a.cfg);
    fprintf(stderr, "{\"event\":\"ready\",\"tokenizers\":%zu,\"models\":%zu,\"config\":%s}\n", catalog_count(&a.tokenizers),
            a.models.n, cfg ? cfg : "null");
    free(cfg);
    int sig = 0;
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP)
        fprintf(stderr, "{\"event\":\"sighup_ignored\",\"reason\":\"tokd has nothing to reload: restart it to "
                        "change its configuration; trained tokenizers are picked up by themselves\"}\n");
    fprintf(stderr, "{\"event\":\"stopping\",\"signal\":%d,\"in_flight\":%ld}\n", sig,
            atomic_load(&a.metrics.in_flight));
    http_stop(&a, d);
    app_release(&a);
    fprintf(stderr, "{\"event\":\"stopped\"}\n");
    return 0;
}
