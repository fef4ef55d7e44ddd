#include "config.h"

#include "tap/catalog_cache.h"

#include "util/log.h"

#include <stdlib.h>
#include <time.h>

struct catalog_cache {
	catalog *cat;                    /* NULL until the first successful load */
	unsigned long long fingerprint;  /* of the TAP_SCHEMA content cat was loaded from */
	int interval_s;                  /* seconds between checks */
	time_t checked_at;               /* monotonic seconds of the last check */
};

catalog_cache *catalog_cache_new(int check_interval_s)
{
	catalog_cache *cc = calloc(1, sizeof *cc);
	if (cc)
		cc->interval_s = check_interval_s;
	return cc;
}

void catalog_cache_free(catalog_cache *cc)
{
	if (cc == NULL)
		return;
	catalog_free(cc->cat);
	free(cc);
}

static time_t now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

const catalog *catalog_cache_get(catalog_cache *cc, db_conn *db, tr_err *err)
{
	time_t now = now_s();
	if (cc->cat && now - cc->checked_at < cc->interval_s)
		return cc->cat;
	tr_err e = TR_ERR_INIT;
	unsigned long long fp = 0;
	if (db_conn_ensure(db, &e) < 0 || catalog_db_fingerprint(db_conn_handle(db), &fp, &e) < 0) {
		if (cc->cat) {
			/* Keep answering from what we have; the query itself will meet the same trouble. */
			log_warn("TAP_SCHEMA check failed, using the cached copy: %s", e.msg);
			return cc->cat;
		}
		*err = e;
		return NULL;
	}
	cc->checked_at = now;
	if (cc->cat && fp == cc->fingerprint)
		return cc->cat;
	/* Taken before the load: a change during the load costs one extra reload, never a stale copy. */
	catalog *fresh = catalog_load_db(db_conn_handle(db), &e);
	if (fresh == NULL) {
		log_error("loading TAP_SCHEMA failed: %s", e.msg);
		if (cc->cat)
			return cc->cat;
		*err = e;
		return NULL;
	}
	if (cc->cat)
		log_info("TAP_SCHEMA changed: reloaded (%zu tables)", catalog_n_tables(fresh));
	catalog_free(cc->cat);
	cc->cat = fresh;
	cc->fingerprint = fp;
	return cc->cat;
}
