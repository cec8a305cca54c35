/* tokd/counts.h - distinct-piece counts: the map half of sharded training.
 *
 * Training has two phases: counting how often each distinct pre-tokenized
 * piece occurs, and merging on those counts. Counting is the part that
 * grows with the corpus and it splits: a tokd_counts holds the counts of
 * some of the corpus, is written to a counts file, and counts from many
 * processes or machines add up (any grouping, any order) to the counts of
 * the whole corpus, from which tokd_train_counts trains exactly what
 * tokd_train would have trained on all of it at once.
 *
 * A corpus is cut into shards by bytes. A JSON Lines file is cut at line
 * starts (a record is a text of its own: pieces never cross records). A
 * plain-text file is one text, cut anywhere at a code point start: a part
 * [start, end) counts the pieces its scan finds starting there and then,
 * past `end`, adds its own scan's pieces and takes back those of a scan
 * starting at `end` until the two meet, so the parts' counts add up to the
 * whole text's for any pattern (the counts of a part may be negative).
 *
 * Counts files (format version 1, all integers little-endian):
 *   "TOKDCNTS"  u32 version (1)  u32 flags (0)
 *   u32 pattern_len, pattern bytes (the pre-tokenizer regex, UTF-8)
 *   u32 name_len, name bytes (the pattern's name; empty for a custom regex)
 *   u64 texts  u64 bytes  u64 invalid_records  u64 entries
 *   entries x { u32 len (1..2^31)  i64 count (not 0)  len bytes }, strictly
 *     ascending by bytes (memcmp order, a prefix before its extensions)
 *   32 bytes: SHA-256 of everything before it
 * Only the pattern affects counting: counts made with different patterns
 * are refused when added. Reading checks every field and the checksum and
 * names what is wrong; nothing in a file is trusted before that.
 *
 * Ownership: a tokd_counts belongs to its creator (tokd_counts_free) and
 * owns copies of every piece; texts and options are borrowed per call.
 * Thread-safety: one tokd_counts per thread at a time; the counting calls
 * use their own threads. */
#ifndef TOKD_COUNTS_H
#define TOKD_COUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "tokd/error.h"
#include "tokd/export.h"
#include "tokd/train.h"

TOKD_BEGIN_DECLS

#define TOKD_COUNTS_VERSION 1u

typedef struct tokd_counts tokd_counts;

/* New, empty counts for the pre-tokenizer `pattern` (a regex) recorded
 * under `pattern_name` (NULL or "" for a custom regex). TOKD_EPATTERN if
 * the pattern does not compile. On success *out is new. */
int tokd_counts_new(const char *pattern, const char *pattern_name, tokd_counts **out, tokd_error *err);

void tokd_counts_free(tokd_counts *c);

/* How a corpus is read. */
typedef struct tokd_corpus_options {
    const char *jsonl_field; /* JSON Lines: the string field of each record to count; NULL: plain text */
    unsigned shard, shards;  /* count only shard `shard` (0-based) of `shards`; 0 shards: everything */
    unsigned threads;        /* counting threads; 0 = CPU cores */
    size_t window_bytes;     /* plain text is read this much at a time (0: 16 MiB): memory use */
} tokd_corpus_options;

/* One corpus file: an open descriptor (borrowed, not closed) and its name
 * for messages. */
typedef struct tokd_corpus_file {
    int fd;
    const char *name;
} tokd_corpus_file;

/* Count the files - or the shard o->shard of their bytes taken in the
 * order given - into `c`. Memory stays bounded by the window (plain text)
 * or a batch of records (JSON Lines) plus the distinct pieces, whatever
 * the corpus's size; a plain-text file that is not valid UTF-8 is read
 * whole to replace its invalid sequences (as tokd_train does). A JSON
 * Lines record that is not a JSON object with a string o->jsonl_field is
 * counted in invalid_records and skipped. `progress` (may be NULL) gets
 * bytes_total/bytes_done and may cancel (TOKD_ECANCELLED). */
int tokd_counts_add_corpus(tokd_counts *c, const tokd_corpus_file *files, size_t n, const tokd_corpus_options *o,
                           tokd_train_progress *progress, tokd_error *err);

/* Count the part [start, end) of one text (valid UTF-8; start and end code
 * point starts, start < end <= len), as the header explains. A text
 * counted in consecutive parts, by any number of calls, adds up to it
 * counted whole (start 0, end len). */
int tokd_counts_add_text(tokd_counts *c, const char *text, size_t len, size_t start, size_t end, unsigned threads,
                         tokd_error *err);

/* Add the counts `from` into `into`. TOKD_EINVAL naming both patterns
 * when they were counted with different ones. */
int tokd_counts_add(tokd_counts *into, const tokd_counts *from, tokd_error *err);

/* Write `c` as a counts file at `path` (through a temporary file that is
 * fsynced and renamed). Byte-identical for equal counts. */
int tokd_counts_write(const tokd_counts *c, const char *path, tokd_error *err);

/* Read a counts file from data[0..len); `what` names it in messages.
 * TOKD_EFORMAT naming the problem (bad magic, unsupported version,
 * truncation, entries out of order, checksum mismatch, ...). */
int tokd_counts_parse(const void *data, size_t len, const char *what, tokd_counts **out, tokd_error *err);

/* Read the counts file at `path` (or the open `fd` if >= 0). */
int tokd_counts_read(const char *path, int fd, tokd_counts **out, tokd_error *err);

typedef struct tokd_counts_info {
    const char *pattern, *pattern_name; /* borrowed from the counts */
    uint64_t texts;           /* texts (files, records) counted from their start */
    uint64_t bytes;           /* bytes counted (after U+FFFD replacement) */
    uint64_t invalid_records; /* JSON Lines records skipped */
    uint64_t pieces;          /* sum of all counts */
    uint64_t distinct;        /* pieces with a count that is not 0 */
    size_t memory_bytes;      /* held by the counts */
} tokd_counts_info;

void tokd_counts_get_info(const tokd_counts *c, tokd_counts_info *out);

/* Call fn for every piece with a count that is not 0 (piece bytes are
 * borrowed for the call), in no particular order; stops at the first
 * nonzero return of fn and returns it, else 0. */
int tokd_counts_each(const tokd_counts *c, int (*fn)(void *arg, const char *piece, size_t len, int64_t count),
                     void *arg);

/* Train on counts: as tokd_train on the corpus they count. o->pattern may
 * be NULL (the counts' own) or must equal the counts' pattern; pieces
 * counted fewer than o->min_piece_count times are left out first.
 * TOKD_EINVAL if a piece's count is negative (the parts of a text were not
 * all added, or one twice). */
int tokd_train_counts(const tokd_train_options *o, const tokd_counts *c, tokd_train_progress *progress,
                      tokd_trained **out, tokd_error *err);

TOKD_END_DECLS

#endif
