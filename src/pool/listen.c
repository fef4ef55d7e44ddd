#include "config.h"

#include "pool/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	return spec[0] == '/' || spec[0] == '.' ? spec : NULL;
}

int listen_is_socket(int fd)
{
	int v = 0;
	socklen_t len = sizeof v;
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int listen_prepare_inherited(int fd, tr_err *err)
{
	if (set_nonblock(fd) < 0)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "inherited socket: %s", strerror(errno));
	return TR_OK;
}

static int chown_socket(const char *path, const char *owner, const char *group, tr_err *err)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	if (owner[0]) {
		struct passwd *pw = getpwnam(owner);
		if (pw == NULL)
			return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen_owner': no user '%s'", owner);
		uid = pw->pw_uid;
	}
	if (group[0]) {
		struct group *gr = getgrnam(group);
		if (gr == NULL)
			return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen_group': no group '%s'", group);
		gid = gr->gr_gid;
	}
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(path, uid, gid) < 0)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "chown %s: %s", path, strerror(errno));
	return TR_OK;
}

static int open_unix(const char *path, int mode, const char *owner, const char *group, int backlog,
                     tr_err *err)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return tr_err_set(err, TR_EINTERNAL, -1, 0, "socket: %s", strerror(errno));
	struct stat st;
	if (lstat(path, &st) == 0) {
		/* Replace a stale socket, but never remove something that is not a socket, and never
		 * steal the socket of a taproom that is still running. */
		if (!S_ISSOCK(st.st_mode)) {
			close(fd);
			return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': %s exists and is not a socket", path);
		}
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			close(fd);
			return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': %s is in use by another process", path);
		}
		close(fd);
		unlink(path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return tr_err_set(err, TR_EINTERNAL, -1, 0, "socket: %s", strerror(errno));
	}
	mode_t old = umask(0177); /* no window in which the socket has wider permissions */
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0) {
		tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': bind %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (chmod(path, (mode_t)mode) < 0 || chown_socket(path, owner, group, err) < 0 ||
	    listen(fd, backlog) < 0 || set_nonblock(fd) < 0) {
		tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int open_tcp(const char *spec, int backlog, tr_err *err)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= sizeof host || !colon[1])
		return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': '%s' is neither a path nor host:port", spec);
	const char *h = spec;
	size_t hl = (size_t)(colon - spec);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	int gai = getaddrinfo(host, colon + 1, &hints, &res);
	if (gai != 0)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': %s: %s", spec, gai_strerror(gai));
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, backlog) < 0 || set_nonblock(fd) < 0) {
		tr_err_set(err, TR_ECONFIG, -1, 0, "setting 'listen': %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int listen_open(const char *spec, int mode, const char *owner, const char *group, int backlog,
                tr_err *err)
{
	const char *path = unix_path(spec);
	if (path)
		return open_unix(path, mode, owner, group, backlog, err);
	return open_tcp(spec, backlog, err);
}

void listen_unlink(const char *spec)
{
	const char *path = unix_path(spec);
	if (path)
		unlink(path);
}
