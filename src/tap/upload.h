/* tap/upload: TAP_UPLOAD tables (TAP 1.1 §2.5.6, §2.7.6; DALI 1.1 §3.4 UPLOAD): the VOTables a
 * request names in UPLOAD become temporary tables of the worker's database session, reachable from
 * ADQL as TAP_UPLOAD.name through an overlay catalog, and are dropped when the request ends.
 *
 * Two halves, so that async jobs (which keep their uploads as files) reuse the loader: spooling the
 * file parts of a multipart body to unlinked temporary files (/sync), and loading tables from any
 * byte source.  Names from the upload reach SQL only through vot_sql_quote_ident after checks, values
 * only as votable/sqlmap.h literals; the connection never runs more than one statement per call.
 * Must not keep anything beyond the request's arena: files and tables are released by its cleanups. */
#ifndef TR_TAP_UPLOAD_H
#define TR_TAP_UPLOAD_H

#include "db/conn.h"
#include "http/multipart.h"
#include "http/request.h"
#include "tap/catalog.h"
#include "tap/params.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/err.h"
#include "util/io.h"

#include <stddef.h>

/* TAP 1.1 §2.7.6: the schema uploaded tables are referenced in; also the database the temporary
 * tables are created in (the query account needs CREATE TEMPORARY TABLES on it, taproom-admin init). */
#define TAP_UPLOAD_SCHEMA "TAP_UPLOAD"

/* Bytes of one multi-row INSERT: per-statement costs vanish, far below MariaDB's default
 * max_allowed_packet (16 MiB). */
#define TAP_UPLOAD_BATCH_BYTES ((size_t)1024 * 1024)

/* What the configuration allows (upload section). */
typedef struct tap_upload_limits {
	long long max_bytes; /* bytes of all uploaded VOTables of one request together (> 0) */
	long long max_rows;  /* rows of all uploaded tables of one request together (> 0) */
	const char *tmp_dir; /* directory of the spool files (unlinked at once); NULL or "" = "/tmp" */
	int allow_urls;      /* 1: UPLOAD=name,http://... is fetched (tap/upload_url.h); 0: refused */
	int allow_private_urls; /* 1: also from loopback, private and link-local addresses */
	int url_timeout;     /* seconds each connect or read of a fetch may wait (> 0) */
	const char *ca_file; /* https: PEM certificates trusted besides the system's ("": none) */
} tap_upload_limits;

/* The limits the configuration sets (upload.max_bytes, upload.max_rows, upload.tmp_dir,
 * upload.allow_urls, upload.allow_private_urls, upload.url_timeout). */
void tap_upload_limits_of(const tr_config *cfg, tap_upload_limits *out);

/* One table to load. */
typedef struct tap_upload_item {
	const char *name; /* TAP_UPLOAD.name: an ADQL regular identifier, unique (tap_parse_upload checks) */
	tr_source src;    /* the VOTable document, read once to its end */
} tap_upload_item;

/* ---- receiving: file parts of a multipart body ------------------------------------------------- */

typedef struct tap_upload_spool tap_upload_spool;

/* An empty spool whose files close when a is reset or destroyed.  lim is copied.  NULL with
 * TR_ENOMEM. */
tap_upload_spool *tap_upload_spool_new(arena *a, const tap_upload_limits *lim, tr_err *err)
	__attribute__((warn_unused_result));

/* The multipart_file_fn that writes each file part into its own unlinked temporary file of the
 * spool (ctx).  Errors: TR_ELIMIT "upload too large: at most N bytes allowed" when the parts
 * together exceed max_bytes; TR_EIO when a file cannot be created or written. */
int tap_upload_spool_file(void *ctx, multipart_event ev, const multipart_part *part, const char *p, size_t n,
                          tr_err *err) __attribute__((warn_unused_result));

/* Multipart limits for a body that may carry uploads: room for max_bytes of files besides the
 * text parameters and part headers. */
void tap_upload_multipart_limits(const tap_upload_limits *lim, multipart_limits *out);

/* The tables of ups, in order, with their sources: a param:PART entry reads the spooled file part
 * named PART (names compared exactly, RFC 7578 §4.2), or else a text parameter of that name (a part
 * sent without a filename).  A URL entry is fetched now, when the spool's limits allow URLs, into
 * an unlinked file of the spool counted against max_bytes with the file parts (tap/upload_url.h).
 * spool may be NULL (no file parts; URLs are then refused).  *out_items lives in a.
 * Errors: TR_EBADREQ "UPLOAD t: no part named 'x' in the request"; TR_EUNSUPPORTED "... not
 * enabled ..." for URL uploads when upload.allow_urls is 0; tap_upload_url_fetch's errors;
 * TR_EIO; TR_ENOMEM. */
int tap_upload_items(tap_upload_spool *spool, const http_request *r, arena *a, const tap_uploads *ups,
                     tap_upload_item **out_items, size_t *out_n, tr_err *err) __attribute__((warn_unused_result));

/* A source reading the file at path (an async job's kept upload, tap/async.c), closed when a is
 * reset or destroyed.  TR_ENOTFOUND when there is no such file, TR_EIO, TR_ENOMEM. */
int tap_upload_open_file(arena *a, const char *path, tr_source *out, tr_err *err) __attribute__((warn_unused_result));

/* ---- loading ----------------------------------------------------------------------------------- */

/* Reads each item's VOTable (votable/reader.h: TABLEDATA, BINARY2, BINARY) into CREATE TEMPORARY
 * TABLE `TAP_UPLOAD`.`name` on db's session and returns the overlay catalog describing them (schema
 * TAP_UPLOAD, tables "TAP_UPLOAD.name", columns with the FIELDs' datatype, arraysize, xtype, unit,
 * UCD, utype and description), for adql_resolve_opts.uploads.  The overlay is freed and every table
 * dropped (DROP TEMPORARY TABLE IF EXISTS) when a is reset or destroyed, on success and failure
 * alike; on failure the tables created so far are dropped at once too.  n == 0 gives an empty
 * overlay.  Errors:
 *   TR_EBADREQ      the document (not well-formed, truncated, not a VOTable, a bad value), a column
 *                   name that is not an ADQL regular identifier or repeats another ignoring case,
 *                   a value the database refuses; the message starts with "TAP_UPLOAD.name"
 *   TR_ELIMIT       over max_rows, or the reader's limits
 *   TR_EUNSUPPORTED a serialization the reader does not read (FITS, remote STREAM)
 *   TR_EDB, TR_EDB_UNAVAILABLE  the database (e.g. the account may not create temporary tables)
 *   TR_EIO, TR_ENOMEM */
int tap_upload_load(db_conn *db, arena *a, const tap_upload_item *items, size_t n, const tap_upload_limits *lim,
                    catalog **out_overlay, tr_err *err) __attribute__((warn_unused_result));

#endif
