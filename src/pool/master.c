#include "config.h"

#include "pool/master.h"

#include "pool/listen.h"
#include "pool/worker.h"
#include "util/log.h"
#include "uws/executor.h"
#include "uws/housekeeper.h"

#include <errno.h>
#include <mysql.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A child that dies within this many ms of its start counts as a crash-loop step. */
#define RESPAWN_YOUNG_MS 5000
/* The first back-off delay; it doubles per consecutive young death up to respawn_backoff_max. */
#define RESPAWN_FIRST_DELAY_MS 100
/* The master's wake-up tick, for back-off and grace deadlines. */
#define MASTER_TICK_MS 200

typedef enum child_state {
	CHILD_EMPTY = 0,  /* free slot */
	CHILD_RUNNING,    /* serving; counts toward the target */
	CHILD_STOPPING,   /* asked to stop (reload, shrink or drain); killed at its deadline */
} child_state;

/* What a child does.  Workers serve FastCGI requests; executors run async jobs; the housekeeper
 * destroys expired jobs and recovers those of dead executors. */
typedef enum child_role {
	ROLE_WORKER = 0,
	ROLE_EXECUTOR,
	ROLE_HOUSEKEEPER,
	ROLE_COUNT
} child_role;

static const char *const role_names[ROLE_COUNT] = {
	[ROLE_WORKER] = "worker", [ROLE_EXECUTOR] = "executor", [ROLE_HOUSEKEEPER] = "housekeeper",
};

typedef struct child {
	pid_t pid;
	child_state state;
	child_role role;
	unsigned generation;  /* config generation it was started with */
	unsigned index;       /* number within its role, for logs */
	long long started_ms; /* monotonic */
	long long kill_at_ms; /* STOPPING: SIGKILL when reached */
} child;

typedef struct master {
	const master_opts *opts;
	arena *cfg_arena;
	tr_config *cfg;
	unsigned generation;
	int listen_fd;
	int inherited;             /* the socket came on fd 0: not ours to unlink */
	const char *listen_spec;   /* what we bound, for unlink at exit */
	child children[POOL_MAX_CHILDREN];
	unsigned next_index[ROLE_COUNT];
	int crash_streak;          /* consecutive young deaths */
	long long spawn_after_ms;  /* back-off: no respawn before this */
	int draining;
} master;

static volatile sig_atomic_t got_chld, got_hup, got_term, got_alrm;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGCHLD: got_chld = 1; break;
	case SIGHUP: got_hup = 1; break;
	case SIGALRM: got_alrm = 1; break;
	default: got_term = 1; break;
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static child *find_child(master *m, pid_t pid)
{
	for (int i = 0; i < POOL_MAX_CHILDREN; i++)
		if (m->children[i].state != CHILD_EMPTY && m->children[i].pid == pid)
			return &m->children[i];
	return NULL;
}

static int spawn(master *m, child_role role)
{
	child *slot = NULL;
	for (int i = 0; i < POOL_MAX_CHILDREN && !slot; i++)
		if (m->children[i].state == CHILD_EMPTY)
			slot = &m->children[i];
	if (slot == NULL) {
		log_error("no free child slot for a new %s", role_names[role]);
		return -1;
	}
	unsigned index = ++m->next_index[role];
	pid_t pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* The child starts with the master's signal mask and handlers; each role sets its own. */
		sigset_t none;
		sigemptyset(&none);
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
		int status;
		if (role == ROLE_WORKER) {
			status = worker_main(m->cfg, m->listen_fd, index);
		} else {
			/* Only workers accept FastCGI connections. */
			close(m->listen_fd);
			status = role == ROLE_EXECUTOR ? executor_main(m->cfg, index) : housekeeper_main(m->cfg);
		}
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(status);
	}
	slot->pid = pid;
	slot->state = CHILD_RUNNING;
	slot->role = role;
	slot->generation = m->generation;
	slot->index = index;
	slot->started_ms = now_ms();
	slot->kill_at_ms = 0;
	log_debug("started %s %u (pid %ld)", role_names[role], index, (long)pid);
	return 0;
}

static void stop_child(master *m, child *c)
{
	c->state = CHILD_STOPPING;
	c->kill_at_ms = now_ms() + (long long)m->cfg->grace_time * 1000;
	kill(c->pid, SIGTERM);
}

static void reap(master *m)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		child *c = find_child(m, pid);
		if (c == NULL)
			continue;
		int planned = c->state == CHILD_STOPPING ||
		              (WIFEXITED(status) && WEXITSTATUS(status) == WORKER_EXIT_OK);
		if (!planned) {
			long long lived = now_ms() - c->started_ms;
			const char *role = role_names[c->role];
			if (WIFSIGNALED(status))
				log_warn("%s %u (pid %ld) killed by signal %d", role, c->index, (long)pid, WTERMSIG(status));
			else
				log_warn("%s %u (pid %ld) exited with status %d", role, c->index, (long)pid, WEXITSTATUS(status));
			m->crash_streak = lived < RESPAWN_YOUNG_MS ? m->crash_streak + 1 : 0;
			if (m->crash_streak > 0) {
				long long delay = RESPAWN_FIRST_DELAY_MS;
				for (int i = 1; i < m->crash_streak && delay < (long long)m->cfg->respawn_backoff_max * 1000; i++)
					delay *= 2;
				if (delay > (long long)m->cfg->respawn_backoff_max * 1000)
					delay = (long long)m->cfg->respawn_backoff_max * 1000;
				m->spawn_after_ms = now_ms() + delay;
				log_warn("%s crash loop: next respawn in %lld ms", role, delay);
			}
		} else {
			log_debug("%s %u (pid %ld) stopped", role_names[c->role], c->index, (long)pid);
		}
		memset(c, 0, sizeof *c);
	}
}

