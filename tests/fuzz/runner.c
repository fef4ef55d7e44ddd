/* fuzz/runner: a plain main() for the fuzz targets, so each one builds without libFuzzer and
 * `make check` replays its corpus (curl-fuzzer's standalone runner, sqlite's fuzzcheck).
 *
 * Every input runs in a child process: a crash, a sanitizer report, a leak (LeakSanitizer runs at
 * the child's exit) or a hang (an alarm) fails that input and the replay goes on to the next, so the
 * summary names every failing file.  The target gets an exact-size heap copy of each input, so
 * AddressSanitizer catches a read one byte past it.  Not linked into the libFuzzer binaries
 * (scripts/fuzz), which bring their own main().
 *
 *   fuzz_NAME                  replays $top_srcdir/tests/fuzz/NAME/ (exit 77 when it is missing)
 *   fuzz_NAME [--no-fork] PATH...  replays the files given and every file in the directories given
 *
 * Files whose name starts with '.' or "README" are not inputs.  Exit status: 0 when every input
 * passed, 1 when any failed or could not be read, 2 for bad usage, 77 (automake's skip) without a
 * corpus. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME='\"adql\"' (the target's corpus directory under tests/fuzz/)"
#endif

/* Seconds one input may take in the child before it counts as a hang.  The slowest targets take a
 * few milliseconds per input; sanitizers and valgrind slow that down 20x, far inside this. */
#define RUNNER_TIMEOUT_S 60

/* Bytes of the largest input replayed.  The corpora hold inputs of a few KiB; scripts/fuzz caps
 * new ones at 64 KiB (-max_len), so anything bigger is a mistake in the corpus. */
#define RUNNER_MAX_INPUT ((size_t)16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct replay {
	int is_forking; /* run each input in a child (0: in this process, for debuggers) */
	long n_inputs;  /* inputs replayed */
	long n_failed;  /* inputs that crashed, leaked, hung or could not be read */
} replay;

/* Reads path into an exact-size heap buffer (never NUL-terminated: targets get sizes, not strings). */
static int read_input(const char *path, uint8_t **out_data, size_t *out_size)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf != NULL) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap || cap >= RUNNER_MAX_INPUT)
			break;
		uint8_t *bigger = realloc(buf, cap * 2);
		if (bigger == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	int is_bad = buf == NULL || ferror(f) || n > RUNNER_MAX_INPUT;
	fclose(f);
	if (is_bad) {
		free(buf);
		return -1;
	}
	/* An exact-size copy, so that reading data[size] is a heap overflow the sanitizer reports. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	*out_data = exact;
	*out_size = n;
	return 0;
}

static void run_child(const uint8_t *data, size_t size)
{
	alarm(RUNNER_TIMEOUT_S);
	LLVMFuzzerTestOneInput(data, size);
	/* exit(), not _exit(): LeakSanitizer checks at exit and fails the child on a leak. */
	exit(0);
}

static void replay_file(replay *r, const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0;
	r->n_inputs++;
	if (read_input(path, &data, &size) < 0) {
		fprintf(stderr, "fuzz_%s: %s: cannot read: %s\n", FUZZ_NAME, path, strerror(errno));
		r->n_failed++;
		return;
	}
	if (!r->is_forking) {
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		return;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "fuzz_%s: fork: %s\n", FUZZ_NAME, strerror(errno));
		r->n_failed++;
		free(data);
		return;
	}
	if (pid == 0)
		run_child(data, size);
	free(data);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "fuzz_%s: waitpid: %s\n", FUZZ_NAME, strerror(errno));
			r->n_failed++;
			return;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	r->n_failed++;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		fprintf(stderr, "fuzz_%s: FAIL %s: no result after %d s (hang)\n", FUZZ_NAME, path, RUNNER_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "fuzz_%s: FAIL %s: killed by signal %d\n", FUZZ_NAME, path, WTERMSIG(status));
	else
		fprintf(stderr, "fuzz_%s: FAIL %s: exit status %d (sanitizer report above)\n", FUZZ_NAME, path,
		        WEXITSTATUS(status));
}

static int is_input_name(const char *name)
{
	return name[0] != '.' && strncmp(name, "README", 6) != 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays the files of dir in name order (so logs compare between runs); no recursion. */
static int replay_dir(replay *r, const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (!is_input_name(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **bigger = realloc(names, cap * sizeof *names);
			if (bigger == NULL)
				break;
			names = bigger;
		}
		if ((names[n] = strdup(e->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		if (path != NULL) {
			snprintf(path, len, "%s/%s", dir, names[i]);
			struct stat st;
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				replay_file(r, path);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

static void replay_path(replay *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (replay_dir(r, path) < 0) {
			fprintf(stderr, "fuzz_%s: %s: cannot read the directory: %s\n", FUZZ_NAME, path, strerror(errno));
			r->n_failed++;
		}
		return;
	}
	replay_file(r, path);
}

int main(int argc, char **argv)
{
	replay r = { 1, 0, 0 };
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "--no-fork") == 0) {
		r.is_forking = 0;
		first = 2;
	} else if (argc > 1 && argv[1][0] == '-') {
		fprintf(stderr, "usage: fuzz_%s [--no-fork] [FILE | DIR]...\n", FUZZ_NAME);
		return 2;
	}
	if (first < argc) {
		for (int i = first; i < argc; i++)
			replay_path(&r, argv[i]);
	} else {
		/* `make check`: the committed corpus, found through the harness's top_srcdir. */
		const char *top = getenv("top_srcdir");
		char dir[4096];
		snprintf(dir, sizeof dir, "%s/tests/fuzz/%s", top ? top : ".", FUZZ_NAME);
		struct stat st;
		if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
			printf("fuzz_%s: SKIP: no corpus directory %s (set top_srcdir)\n", FUZZ_NAME, dir);
			return 77;
		}
		replay_path(&r, dir);
	}
	printf("fuzz_%s: %ld inputs replayed, %ld failed\n", FUZZ_NAME, r.n_inputs, r.n_failed);
	return r.n_failed ? 1 : 0;
}
