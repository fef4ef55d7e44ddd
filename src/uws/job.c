/* uws/job: phase names, job ids, ISO 8601 times and job file paths (uws/job.h).
 *
 * Pure helpers apart from getrandom(2) and the file removal: no database, no configuration.  The
 * removal touches only DIR/ID and what lies directly in it, never following a link out of it.
 * UWS 1.1 §2.1.3 (phases), §2.1.7 and DALI 1.1 §3.3.3 (times). */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "uws/job.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- phases ------------------------------------------------------------------------------------ */

static const char *const phase_names[UWS_PHASE_COUNT] = {
	[UWS_PENDING] = "PENDING",     [UWS_QUEUED] = "QUEUED",   [UWS_EXECUTING] = "EXECUTING",
	[UWS_COMPLETED] = "COMPLETED", [UWS_ERROR] = "ERROR",     [UWS_ABORTED] = "ABORTED",
	[UWS_UNKNOWN] = "UNKNOWN",     [UWS_HELD] = "HELD",       [UWS_SUSPENDED] = "SUSPENDED",
	[UWS_ARCHIVED] = "ARCHIVED",
};

const char *uws_phase_name(uws_phase p)
{
	/* An out-of-range value is a bug; UNKNOWN is the one name that is still a valid document. */
	if ((unsigned)p >= UWS_PHASE_COUNT)
		return phase_names[UWS_UNKNOWN];
	return phase_names[p];
}

int uws_phase_parse(const char *s, uws_phase *out)
{
	for (unsigned i = 0; i < UWS_PHASE_COUNT; i++) {
		if (strcasecmp(s, phase_names[i]) == 0) {
			*out = (uws_phase)i;
			return TR_OK;
		}
	}
	return TR_EBADREQ;
}

bool uws_phase_is_active(uws_phase p)
{
	return p == UWS_PENDING || p == UWS_QUEUED || p == UWS_EXECUTING || p == UWS_HELD ||
	       p == UWS_SUSPENDED;
}

/* ---- ids --------------------------------------------------------------------------------------- */

#define UWS_JOB_ID_BYTES (UWS_JOB_ID_LEN / 2)

int uws_job_id_new(char out[UWS_JOB_ID_LEN + 1], tr_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[UWS_JOB_ID_BYTES];
	size_t got = 0;
	while (got < sizeof raw) {
		/* Blocks only until the kernel's pool is initialised once after boot; reads of up to 256
		 * bytes are not cut short then, but a signal before that may interrupt it. */
		ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return tr_err_set(err, TR_EINTERNAL, -1, 0, "cannot make a job id: getrandom: %s",
			                  strerror(errno));
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof raw; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 0x0F];
	}
	out[UWS_JOB_ID_LEN] = '\0';
	return TR_OK;
}

bool uws_job_id_is_valid(const char *s)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < UWS_JOB_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false; /* also stops at a NUL before the full length */
	return s[UWS_JOB_ID_LEN] == '\0';
}

const uws_param *uws_job_param(const uws_job *job, const char *name)
{
	/* DALI 1.1 §3.1: parameter names are case-insensitive. */
	for (size_t i = 0; i < job->n_params; i++)
		if (strcasecmp(job->params[i].name, name) == 0)
			return &job->params[i];
	return NULL;
}

/* ---- times ------------------------------------------------------------------------------------- */

