/* pretok.c - compiling pre-tokenizer patterns and iterating their pieces.
 *
 * PCRE2 options: UTF and UCP (Unicode classes for \s, \d, \w), and
 * DOLLAR_ENDONLY so that '$' means end of text as in Rust's regex crate,
 * which tiktoken and Hugging Face tokenizers use. Patterns are JIT compiled.
 * Matching uses per-thread match data and a per-thread 64 MiB-max JIT stack
 * (enough for megabyte-long runs), kept in thread-specific storage and freed
 * when the thread exits. Every match runs under explicit limits (MATCH_LIMIT
 * backtracking steps, DEPTH_LIMIT nested backtracking points, HEAP_LIMIT_KIB
 * of interpreter heap), so no pattern, trained or user-supplied, can spend
 * unbounded time or memory on one piece: a limit hit is TOKD_ELIMIT. The
 * linear cost of one match (a pattern that scans to the end of the text for
 * each piece) is bounded by the caller's tokd_limits check between pieces. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pretok.h"
#include "rxclass.h"

#define MATCH_LIMIT 10000000u
#define DEPTH_LIMIT 1000000u
#define HEAP_LIMIT_KIB (64u * 1024u)

/* The spellings of the built-in patterns: npm tiktoken's, and Python
 * tiktoken 0.14's possessive form (meant to split identically; the tests
 * check it with PCRE2). */
static const struct {
    const char *pattern;
    enum tokd__scanner scanner;
} known[] = {
    {"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
     TOKD__SCAN_R50K},
    {"'(?:[sdmt]|ll|ve|re)| ?\\p{L}++| ?\\p{N}++| ?[^\\s\\p{L}\\p{N}]++|\\s++$|\\s+(?!\\S)|\\s",
     TOKD__SCAN_R50K},
    {"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
     "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
     TOKD__SCAN_CL100K},
    {"'(?i:[sdmt]|ll|ve|re)|[^\\r\\n\\p{L}\\p{N}]?+\\p{L}++|\\p{N}{1,3}+| "
     "?[^\\s\\p{L}\\p{N}]++[\\r\\n]*+|\\s++$|\\s*[\\r\\n]|\\s+(?!\\S)|\\s",
     TOKD__SCAN_CL100K},
    {"[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:'"
     "s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}"
     "\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/"
     "]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
     TOKD__SCAN_O200K},
};

enum tokd__scanner tokd__scanner_for(const char *pattern)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(pattern, known[i].pattern) == 0)
            return known[i].scanner;
    return TOKD__SCAN_PCRE2;
}

/* PCRE2 allocates through libtokd's malloc and free, like the rest of the
 * library (so allocation-failure injection reaches it too). */
static void *rx_malloc(PCRE2_SIZE n, void *unused)
{
    (void)unused;
    return malloc(n);
}

static void rx_free(void *p, void *unused)
{
    (void)unused;
    free(p);
}

static pthread_mutex_t rx_lock = PTHREAD_MUTEX_INITIALIZER;
static pcre2_general_context *rx_general; /* made once, kept for the process */
static pcre2_compile_context *rx_compiling;

/* The contexts every compile and match uses; NULL when out of memory (a
 * later call tries again). */
static pcre2_general_context *rx_contexts(pcre2_compile_context **compiling)
{
    pthread_mutex_lock(&rx_lock);
    if (!rx_general)
        rx_general = pcre2_general_context_create(rx_malloc, rx_free, NULL);
    if (rx_general && !rx_compiling)
        rx_compiling = pcre2_compile_context_create(rx_general);
    pcre2_general_context *g = rx_compiling ? rx_general : NULL;
    if (compiling)
        *compiling = rx_compiling;
    pthread_mutex_unlock(&rx_lock);
    return g;
}

pcre2_code *tokd__rx_compile(const char *source, uint32_t options, int *ecode, size_t *eoff)
{
    pcre2_compile_context *cc;
    PCRE2_SIZE off = 0;
    pcre2_code *code = NULL;
    if (!rx_contexts(&cc))
        *ecode = PCRE2_ERROR_HEAP_FAILED;
    else
        code = pcre2_compile((PCRE2_SPTR)source, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | options, ecode,
                             &off, cc);
    *eoff = (size_t)off;
    return code;
}

pcre2_match_data *tokd__rx_match_data(const pcre2_code *code)
{
    pcre2_general_context *g = rx_contexts(NULL);
    return g ? pcre2_match_data_create_from_pattern(code, g) : NULL;
}

/* Compile `source` (the PCRE2 text of `pattern`) into *pt. */
static int compile(tokd__pretok *pt, const char *pattern, const char *source, uint32_t options, tokd_error *err)
{
    int ecode;
    size_t eoff;
    *pt = (tokd__pretok){0};
    pcre2_code *code = tokd__rx_compile(source, options, &ecode, &eoff);
    if (!code && ecode == PCRE2_ERROR_HEAP_FAILED)
        return tokd_error_set(err, TOKD_ENOMEM, "out of memory compiling the pattern");
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        tokd_error_set(err, TOKD_EPATTERN, "pattern does not compile at offset %zu: %s",
                       eoff, (const char *)msg);
        if (err)
            err->position = eoff + 1;
        return TOKD_EPATTERN;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    pt->pattern = strdup(pattern);
    if (!pt->pattern) {
        pcre2_code_free(code);
        return TOKD_ENOMEM;
    }
    pt->code = code;
    return 0;
}

