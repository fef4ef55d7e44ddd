/* ppoll(2): the atomic unblock-and-wait that makes stopping race-free. */
#define _GNU_SOURCE
#include "config.h"

#include "pool/worker.h"

#include "db/conn.h"
#include "http/router.h"
#include "util/log.h"
#include "uws/store.h"

#include <ctype.h>
#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A request's arena may not grow past this: 256 MiB stops a runaway request long before the
 * machine notices, and no legitimate request comes near it (results stream). */
#define WORKER_ARENA_MAX ((size_t)256 * 1024 * 1024)

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int fcgx_write(void *ctx, const char *p, size_t n)
{
	FCGX_Stream *out = ctx;
	while (n > 0) {
		int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
		if (FCGX_PutStr(p, chunk, out) != chunk)
			return -1;
		p += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

static ssize_t fcgx_read(void *ctx, char *p, size_t n)
{
	FCGX_Stream *in = ctx;
	int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
	int got = FCGX_GetStr(p, chunk, in);
	if (got < 0 || FCGX_GetError(in))
		return -1;
	return got;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The web server's request id when it sends a sane one (X-Request-Id), so log lines can be joined
 * with its access log; ours otherwise. */
static const char *request_id(arena *a, char *const *envp, unsigned long seq)
{
	for (char *const *e = envp; e && *e; e++) {
		if (strncmp(*e, "HTTP_X_REQUEST_ID=", 18) != 0)
			continue;
		const char *v = *e + 18;
		size_t n = strlen(v);
		int ok = n > 0 && n <= 64;
		for (size_t i = 0; ok && i < n; i++)
			ok = isalnum((unsigned char)v[i]) || v[i] == '-' || v[i] == '_' || v[i] == '.';
		if (ok)
			return v;
	}
	const char *id = arena_printf(a, "%ld-%lu", (long)getpid(), seq);
	return id ? id : "-";
}

static void serve_one(const tr_config *cfg, db_conn *db, db_conn *uws, catalog_cache *cc, arena *a,
                      FCGX_Request *fr, unsigned long seq)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const char *rid = request_id(a, fr->envp, seq);
	log_set_request(rid);

	http_response resp;
	http_response_init(&resp, (tr_sink){ fcgx_write, fr->out });
	http_request req;
	tr_err err = TR_ERR_INIT;
	tr_request_ctx ctx = {
		.cfg = cfg, .db = db, .uws = uws, .catalogs = cc, .a = a, .req = &req, .resp = &resp,
		.body = { fcgx_read, fr->in }, .request_id = rid,
	};
	if (http_request_init(&req, a, fr->envp, cfg->base_path, &err) < 0) {
		log_warn("bad request: %s", err.msg);
		http_send_text(&resp, err.http_status, err.msg);
	} else {
		router_dispatch(&ctx);
	}
	http_flush(&resp);
	log_info("access %s %s %d %zu %.1fms%s", req.method_name ? req.method_name : "-",
	         req.uri ? req.uri : "-", resp.status, resp.body_bytes, ms_since(&t0),
	         resp.failed ? " client-gone" : "");
	/* Closing the connection without the FastCGI end record makes the web server end its
	 * response abnormally (no final chunk): clients see a cut-off transfer, not a short table. */
	if (resp.is_aborted && fr->ipcFd >= 0) {
		log_warn("ending the transfer abnormally: the document is incomplete");
		shutdown(fr->ipcFd, SHUT_RDWR);
	}
	http_response_free(&resp);
	log_set_request(NULL);
}

/* Waits until fd is readable or a stop signal arrives.  The stop signals are blocked everywhere
 * else in the worker, so they can only interrupt this wait, never a request in progress, and a
 * signal that arrived during a request is delivered here at once (ppoll unblocks atomically). */
static int wait_readable(int fd, const sigset_t *waitmask)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	for (;;) {
		if (stop_requested)
			return -1;
		int rc = ppoll(&pfd, 1, NULL, waitmask);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

int worker_main(const tr_config *cfg, int listen_fd, unsigned index)
{
	log_set_role("worker");
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGHUP, SIG_IGN);  /* reloads are the master's business */
	signal(SIGINT, SIG_IGN);  /* Ctrl-C reaches the whole group; the master drains us */
	signal(SIGPIPE, SIG_IGN); /* a client that went away is a write error, not a death */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGALRM, SIG_DFL);

	sigset_t block, waitmask;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);

	if (FCGX_Init() != 0) {
		log_error("FastCGI library initialisation failed");
		return WORKER_EXIT_FAILED;
	}
	arena *a = arena_create(0, WORKER_ARENA_MAX);
	db_params dp = {
		.host = cfg->db_host, .port = (unsigned)cfg->db_port, .socket = cfg->db_socket,
		.user = cfg->db_user, .password = cfg->db_password, .database = cfg->db_name,
		.connect_timeout = (unsigned)cfg->db_connect_timeout, .read_timeout = (unsigned)cfg->db_read_timeout,
	};
	db_conn *db = db_conn_new(&dp);
	/* Job state has its own account; it is connected on the first /async request (the store
	 * calls db_conn_ensure), so a worker of a /sync-only service never touches it. */
	db_params up;
	uws_store_db_params(cfg, &up);
	db_conn *uws = db_conn_new(&up);
	catalog_cache *cc = catalog_cache_new(cfg->schema_check_interval);
	FCGX_Request fr;
	if (a == NULL || db == NULL || uws == NULL || cc == NULL || FCGX_InitRequest(&fr, listen_fd, 0) != 0) {
		log_error("worker %u: out of memory at start", index);
		arena_destroy(a);
		catalog_cache_free(cc);
		db_conn_free(uws);
		db_conn_free(db);
		return WORKER_EXIT_FAILED;
	}
	tr_err err = TR_ERR_INIT;
	if (db_conn_ensure(db, &err) < 0)
		log_warn("worker %u: %s (will retry on demand)", index, err.msg);
	log_info("worker %u ready", index);

	unsigned long served = 0;
	int status = WORKER_EXIT_OK;
	while (!stop_requested) {
		/* With a kept-alive FastCGI connection the next request comes on it, not the listen fd. */
		if (wait_readable(fr.ipcFd >= 0 ? fr.ipcFd : listen_fd, &waitmask) < 0)
			break;
		int rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			/* Another worker took the connection (EAGAIN on the non-blocking socket), or the web
			 * server dropped it before sending a request: back to waiting. */
			if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR || rc == -ECONNABORTED)
				continue;
			log_warn("accept: %s", rc > -200 ? strerror(-rc) : "FastCGI protocol error");
			continue;
		}
		serve_one(cfg, db, uws, cc, a, &fr, ++served);
		FCGX_Finish_r(&fr);
		arena_reset(a);
		if (cfg->max_requests > 0 && served >= (unsigned long)cfg->max_requests) {
			log_info("worker %u recycling after %lu requests", index, served);
			break;
		}
	}
	FCGX_Free(&fr, 1);
	catalog_cache_free(cc);
	db_conn_free(uws);
	db_conn_free(db);
	arena_destroy(a);
	log_info("worker %u exiting", index);
	return status;
}
