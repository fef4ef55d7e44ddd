/* log: one line per event on stderr: time, level, role and pid, request id, message.
 *
 * The process's role ("master", "worker") and the current request id are process state set by the
 * pool; everything else passes its message and nothing prints on its own from deep inside a module:
 * modules return errors and their callers decide what to log. */
#ifndef TR_UTIL_LOG_H
#define TR_UTIL_LOG_H

typedef enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level;

/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int log_level_parse(const char *s);
void log_set_level(log_level level);
void log_set_role(const char *role); /* static string, e.g. "master" */
/* The id printed on each line until cleared with NULL; copied. */
void log_set_request(const char *id);

void tr_log(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) tr_log(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) tr_log(LOG_WARN, __VA_ARGS__)
#define log_info(...) tr_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) tr_log(LOG_DEBUG, __VA_ARGS__)

#endif