int tokd__pretok_init(tokd__pretok *pt, const char *pattern, int allow_scanner, tokd_error *err)
{
    int rc = compile(pt, pattern, pattern, PCRE2_DOLLAR_ENDONLY, err);
    if (rc == 0)
        pt->scanner = allow_scanner ? tokd__scanner_for(pattern) : TOKD__SCAN_PCRE2;
    return rc;
}

int tokd__pretok_init_onig(tokd__pretok *pt, const char *pattern, tokd_error *err)
{
    if (tokd__scanner_for(pattern) != TOKD__SCAN_PCRE2)
        return tokd__pretok_init(pt, pattern, 1, err);
    char *source;
    int rc = tokd__rx_rewrite(pattern, &source, err);
    if (rc == 0) {
        /* an error offset is into the rewritten text: name the original */
        rc = compile(pt, pattern, source, PCRE2_MULTILINE, err);
        free(source);
    }
    return rc;
}

void tokd__pretok_release(tokd__pretok *pt)
{
    pcre2_code_free(pt->code);
    free(pt->pattern);
    *pt = (tokd__pretok){0};
}

/* ---- per-thread matching state ------------------------------------- */

typedef struct match_state {
    pcre2_match_data *md;
    pcre2_match_context *mc;
    pcre2_jit_stack *stack;
} match_state;

static pthread_key_t state_key;
static pthread_once_t state_once = PTHREAD_ONCE_INIT;
static int state_key_ok;

static void state_free(void *p)
{
    match_state *st = p;
    if (!st)
        return;
    pcre2_match_data_free(st->md);
    pcre2_match_context_free(st->mc);
    pcre2_jit_stack_free(st->stack);
    free(st);
}

static void state_key_init(void)
{
    state_key_ok = pthread_key_create(&state_key, state_free) == 0;
}

static match_state *thread_state(void)
{
    pthread_once(&state_once, state_key_init);
    if (!state_key_ok)
        return NULL;
    match_state *st = pthread_getspecific(state_key);
    if (st)
        return st;
    st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    pcre2_general_context *g = rx_contexts(NULL);
    st->md = g ? pcre2_match_data_create(1, g) : NULL;
    st->mc = g ? pcre2_match_context_create(g) : NULL;
    st->stack = g ? pcre2_jit_stack_create(32 * 1024, 64 * 1024 * 1024, g) : NULL;
    if (!st->md || !st->mc || !st->stack || pthread_setspecific(state_key, st) != 0) {
        state_free(st);
        return NULL;
    }
    pcre2_jit_stack_assign(st->mc, NULL, st->stack);
    pcre2_set_match_limit(st->mc, MATCH_LIMIT);
    pcre2_set_depth_limit(st->mc, DEPTH_LIMIT);
    pcre2_set_heap_limit(st->mc, HEAP_LIMIT_KIB);
    return st;
}

/* The first match of pt at or after pos (pos <= n), empty or not: 1 and
 * [*start, *end), 0 for none, or a negative TOKD_E* code. */
static int pcre2_first(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos,
                       size_t *start, size_t *end)
{
    match_state *st = thread_state();
    if (!st)
        return TOKD_ENOMEM;
    int rc = pcre2_match(pt->code, s, n, pos, PCRE2_NO_UTF_CHECK, st->md, st->mc);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return rc == PCRE2_ERROR_NOMEMORY ? TOKD_ENOMEM : TOKD_ELIMIT;
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(st->md);
    *start = ov[0];
    *end = ov[1];
    return 1;
}

static int pcre2_next(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos,
                      size_t *start, size_t *end)
{
    while (pos < n) {
        int rc = pcre2_first(pt, s, n, pos, start, end);
        if (rc != 1 || *end > *start)
            return rc;
        /* an empty match yields no piece; go on after its code point */
        pos = *start + 1;
        while (pos < n && (s[pos] & 0xC0) == 0x80)
            pos++;
    }
    return 0;
}

int tokd__pretok_next(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos,
                      size_t *start, size_t *end)
{
    if (pos >= n)
        return 0;
    if (pt->scanner == TOKD__SCAN_PCRE2)
        return pcre2_next(pt, s, n, pos, start, end);
    *start = pos;
    *end = tokd__scan(pt->scanner, s, n, pos);
    return 1;
}

int tokd__pretok_find(const tokd__pretok *pt, const uint8_t *s, size_t n, size_t pos, size_t *start, size_t *end)
{
    if (pt->scanner == TOKD__SCAN_PCRE2)
        return pos <= n ? pcre2_first(pt, s, n, pos, start, end) : 0;
    return tokd__pretok_next(pt, s, n, pos, start, end);
}