static void count(const master *m, child_role role, int *cur_running, int *old_running, int *stopping)
{
	*cur_running = *old_running = *stopping = 0;
	for (int i = 0; i < POOL_MAX_CHILDREN; i++) {
		const child *c = &m->children[i];
		if (c->role != role)
			continue;
		if (c->state == CHILD_RUNNING)
			(*(c->generation == m->generation ? cur_running : old_running))++;
		else if (c->state == CHILD_STOPPING)
			(*stopping)++;
	}
}

/* Whether this master runs a housekeeper: when it runs executors.  The housekeeper's sweeps act on
 * the job database every replica shares, so one per executor-running replica covers every job:
 * jobs created through a replica with executors = 0 are destroyed and recovered by the housekeepers
 * of the replicas that run them.  A service where no replica runs executors runs no job, and an
 * instance used for /sync only (executors = 0) then needs no job database at all. */
static bool housekeeper_wanted(const tr_config *cfg)
{
	return cfg->executors > 0;
}

/* How many children of a role the configuration asks for. */
static int target(const tr_config *cfg, child_role role)
{
	switch (role) {
	case ROLE_WORKER: return cfg->workers;
	case ROLE_EXECUTOR: return cfg->executors;
	case ROLE_HOUSEKEEPER: return housekeeper_wanted(cfg) ? 1 : 0;
	case ROLE_COUNT: break;
	}
	return 0;
}

/* Stops running children of role beyond want (the newest generation's are counted first). */
static void shrink(master *m, child_role role, int cur, int want)
{
	for (int i = 0; i < POOL_MAX_CHILDREN && cur > want; i++) {
		child *c = &m->children[i];
		if (c->state == CHILD_RUNNING && c->role == role) {
			stop_child(m, c);
			cur--;
		}
	}
}

/* Workers toward cfg->workers of the current generation. */
static void maintain_workers(master *m)
{
	int cur, old, stopping;
	count(m, ROLE_WORKER, &cur, &old, &stopping);
	int want = target(m->cfg, ROLE_WORKER);
	if (old > 0) {
		/* Reload: one replacement at a time, the new worker first, so capacity never drops. */
		if (stopping > 0)
			return;
		if (cur < want && spawn(m, ROLE_WORKER) < 0)
			return;
		for (int i = 0; i < POOL_MAX_CHILDREN; i++) {
			child *c = &m->children[i];
			if (c->state == CHILD_RUNNING && c->role == ROLE_WORKER && c->generation != m->generation) {
				stop_child(m, c);
				break;
			}
		}
		return;
	}
	while (cur < want && spawn(m, ROLE_WORKER) == 0)
		cur++;
	shrink(m, ROLE_WORKER, cur, want);
}

/* Executors and the housekeeper: no request is dropped by replacing them (an executor gives its
 * job back when stopped, and a housekeeper's sweep is idempotent), so on reload every old one is
 * stopped at once and the new ones started beside them. */
static void maintain_background(master *m, child_role role)
{
	for (int i = 0; i < POOL_MAX_CHILDREN; i++) {
		child *c = &m->children[i];
		if (c->state == CHILD_RUNNING && c->role == role && c->generation != m->generation)
			stop_child(m, c);
	}
	int cur, old, stopping;
	count(m, role, &cur, &old, &stopping);
	int want = target(m->cfg, role);
	while (cur < want && spawn(m, role) == 0)
		cur++;
	shrink(m, role, cur, want);
}

/* Brings every role toward its target of the current generation. */
static void maintain(master *m)
{
	long long now = now_ms();
	for (int i = 0; i < POOL_MAX_CHILDREN; i++) {
		child *c = &m->children[i];
		if (c->state == CHILD_STOPPING && now >= c->kill_at_ms && c->kill_at_ms) {
			log_warn("%s %u (pid %ld) did not stop within grace_time: killing it", role_names[c->role], c->index,
			         (long)c->pid);
			kill(c->pid, SIGKILL);
			c->kill_at_ms = 0;
		}
	}
	if (m->draining || now < m->spawn_after_ms)
		return;
	maintain_workers(m);
	maintain_background(m, ROLE_EXECUTOR);
	maintain_background(m, ROLE_HOUSEKEEPER);
}

static int apply_cli(const master_opts *o, arena *a, tr_config *cfg, tr_err *err)
{
	if (o->cli_workers && config_set(a, cfg, "workers", o->cli_workers, err) < 0)
		return -1;
	if (o->cli_listen && config_set(a, cfg, "listen", o->cli_listen, err) < 0)
		return -1;
	return 0;
}

