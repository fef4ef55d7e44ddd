#include <config.h> /* autoconf; "config.h" here would be util/config.h */

#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Process-wide logging state: set once by the pool, read on every line. */
static log_level current_level = LOG_INFO;
static const char *current_role = "taproom";
static char current_request[64];

static const char *const level_names[] = { "ERROR", "WARN", "INFO", "DEBUG" };

int log_level_parse(const char *s)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

void log_set_level(log_level level) { current_level = level; }
void log_set_role(const char *role) { current_role = role; }

void log_set_request(const char *id)
{
	if (id == NULL)
		current_request[0] = '\0';
	else
		snprintf(current_request, sizeof current_request, "%s", id);
}

void tr_log(log_level level, const char *fmt, ...)
{
	if (level > current_level)
		return;
	char line[2048];
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s[%ld]%s%s ",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	                 (int)(tv.tv_usec / 1000), level_names[level], current_role, (long)getpid(),
	                 current_request[0] ? " req=" : "", current_request);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof line - 2)
		len = sizeof line - 2;
	/* One line per event: newlines inside a message would split it. */
	for (size_t i = (size_t)n; i < len; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[len++] = '\n';
	/* One write(2) so lines from concurrent workers do not interleave. */
	ssize_t w = write(STDERR_FILENO, line, len);
	(void)w;
}
