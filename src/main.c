/* taproom: command line, configuration, then the process pool. */
#include "config.h"

#include "pool/master.h"
#include "util/config.h"
#include "util/log.h"

#include <getopt.h>
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TR_DEFAULT_CONFIG
#define TR_DEFAULT_CONFIG "/etc/taproom/taproom.conf"
#endif

static void print_setting(void *ctx, const char *name, const char *env, const char *def, const char *doc)
{
	FILE *out = ctx;
	fprintf(out, "  %-31s %-26s %s (default \"%s\")\n", name, env ? env : "", doc, def);
}

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: taproom [OPTION]...\n"
	        "An IVOA TAP 1.1 service over MariaDB/MySQL, run as a prefork FastCGI application.\n\n"
	        "  -c, --config FILE     configuration file (default %s)\n"
	        "  -w, --workers N       number of sync workers (overrides the file)\n"
	        "  -l, --listen SPEC     FastCGI socket: unix path or host:port (overrides the file)\n"
	        "  -f, --foreground      stay in the foreground (for systemd, containers, tests)\n"
	        "  -t, --check-config    validate the configuration and exit\n"
	        "  -V, --version         print the version and exit\n"
	        "  -h, --help            print this help and exit\n\n"
	        "Signals: HUP reloads the configuration, TERM drains and stops.\n\n"
	        "Settings (file name, environment override, meaning):\n",
	        TR_DEFAULT_CONFIG);
	config_each(print_setting, out);
	fprintf(out, "  %-31s %-26s %s\n", "", "TAPROOM_DB_PASSWORD", "database password (beats database.password_file)");
	fprintf(out, "  %-31s %-26s %s\n", "", "TAPROOM_UWS_PASSWORD", "UWS database password (beats uws.password_file)");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workers", required_argument, NULL, 'w' },
		{ "listen", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check-config", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	master_opts opts = { 0 };
	const char *config_path = NULL;
	int check_only = 0, opt;
	while ((opt = getopt_long(argc, argv, "c:w:l:ftVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'w': opts.cli_workers = optarg; break;
		case 'l': opts.cli_listen = optarg; break;
		case 'f': opts.foreground = 1; break;
		case 't': check_only = 1; break;
		case 'V': printf("taproom %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "taproom: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (config_path == NULL) {
		const char *env = getenv("TAPROOM_CONFIG");
		config_path = env ? env : TR_DEFAULT_CONFIG;
	}
	opts.config_path = config_path;

	arena *a = arena_create(0, 0);
	if (a == NULL) {
		fprintf(stderr, "taproom: out of memory\n");
		return 1;
	}
	tr_err err = TR_ERR_INIT;
	tr_config *cfg = config_load(a, config_path, &err);
	if (cfg && opts.cli_workers && config_set(a, cfg, "workers", opts.cli_workers, &err) < 0)
		cfg = NULL;
	if (cfg && opts.cli_listen && config_set(a, cfg, "listen", opts.cli_listen, &err) < 0)
		cfg = NULL;
	if (cfg == NULL) {
		fprintf(stderr, "taproom: %s\n", err.msg);
		arena_destroy(a);
		return 2;
	}
	if (check_only) {
		printf("%s: configuration ok\n", config_path);
		arena_destroy(a);
		return 0;
	}
	log_set_level((log_level)log_level_parse(cfg->log_level));
	/* Once, before any fork: the client library's global state is then shared read-only. */
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "taproom: cannot initialise the MariaDB client library\n");
		arena_destroy(a);
		return 1;
	}
	int status = master_run(&opts, a, cfg);
	mysql_library_end();
	return status;
}