const char *uws_time_format(int64_t ms, char buf[UWS_TIME_BUF])
{
	/* Floor division, so times before 1970 keep a positive millisecond part. */
	int64_t secs = ms / 1000, frac = ms % 1000;
	if (frac < 0) {
		frac += 1000;
		secs -= 1;
	}
	time_t t = (time_t)secs;
	struct tm tm;
	/* Every int64 millisecond count is a year below 300 million: gmtime_r cannot fail, and the
	 * text stays under 32 bytes. */
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	int n = snprintf(buf, UWS_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
	if (n < 0 || n >= UWS_TIME_BUF)
		buf[UWS_TIME_BUF - 1] = '\0';
	return buf;
}

/* Reads exactly n decimal digits at *p into *out and advances *p; -1 when they are not there. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Longest fraction read: milliseconds are kept, further digits only checked (and truncated). */
#define UWS_TIME_MAX_FRACTION 9

static int bad_time(tr_err *err, const char *s, const char *why)
{
	tr_err_set(err, TR_EBADREQ, -1, 0, "invalid date-time '%.64s%s': %s", s, strlen(s) > 64 ? "..." : "",
	           why);
	tr_err_detail(err, "DALI 1.1 §3.3.3: YYYY-MM-DD['T'hh:mm[:ss[.fff]]] with an optional 'Z' or "
	                   "+hh:mm / -hh:mm after the time");
	return TR_EBADREQ;
}

int uws_time_parse(const char *s, int64_t *out_ms, tr_err *err)
{
	const char *p = s;
	int year, mon, day, hour = 0, min = 0, sec = 0, ms = 0, off_min = 0;
	if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &mon) < 0 || *p++ != '-' ||
	    digits(&p, 2, &day) < 0)
		return bad_time(err, s, "expected a date YYYY-MM-DD");
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
		return bad_time(err, s, "no such date");
	if (*p == 'T') {
		p++;
		if (digits(&p, 2, &hour) < 0 || *p++ != ':' || digits(&p, 2, &min) < 0)
			return bad_time(err, s, "expected a time hh:mm after 'T'");
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return bad_time(err, s, "expected seconds ss after hh:mm:");
			if (*p == '.') {
				p++;
				int n = 0;
				while (p[n] >= '0' && p[n] <= '9')
					n++;
				if (n == 0 || n > UWS_TIME_MAX_FRACTION)
					return bad_time(err, s, "expected 1 to 9 digits of fraction after '.'");
				for (int i = 0; i < 3; i++)
					ms = ms * 10 + (i < n ? p[i] - '0' : 0);
				p += n;
			}
		}
		/* No leap second (60): our clocks never show one, and timegm would move to the next day. */
		if (hour > 23 || min > 59 || sec > 59)
			return bad_time(err, s, "no such time of day");
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0)
				return bad_time(err, s, "expected a zone offset +hh:mm or -hh:mm");
			if (oh > 23 || om > 59)
				return bad_time(err, s, "zone offset out of range");
			off_min = sign * (oh * 60 + om);
		}
	}
	if (*p != '\0')
		return bad_time(err, s, "unexpected text after the date-time");
	struct tm tm = { 0 };
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	/* A local time at +hh:mm is that much ahead of UTC. */
	*out_ms = ((int64_t)t - (int64_t)off_min * 60) * 1000 + ms;
	return TR_OK;
}

/* ---- files ------------------------------------------------------------------------------------- */

static const char *job_path(arena *a, const char *results_dir, const char *id, const char *leaf)
{
	/* Ids come from URLs: nothing but a valid one ever becomes part of a path. */
	if (!uws_job_id_is_valid(id))
		return NULL;
	/* Without trailing slashes, so paths never hold "//" ("/" itself becomes "" + "/ID"). */
	size_t n = strlen(results_dir);
	if (n == 0)
		return arena_printf(a, "./%s%s", id, leaf);
	while (n > 0 && results_dir[n - 1] == '/')
		n--;
	return arena_printf(a, "%.*s/%s%s", (int)n, results_dir, id, leaf);
}

const char *uws_job_dir(arena *a, const char *results_dir, const char *id)
{
	return job_path(a, results_dir, id, "");
}

const char *uws_result_path(arena *a, const char *results_dir, const char *id)
{
	return job_path(a, results_dir, id, "/result");
}

const char *uws_result_part_path(arena *a, const char *results_dir, const char *id)
{
	return job_path(a, results_dir, id, "/result.part");
}

