/* fuzz/fuzz_config: the configuration loader (util/config.h) on arbitrary bytes as the file.
 *
 * config_load() reads a path, so each input is written to one private temporary file (created at
 * the first input, removed at exit) and loaded into a fresh arena.  Side effects outside the input
 * are disabled: every TAPROOM_* variable is unset except TAPROOM_DB_PASSWORD and
 * TAPROOM_UWS_PASSWORD, which are set so the password files named by the input are never opened
 * (one could be a FIFO or /dev/stdin), and inputs with libconfig's @include directive are skipped
 * (it opens other files).  Checks: NULL comes with TR_ECONFIG (or TR_ENOMEM when an allocation was
 * made to fail), a message, and the file named in it; a loaded configuration has every setting
 * set, within its bounds and valid (config.h). */
#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/arena.h"
#include "util/config.h"
#include "util/err.h"
#include "util/log.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define fail(what, detail) fuzz_fail("fuzz_config", what, detail)

/* libconfig 1.5 (Debian 12) leaks a string in its lexer when a file fails to parse after adjacent
 * string literals ("""" then a bad byte: config/libconfig-lexer-leak), however carefully the caller
 * runs config_destroy(); a library we do not own, so LeakSanitizer ignores leaks from it.  Read by
 * LeakSanitizer in the sanitizer replay and in libFuzzer alike; unused in other builds. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libconfig.so\n"; }

static char tmp_path[4096]; /* the input file; "" until created */
static int tmp_fd = -1;

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

static void unset_one(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	(void)ctx, (void)name, (void)def, (void)doc;
	if (env)
		unsetenv(env);
}

static void setup(void)
{
	config_each(unset_one, NULL);
	unsetenv("TAPROOM_CONFIG");
	setenv("TAPROOM_DB_PASSWORD", "fuzz", 1);
	setenv("TAPROOM_UWS_PASSWORD", "fuzz-uws", 1);
	const char *dir = getenv("TMPDIR");
	snprintf(tmp_path, sizeof tmp_path, "%s/fuzz_config.XXXXXX", dir && *dir ? dir : "/tmp");
	tmp_fd = mkstemp(tmp_path);
	if (tmp_fd < 0) {
		tmp_path[0] = '\0';
		fail("setup", "cannot create a temporary file");
	}
	atexit(remove_tmp);
}

/* libconfig's "@include" (any case, to be safe) opens the file it names. */
static int has_include(const uint8_t *data, size_t size)
{
	static const char word[] = "@include";
	const size_t n = sizeof word - 1;
	for (size_t i = 0; i + n <= size; i++)
		if (data[i] == '@' && strncasecmp((const char *)data + i, word, n) == 0)
			return 1;
	return 0;
}

/* Overwrites, then cuts the file to size: truncating to 0 first would make ext4 (auto_da_alloc)
 * flush the file to disk at every close, a hundred times slower. */
static void write_input(const uint8_t *data, size_t size)
{
	for (size_t done = 0; done < size;) {
		ssize_t w = pwrite(tmp_fd, data + done, size - done, (off_t)done);
		if (w <= 0)
			fail("setup", "cannot write the temporary file");
		done += (size_t)w;
	}
	if (ftruncate(tmp_fd, (off_t)size) < 0)
		fail("setup", "cannot truncate the temporary file");
}

static void check_int(int v, int lo, int hi, const char *name)
{
	if (v < lo || v > hi)
		fail("config", name);
}

static void check_config(const tr_config *c)
{
	const char *strs[] = { c->source, c->listen, c->listen_owner, c->listen_group, c->pid_file, c->log_level,
		               c->base_url, c->base_path, c->db_host, c->db_socket, c->db_name, c->db_user,
		               c->db_password, c->db_password_file, c->uws_host, c->uws_socket, c->uws_name,
		               c->uws_user, c->uws_password, c->uws_password_file, c->results_dir };
	for (size_t i = 0; i < FUZZ_N_ELEMS(strs); i++)
		if (strs[i] == NULL)
			fail("config", "a string setting is NULL");
	if (strcmp(c->db_password, "fuzz") != 0)
		fail("config", "TAPROOM_DB_PASSWORD did not win");
	if (strcmp(c->uws_password, "fuzz-uws") != 0)
		fail("config", "TAPROOM_UWS_PASSWORD did not win");
	if (c->results_dir[0] != '/')
		fail("config", "a relative results_dir was accepted");
	if (c->execution_duration > c->max_execution_duration || c->destruction > c->max_destruction)
		fail("config", "a default above its maximum was accepted");
	if (log_level_parse(c->log_level) < 0)
		fail("config", "an invalid log_level was accepted");
	size_t bl = strlen(c->base_path);
	if (bl && (c->base_path[0] != '/' || c->base_path[bl - 1] == '/'))
		fail("config", "an invalid base_path was accepted");
	check_int(c->listen_mode, 0, 0777, "listen_mode out of range");
	check_int(c->listen_backlog, 1, 65535, "listen_backlog out of range");
	check_int(c->workers, 1, 1024, "workers out of range");
	check_int(c->max_requests, 0, __INT_MAX__, "max_requests out of range");
	check_int(c->grace_time, 0, 86400, "grace_time out of range");
	check_int(c->db_port, 1, 65535, "database.port out of range");
	check_int(c->query_timeout, 1, 86400, "limits.query_timeout out of range");
	check_int(c->schema_check_interval, 0, 3600, "limits.schema_check_interval out of range");
	check_int(c->uws_port, 1, 65535, "uws.port out of range");
	check_int(c->executors, 0, 256, "async.executors out of range");
	check_int(c->execution_duration, 1, 2592000, "async.execution_duration out of range");
	check_int(c->max_wait, 0, 3600, "async.max_wait out of range");
	check_int(c->executor_poll_ms, 10, 60000, "async.executor_poll_ms out of range");
	check_int(c->housekeeping_interval, 1, 3600, "async.housekeeping_interval out of range");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (tmp_fd < 0)
		setup();
	if (has_include(data, size))
		return 0;
	write_input(data, size);
	uint64_t h = fuzz_hash(data, size);
	arena *a = arena_create(0, 0);
	if (a == NULL)
		fail("arena", "out of memory");
	int is_injected = (h >> 3) % 8 == 0;
	if (is_injected)
		arena_fail_after(1 + (h >> 6) % 64);
	tr_err err = TR_ERR_INIT;
	tr_config *c = config_load(a, tmp_path, &err);
	arena_fail_after(0);
	if (c == NULL) {
		if (err.code != TR_ECONFIG && !(is_injected && err.code == TR_ENOMEM))
			fail("config_load", err.code == TR_OK ? "NULL without an error" : err.msg);
		if (err.msg[0] == '\0')
			fail("config_load", "failed with an empty message");
		if (err.code == TR_ECONFIG && strstr(err.msg, tmp_path) == NULL)
			fail("config_load", "a message that does not name the file");
	} else {
		check_config(c);
	}
	arena_destroy(a);
	return 0;
}
