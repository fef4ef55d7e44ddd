/* job: one UWS 1.1 job as data, and the small pure helpers every part of async needs: phase names,
 * job ids, ISO 8601 times, where a job's files live.
 *
 * A job's record is the row in the UWS database (store.h); this struct is that row read into an
 * arena.  Times are milliseconds since the Unix epoch, UTC, from the database server's clock (one
 * clock for every replica); 0 = not set. */
#ifndef TR_UWS_JOB_H
#define TR_UWS_JOB_H

#include "util/arena.h"
#include "util/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* UWS 1.1 §2.1.3 execution phases.  The numeric values are stored in no table (the name is). */
typedef enum uws_phase {
	UWS_PENDING = 0,
	UWS_QUEUED,
	UWS_EXECUTING,
	UWS_COMPLETED,
	UWS_ERROR,
	UWS_ABORTED,
	UWS_UNKNOWN,
	UWS_HELD,
	UWS_SUSPENDED,
	UWS_ARCHIVED,
	UWS_PHASE_COUNT
} uws_phase;

/* "PENDING" ... as UWS 1.1 spells them. */
const char *uws_phase_name(uws_phase p);
/* Parses a phase name, case-insensitively (clients send "run"/"RUN" alike for PHASE filters).
 * Returns TR_OK or TR_EBADREQ. */
int uws_phase_parse(const char *s, uws_phase *out);
/* PENDING, QUEUED, EXECUTING (and HELD, SUSPENDED): the job may still change phase by itself or by
 * a client's RUN; the others are final. */
bool uws_phase_is_active(uws_phase p);

/* Job ids: 128 bits from getrandom(2), as 32 lower-case hex digits (unguessable: an anonymous job
 * is readable by whoever holds its id, and nobody can list or guess one). */
#define UWS_JOB_ID_LEN 32
int uws_job_id_new(char out[UWS_JOB_ID_LEN + 1], tr_err *err);
/* Exactly UWS_JOB_ID_LEN lower-case hex digits: checked before an id from a URL reaches SQL or a
 * file name (no traversal, no quoting question). */
bool uws_job_id_is_valid(const char *s);

/* One job parameter as the client sent it (name as sent, value bytes exact). */
typedef struct uws_param {
	const char *name;
	const char *value;      /* NUL-terminated; may hold NULs inside (see value_len) */
	size_t value_len;
	bool is_reference;      /* the value is a URI the job refers to (UWS byReference) */
} uws_param;

typedef struct uws_job {
	char id[UWS_JOB_ID_LEN + 1];
	const char *owner;          /* REMOTE_USER of the creator; NULL = anonymous */
	const char *client;         /* client address of an anonymous creator (per-owner limits) */
	const char *run_id;         /* RUNID, NULL = none */
	uws_phase phase;
	int64_t creation_ms;
	int64_t start_ms;           /* 0 until EXECUTING */
	int64_t end_ms;             /* 0 until a final phase */
	int64_t destruction_ms;
	int execution_duration;     /* seconds; 0 = unlimited (UWS 1.1 §2.1.6) */
	unsigned attempt;           /* claims so far (a re-queued job is claimed again) */
	unsigned long db_thread_id; /* query database connection running it, 0 = none yet */
	const char *executor;       /* "host:pid" of the executor that claimed it, NULL = none */
	/* ERROR: what went wrong, for /error and the job document */
	const char *error_msg;      /* NULL unless ERROR */
	int error_status;           /* the HTTP status the same error has in /sync (400, 500, 503) */
	/* COMPLETED: the result file */
	const char *result_type;    /* its Content-Type, NULL = no result */
	int64_t result_rows;
	int64_t result_bytes;
	bool result_overflow;
	uws_param *params;          /* in the order given */
	size_t n_params;
} uws_job;

/* The first parameter of that name (case-insensitive), or NULL. */
const uws_param *uws_job_param(const uws_job *job, const char *name);

/* "2026-11-27T16:47:33.123Z" (xs:dateTime, UTC, milliseconds: UWS 1.1 §2.1.7, DALI 1.1 §3.3.3)
 * into buf (UWS_TIME_BUF bytes). */
#define UWS_TIME_BUF 32
const char *uws_time_format(int64_t ms, char buf[UWS_TIME_BUF]);
/* Parses an ISO 8601 date-time as DALI 1.1 §3.3.3 allows it: YYYY-MM-DD['T'hh:mm[:ss[.fff]]]['Z']
 * (no zone or Z = UTC; a numeric offset +hh:mm is applied).  TR_EBADREQ with the text named. */
int uws_time_parse(const char *s, int64_t *out_ms, tr_err *err);

/* A job's directory under results_dir ("DIR/ID") and its result file ("DIR/ID/result"); the
 * result is written as "DIR/ID/result.part" and renamed when complete.  In arena a. */
const char *uws_job_dir(arena *a, const char *results_dir, const char *id);
const char *uws_result_path(arena *a, const char *results_dir, const char *id);
const char *uws_result_part_path(arena *a, const char *results_dir, const char *id);
/* A job's copy of an uploaded table (TAP_UPLOAD.name), kept until the job is destroyed:
 * "DIR/ID/upload-NAME.vot".  name must be an ADQL regular identifier (letters, digits, '_'), as
 * tap_parse_upload guarantees; NULL otherwise or when out of memory. */
const char *uws_upload_path(arena *a, const char *results_dir, const char *id, const char *name);
/* Removes the job's directory and the files in it (a missing directory is fine).  TR_EIO. */
int uws_job_remove_files(const char *results_dir, const char *id, tr_err *err);
/* Removes only the result and its partial file, keeping the job's uploads for another run (a job
 * given back or re-queued).  Missing files are fine.  TR_EIO. */
int uws_job_remove_results(const char *results_dir, const char *id, tr_err *err);

#endif