static int remove_failed(tr_err *err, const char *results_dir, const char *id, const char *name,
                         const char *what)
{
	int e = errno;
	return tr_err_set(err, TR_EIO, -1, 0, "cannot remove job files: %s %s/%s%s%s: %s", what, results_dir, id,
	                  name ? "/" : "", name ? name : "", strerror(e));
}

/* Unlinks every entry of the open directory jfd except subdirectories; takes over jfd.  unlinkat
 * without AT_REMOVEDIR never follows a symbolic link: a link is removed, not its target. */
static int remove_entries(int jfd, const char *results_dir, const char *id, tr_err *err)
{
	DIR *d = fdopendir(jfd);
	if (d == NULL) {
		int rc = remove_failed(err, results_dir, id, NULL, "reading");
		close(jfd);
		return rc;
	}
	int rc = TR_OK;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = remove_failed(err, results_dir, id, NULL, "reading");
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(jfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* another housekeeper got there first */
				continue;
			rc = remove_failed(err, results_dir, id, de->d_name, "examining");
			break;
		}
		/* Taproom makes no subdirectories; one that is there stays, and the rmdir below says so. */
		if (S_ISDIR(st.st_mode))
			continue;
		if (unlinkat(jfd, de->d_name, 0) < 0 && errno != ENOENT) {
			rc = remove_failed(err, results_dir, id, de->d_name, "unlinking");
			break;
		}
	}
	closedir(d); /* closes jfd */
	return rc;
}

const char *uws_upload_path(arena *a, const char *results_dir, const char *id, const char *name)
{
	if (!uws_job_id_is_valid(id) || name == NULL || name[0] == '\0')
		return NULL;
	for (const char *c = name; *c; c++)
		if (!(isalnum((unsigned char)*c) || *c == '_'))
			return NULL;
	return arena_printf(a, "%s/%s/upload-%s.vot", results_dir, id, name);
}

int uws_job_remove_results(const char *results_dir, const char *id, tr_err *err)
{
	if (!uws_job_id_is_valid(id))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "invalid job id '%.40s'", id ? id : "");
	static const char *const names[] = { "result", "result.part" };
	char path[PATH_MAX];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int n = snprintf(path, sizeof path, "%s/%s/%s", results_dir, id, names[i]);
		if (n < 0 || (size_t)n >= sizeof path)
			return tr_err_set(err, TR_EIO, -1, 0, "cannot remove job files: results_dir path too long");
		if (unlink(path) < 0 && errno != ENOENT && errno != ENOTDIR)
			return tr_err_set(err, TR_EIO, -1, 0, "cannot remove %s: %s", path, strerror(errno));
	}
	return TR_OK;
}

int uws_job_remove_files(const char *results_dir, const char *id, tr_err *err)
{
	if (!uws_job_id_is_valid(id))
		return tr_err_set(err, TR_EBADREQ, -1, 0, "invalid job id '%.40s'", id ? id : "");
	/* results_dir itself may be a link (an operator's mount point); only what is below it is ours. */
	int dfd = open(results_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == ENOENT)
			return TR_OK;
		int e = errno;
		return tr_err_set(err, TR_EIO, -1, 0, "cannot remove job files: opening %s: %s", results_dir,
		                  strerror(e));
	}
	int rc = TR_OK;
	int jfd = openat(dfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (jfd < 0) {
		if (errno == ENOENT) {
			/* nothing to remove */
		} else if (errno == ENOTDIR || errno == ELOOP) {
			/* Not a directory, or a link: remove that name itself, never what it points to. */
			if (unlinkat(dfd, id, 0) < 0 && errno != ENOENT)
				rc = remove_failed(err, results_dir, id, NULL, "unlinking");
		} else {
			rc = remove_failed(err, results_dir, id, NULL, "opening");
		}
		close(dfd);
		return rc;
	}
	rc = remove_entries(jfd, results_dir, id, err);
	if (rc == TR_OK && unlinkat(dfd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = remove_failed(err, results_dir, id, NULL, "removing directory");
	close(dfd);
	return rc;
}
