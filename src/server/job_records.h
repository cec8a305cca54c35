/* job_records.h - training jobs' records on disk.
 *
 * Each job's record is one JSON file, tokenizer_dir/.jobs/HOST/ID.json,
 * replaced atomically (written to .ID.json.tmp, fsynced, renamed) at every
 * state change, so after a crash a record is always the old one or the new
 * one. At startup the records are read back; one that shows a job queued or
 * running whose process is gone is rewritten as "interrupted".
 *
 * Writes are ordered per job: the caller numbers each record it builds
 * (job_records_save's `seq`, increasing per job) and a record older than
 * the last one written for its job is dropped, so records may be built
 * under the jobs' lock and written after it is released without an older
 * state overwriting a newer one.
 *
 * Ownership: the store is freed with job_records_free; records passed in
 * are the caller's. Thread-safety: job_records_save from any thread (the
 * store's own mutex orders the writes); open, recover and free from one. */
#ifndef TOKD_SERVER_JOB_RECORDS_H
#define TOKD_SERVER_JOB_RECORDS_H

#include <jansson.h>
#include <stdint.h>

typedef struct job_records job_records;

/* Create (if need be) tokenizer_dir/.jobs/HOST/ and open the store there.
 * Returns 0, or -1 after printing why. */
int job_records_open(const char *tokenizer_dir, job_records **out);

void job_records_free(job_records *r);

/* Write the record `text` (JSON, borrowed) of job `id` if `seq` is newer
 * than *written, the number of the last record written for that job
 * (which only this function reads or sets, under the store's mutex). A
 * failure is logged: the job itself goes on. */
void job_records_save(job_records *r, uint64_t id, uint64_t seq, uint64_t *written, const char *text);

/* Read every record back: `each` gets the id and the record (a new
 * reference it takes over) of every valid one; a record of a job that was
 * queued or running in a process that is gone says "interrupted" first.
 * Invalid records are logged and skipped. */
void job_records_recover(job_records *r, void (*each)(void *arg, uint64_t id, json_t *record), void *arg);

/* The time now (Unix seconds) and a time as records show it: ISO 8601 UTC
 * with milliseconds, or null for 0 (not yet). */
double job_records_now(void);
json_t *job_records_time(double t);

#endif