static void reload(master *m)
{
	log_info("SIGHUP: reloading %s", m->opts->config_path ? m->opts->config_path : "(defaults)");
	arena *a = arena_create(0, 0);
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = a ? config_load(a, m->opts->config_path, &err) : NULL;
	if (cfg && apply_cli(m->opts, a, cfg, &err) < 0)
		cfg = NULL;
	if (cfg == NULL) {
		log_error("reload failed, keeping the running configuration: %s", a ? err.msg : "out of memory");
		arena_destroy(a);
		return;
	}
	if (!m->inherited && strcmp(cfg->listen, m->cfg->listen) != 0)
		log_warn("reload: a new 'listen' takes effect only after a restart");
	/* Workers were forked with the old config in their own copy of memory; the master's copy
	 * can go. */
	arena_destroy(m->cfg_arena);
	m->cfg_arena = a;
	m->cfg = cfg;
	log_set_level((log_level)log_level_parse(cfg->log_level));
	m->generation++;
	m->crash_streak = 0;
	m->spawn_after_ms = 0;
	log_info("configuration reloaded: replacing workers one by one, executors and housekeeper at once");
}

static void start_drain(master *m)
{
	log_info("draining: no new requests, %d s for requests in flight", m->cfg->grace_time);
	m->draining = 1;
	for (int i = 0; i < POOL_MAX_CHILDREN; i++)
		if (m->children[i].state == CHILD_RUNNING)
			stop_child(m, &m->children[i]);
}

static int any_child(const master *m)
{
	for (int i = 0; i < POOL_MAX_CHILDREN; i++)
		if (m->children[i].state != CHILD_EMPTY)
			return 1;
	return 0;
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	if (chdir("/") < 0)
		return -1;
	return 0;
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f);
}

int master_run(const master_opts *opts, arena *cfg_arena, tr_config *cfg)
{
	static master m; /* the master's own state: large (the child table), one per process */
	memset(&m, 0, sizeof m);
	m.opts = opts;
	m.cfg_arena = cfg_arena;
	m.cfg = cfg;
	m.generation = 1;
	log_set_role("master");

	tr_err err = TR_ERR_INIT;
	if (opts->cli_listen == NULL && listen_is_socket(0)) {
		/* Spawned by a web server (mod_fcgid, spawn-fcgi, lighttpd bin-path) with the socket on fd 0. */
		m.inherited = 1;
		m.listen_fd = 0;
		if (listen_prepare_inherited(0, &err) < 0) {
			log_error("%s", err.msg);
			return 1;
		}
		log_info("using the FastCGI socket inherited on fd 0");
	} else {
		if (cfg->listen[0] == '\0') {
			log_error("no socket: 'listen' is empty and fd 0 is not a listening socket");
			return 2;
		}
		m.listen_fd = listen_open(cfg->listen, cfg->listen_mode, cfg->listen_owner, cfg->listen_group,
		                          cfg->listen_backlog, &err);
		if (m.listen_fd < 0) {
			log_error("%s", err.msg);
			return 2;
		}
		m.listen_spec = cfg->listen;
		log_info("listening on %s", cfg->listen);
	}
	char *listen_spec_copy = m.listen_spec ? strdup(m.listen_spec) : NULL;
	m.listen_spec = listen_spec_copy;

	if (!opts->foreground && daemonize() < 0) {
		log_error("cannot detach: %s", strerror(errno));
		return 1;
	}
	char *pid_file = cfg->pid_file[0] ? strdup(cfg->pid_file) : NULL;
	if (pid_file && write_pid_file(pid_file) < 0)
		log_warn("cannot write pid file %s: %s", pid_file, strerror(errno));

	sigset_t block, waitmask;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGCHLD);
	sigdelset(&waitmask, SIGHUP);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGALRM);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct itimerval tick = { { 0, MASTER_TICK_MS * 1000 }, { 0, MASTER_TICK_MS * 1000 } };
	setitimer(ITIMER_REAL, &tick, NULL);

	log_info("taproom %s master started: %d workers, %d executors, %d housekeeper", PACKAGE_VERSION, cfg->workers,
	         cfg->executors, target(cfg, ROLE_HOUSEKEEPER));
	for (;;) {
		got_chld = got_alrm = 0;
		reap(&m);
		if (got_term && !m.draining) {
			start_drain(&m);
			if (!m.inherited)
				close(m.listen_fd);
		}
		if (got_hup && !m.draining) {
			got_hup = 0;
			reload(&m);
		}
		maintain(&m);
		if (m.draining && !any_child(&m))
			break;
		if (!got_chld && !got_hup && !(got_term && !m.draining))
			sigsuspend(&waitmask);
	}
	if (m.listen_spec)
		listen_unlink(m.listen_spec);
	if (pid_file)
		unlink(pid_file);
	free(pid_file);
	free(listen_spec_copy);
	arena_destroy(m.cfg_arena);
	log_info("stopped");
	return 0;
}
