/* tap/upload_url: a small HTTP/1.1 client for UPLOAD=name,http[s]://... (issue 8).
 *
 * Must not connect to an address the classifier refused, look a name up twice, follow a redirect,
 * buffer more than one block, or block longer than the timeout in any one connect, write or read.
 * https runs OpenSSL on the same non-blocking socket; the HTTP code reads and writes through
 * conn_read/conn_write only, so it is the same for both.  RFC 9112 §2-7 (message syntax, body
 * length, chunked coding), RFC 3986 §3 (URI), RFC 6890 (special address ranges), RFC 9110 §4.3.4
 * (https), RFC 6125 (server identity). */
#include "config.h"

#include "tap/upload_url.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* Interim (1xx) responses skipped before the final one: a server sending more is misbehaving. */
#define URL_MAX_INTERIM 4
/* Bytes of a chunk-size line with its extensions (RFC 9112 §7.1.1). */
#define URL_CHUNK_LINE_MAX 1024
/* Read buffer, bytes. */
#define URL_BUF 16384

/* ---- URL ----------------------------------------------------------------------------------------- */

static int bad_url(tr_err *err, const char *why)
{
	tr_err_set(err, TR_EBADREQ, -1, 0, "bad upload URL: %s", why);
	tr_err_detail(err, "expected http://host[:port]/path or https://host[:port]/path (RFC 3986 §3)");
	return TR_EBADREQ;
}

static bool is_host_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

int tap_upload_url_parse(const char *url, tap_upload_url *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	size_t len = strlen(url);
	if (len > TAP_UPLOAD_URL_MAX)
		return bad_url(err, "longer than 4096 bytes");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f || c == '\\')
			return bad_url(err, "spaces, control characters, backslashes and non-ASCII bytes must be %-encoded");
	}
	const char *p;
	if (strncasecmp(url, "https://", 8) == 0) {
		out->is_tls = true;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		return bad_url(err, "only http:// and https:// URLs can be fetched");
	}
	size_t alen = strcspn(p, "/?#");
	const char *rest = p + alen;
	if (memchr(p, '@', alen) != NULL)
		return bad_url(err, "user information (user@host) is not accepted");
	if (alen == 0)
		return bad_url(err, "no host");
	const char *hend; /* end of the host text in p */
	const char *port = NULL;
	if (p[0] == '[') {
		const char *close = memchr(p, ']', alen);
		if (close == NULL)
			return bad_url(err, "'[' without ']'");
		size_t hl = (size_t)(close - p - 1);
		struct in6_addr a6;
		if (hl == 0 || hl > TAP_UPLOAD_URL_HOST_MAX)
			return bad_url(err, "a bad IPv6 address");
		memcpy(out->host, p + 1, hl);
		out->host[hl] = '\0';
		if (inet_pton(AF_INET6, out->host, &a6) != 1)
			return bad_url(err, "a bad IPv6 address");
		out->is_ipv6_literal = true;
		hend = close + 1;
		if (hend < rest && *hend != ':')
			return bad_url(err, "text after the IPv6 address");
		if (hend < rest)
			port = hend + 1;
	} else {
		const char *colon = memchr(p, ':', alen);
		hend = colon ? colon : rest;
		size_t hl = (size_t)(hend - p);
		if (hl == 0)
			return bad_url(err, "no host");
		if (hl > TAP_UPLOAD_URL_HOST_MAX)
			return bad_url(err, "a host name longer than 253 characters");
		for (size_t i = 0; i < hl; i++)
			if (!is_host_char((unsigned char)p[i]))
				return bad_url(err, "a host name may hold letters, digits, '-' and '.' only");
		memcpy(out->host, p, hl);
		out->host[hl] = '\0';
		if (colon)
			port = colon + 1;
	}
	out->port = out->is_tls ? 443 : 80;
	if (port) {
		size_t pl = (size_t)(rest - port);
		unsigned v = 0;
		if (pl == 0 || pl > 5)
			return bad_url(err, "a bad port");
		for (size_t i = 0; i < pl; i++) {
			if (port[i] < '0' || port[i] > '9')
				return bad_url(err, "a bad port");
			v = v * 10 + (unsigned)(port[i] - '0');
		}
		if (v == 0 || v > 65535)
			return bad_url(err, "a port out of range (1 to 65535)");
		out->port = v;
	}
	/* RFC 9112 §3.2.1: origin-form; the fragment is not sent (RFC 3986 §3.5). */
	size_t tl = strcspn(rest, "#");
	/* tl <= len - 8 < TAP_UPLOAD_URL_MAX (the authority has at least one byte): the leading "/" fits */
	size_t k = 0;
	if (tl == 0 || rest[0] == '?')
		out->target[k++] = '/';
	memcpy(out->target + k, rest, tl);
	out->target[k + tl] = '\0';
	return TR_OK;
}

/* ---- addresses ------------------------------------------------------------------------------------ */

/* RFC 6890 and its IANA registry: everything that is not the public Internet. */
static const char *v4_class(uint32_t a)
{
	if ((a >> 24) == 0)
		return a == 0 ? "unspecified" : "reserved"; /* 0/8 "this network" */
	if ((a >> 24) == 127)
		return "loopback";
	if ((a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8) /* 10/8, 172.16/12, 192.168/16 */
		return "private";
	if ((a >> 22) == (100u << 2 | 1)) /* 100.64/10 */
		return "shared (carrier-grade NAT)";
	if ((a >> 16) == 0xa9fe) /* 169.254/16 */
		return "link-local";
	if ((a >> 8) == 0xc00000 || (a >> 8) == 0xc00002 || (a >> 8) == 0xc63364 || (a >> 8) == 0xcb0071 ||
	    (a >> 17) == (0xc612u >> 1)) /* 192.0.0/24, 192.0.2/24, 198.51.100/24, 203.0.113/24, 198.18/15 */
		return "reserved";
	if ((a >> 28) == 0xe)
		return "multicast";
	if (a == 0xffffffffu)
		return "broadcast";
	if ((a >> 28) == 0xf)
		return "reserved";
	return NULL;
}

static uint32_t v4_at(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static const char *v6_class(const unsigned char *b)
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (memcmp(b, zero, 16) == 0)
		return "unspecified";
	if (memcmp(b, zero, 15) == 0 && b[15] == 1)
		return "loopback";
	/* the IPv4 address an IPv6 one carries decides: ::ffff:127.0.0.1 reaches 127.0.0.1 */
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return v4_class(v4_at(b + 12));
	if (memcmp(b, zero, 12) == 0) { /* IPv4-compatible, deprecated (RFC 4291 §2.5.5.1) */
		const char *c = v4_class(v4_at(b + 12));
		return c ? c : "reserved";
	}
	if (b[0] == 0xff)
		return "multicast";
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return "link-local"; /* fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return "site-local"; /* fec0::/10, deprecated */
	if ((b[0] & 0xfe) == 0xfc)
		return "unique-local"; /* fc00::/7 */
	if (b[0] == 0x20 && b[1] == 0x02) { /* 6to4 (2002::/16) carries an IPv4 address in bits 16-47 */
		const char *c = v4_class(v4_at(b + 2));
		if (c)
			return c;
	}
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return "reserved"; /* 2001:db8::/32, documentation */
	return NULL;
}

const char *tap_upload_url_addr_class(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		struct sockaddr_in s4;
		memcpy(&s4, sa, sizeof s4);
		return v4_class(ntohl(s4.sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		struct sockaddr_in6 s6;
		memcpy(&s6, sa, sizeof s6);
		return v6_class(s6.sin6_addr.s6_addr);
	}
	return "reserved";
}

static void addr_text(const struct sockaddr *sa, char *buf, size_t n)
{
	const void *src = NULL;
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	if (sa->sa_family == AF_INET) {
		memcpy(&s4, sa, sizeof s4);
		src = &s4.sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&s6, sa, sizeof s6);
		src = &s6.sin6_addr;
	}
	if (src == NULL || inet_ntop(sa->sa_family, src, buf, (socklen_t)n) == NULL)
		snprintf(buf, n, "?");
}

/* ---- connection ----------------------------------------------------------------------------------- */

/* A whole fetch may take this many url_timeouts: a server that trickles a byte just inside each
 * wait cannot hold a worker for long. */
#define URL_FETCH_TIMEOUTS 10

typedef struct conn {
	int fd;
	SSL_CTX *ctx;          /* https: this fetch's context and connection; NULL for http */
	SSL *ssl;
	long long deadline_ms; /* CLOCK_MONOTONIC: the whole fetch ends by then */
	const tap_upload_url_opts *o;
	const char *url;
	char buf[URL_BUF];
	size_t off, len;   /* unread bytes are buf[off, len) */
	bool is_eof;
} conn;

static int fail(conn *c, tr_err *err, const char *what)
{
	return tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: %s", c->o->label, c->url, what);
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for ev on c->fd; TR_EBADREQ on timeout, or when the whole fetch is out of time. */
static int wait_fd(conn *c, short ev, const char *doing, tr_err *err)
{
	struct pollfd pfd = { c->fd, ev, 0 };
	for (;;) {
		long long left = c->deadline_ms - mono_ms();
		if (left <= 0) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: not complete within %d seconds", c->o->label,
			           c->url, c->o->timeout_s * URL_FETCH_TIMEOUTS);
			tr_err_detail(err, "a fetch may take %d times upload.url_timeout", URL_FETCH_TIMEOUTS);
			return TR_EBADREQ;
		}
		int wait_ms = c->o->timeout_s * 1000;
		int r = poll(&pfd, 1, left < wait_ms ? (int)left : wait_ms);
		if (r > 0)
			return TR_OK;
		if (r == 0) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: no answer within %d seconds %s", c->o->label,
			           c->url, c->o->timeout_s, doing);
			tr_err_detail(err, "setting upload.url_timeout");
			return TR_EBADREQ;
		}
		if (errno != EINTR)
			return fail(c, err, strerror(errno));
	}
}

/* Connects to the first address that passed the check; *refused names the first refused. */
static int connect_any(conn *c, const struct addrinfo *ai, tr_err *err)
{
	char first_refused[INET6_ADDRSTRLEN + 64] = "";
	char last_error[INET6_ADDRSTRLEN + 128] = "";
	for (; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		char at[INET6_ADDRSTRLEN];
		addr_text(ai->ai_addr, at, sizeof at);
		const char *cls = tap_upload_url_addr_class(ai->ai_addr);
		if (cls && !c->o->allow_private) {
			if (first_refused[0] == '\0')
				snprintf(first_refused, sizeof first_refused, "%s is a %s address", at, cls);
			continue;
		}
		int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			snprintf(last_error, sizeof last_error, "%s: %s", at, strerror(errno));
			continue;
		}
		c->fd = fd;
		int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (rc < 0 && errno == EINPROGRESS) {
			struct pollfd pfd = { fd, POLLOUT, 0 };
			int pr;
			do
				pr = poll(&pfd, 1, c->o->timeout_s * 1000);
			while (pr < 0 && errno == EINTR);
			int soerr = 0;
			socklen_t sl = sizeof soerr;
			if (pr == 0)
				soerr = ETIMEDOUT;
			else if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
				soerr = errno;
			rc = soerr ? -1 : 0;
			errno = soerr;
		}
		if (rc == 0)
			return TR_OK;
		snprintf(last_error, sizeof last_error, "%s: %s", at, strerror(errno));
		close(fd);
		c->fd = -1;
	}
	if (last_error[0])
		return fail(c, err, last_error);
	if (first_refused[0]) {
		tr_err_set(err, TR_EBADREQ, -1, 0, "%s: refusing to fetch %s: %s", c->o->label, c->url, first_refused);
		tr_err_detail(err, "the service does not fetch from loopback, private, link-local or other non-public "
		              "addresses (setting upload.allow_private_urls)");
		return TR_EBADREQ;
	}
	return fail(c, err, "the host has no IPv4 or IPv6 address");
}

/* ---- transport: plain socket or TLS ------------------------------------------------------------- */

/* "TLS: reason" from OpenSSL's error queue (emptied: it is per thread and the worker goes on). */
static int tls_fail(conn *c, tr_err *err, const char *doing)
{
	unsigned long e = ERR_get_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char why[256];
	if (reason)
		snprintf(why, sizeof why, "TLS: %s (%s)", reason, doing);
	else if (errno != 0 && e == 0)
		snprintf(why, sizeof why, "TLS: %s (%s)", strerror(errno), doing);
	else
		snprintf(why, sizeof why, "TLS: failed (%s)", doing);
	ERR_clear_error();
	return fail(c, err, why);
}

/* After an SSL_* call failed with ret: waits as OpenSSL asks (TR_OK: call it again), or the error. */
static int tls_again(conn *c, int ret, const char *doing, tr_err *err)
{
	int e = SSL_get_error(c->ssl, ret);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		ERR_clear_error();
		return wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, doing, err);
	}
	if (e == SSL_ERROR_SYSCALL && errno == EINTR) {
		ERR_clear_error();
		return TR_OK;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return fail(c, err, "TLS: the connection closed");
	return tls_fail(c, err, doing);
}

/* Writes up to n bytes: the count written (> 0), or a TR_* error. */
static long conn_write(conn *c, const char *p, size_t n, tr_err *err)
{
	for (;;) {
		if (c->ssl) {
			size_t w = 0;
			ERR_clear_error();
			errno = 0;
			int ret = SSL_write_ex(c->ssl, p, n, &w);
			if (ret > 0)
				return (long)w;
			if (tls_again(c, ret, "sending the request", err) < 0)
				return err->code;
			continue;
		}
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		if (w > 0)
			return (long)w;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(c, POLLOUT, "sending the request", err) < 0)
				return err->code;
			continue;
		}
		return fail(c, err, w < 0 ? strerror(errno) : "the connection closed");
	}
}

/* Reads up to n bytes: the count read (> 0), 0 at the end of the stream, or a TR_* error.  Over
 * TLS the end is a close_notify; a connection closed without one is an error (the body could have
 * been cut short by anyone on the path). */
static long conn_read(conn *c, char *p, size_t n, tr_err *err)
{
	for (;;) {
		if (c->ssl) {
			size_t got = 0;
			ERR_clear_error();
			errno = 0;
			int ret = SSL_read_ex(c->ssl, p, n, &got);
			if (ret > 0)
				return (long)got;
			if (SSL_get_error(c->ssl, ret) == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (tls_again(c, ret, "reading the response", err) < 0)
				return err->code;
			continue;
		}
		ssize_t r = recv(c->fd, p, n, 0);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return fail(c, err, strerror(errno));
		if (wait_fd(c, POLLIN, "reading the response", err) < 0)
			return err->code;
	}
}

/* The TLS client handshake on the connected socket: SNI, then the server's certificate verified
 * against the system's trust store (plus o->ca_file) and matched to the URL's host (RFC 6125). */
static int tls_start(conn *c, const tap_upload_url *u, tr_err *err)
{
	ERR_clear_error();
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		return tls_fail(c, err, "creating a context");
	SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(c->ctx) != 1)
		ERR_clear_error(); /* no system store: only ca_file can vouch for a server */
	const char *ca = c->o->ca_file;
	if (ca && *ca && SSL_CTX_load_verify_locations(c->ctx, ca, NULL) != 1) {
		unsigned long e = ERR_get_error();
		ERR_clear_error();
		tr_err_set(err, TR_ECONFIG, -1, 0, "%s: cannot fetch %s: cannot load upload.ca_file %s: %s", c->o->label,
		           c->url, ca, e ? ERR_reason_error_string(e) : "no certificates");
		return TR_ECONFIG;
	}
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return tls_fail(c, err, "setting up the connection");
	X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
	struct in_addr a4;
	int ok;
	if (u->is_ipv6_literal || inet_pton(AF_INET, u->host, &a4) == 1) {
		ok = X509_VERIFY_PARAM_set1_ip_asc(vp, u->host); /* an address: no SNI (RFC 6066 §3) */
	} else {
		X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = SSL_set_tlsext_host_name(c->ssl, u->host) == 1 && X509_VERIFY_PARAM_set1_host(vp, u->host, 0) == 1;
	}
	if (ok != 1)
		return tls_fail(c, err, "setting the expected server name");
	for (;;) {
		ERR_clear_error();
		errno = 0;
		int ret = SSL_connect(c->ssl);
		if (ret == 1)
			return TR_OK;
		long v = SSL_get_verify_result(c->ssl);
		if (v != X509_V_OK) {
			ERR_clear_error();
			char why[256];
			snprintf(why, sizeof why, "TLS: certificate verify failed (%s)", X509_verify_cert_error_string(v));
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: %s", c->o->label, c->url, why);
			tr_err_detail(err, "the server's certificate must be valid for the URL's host and issued by an "
			              "authority the system trusts (or one in setting upload.ca_file)");
			return TR_EBADREQ;
		}
		if (tls_again(c, ret, "during the TLS handshake", err) < 0)
			return err->code;
	}
}

static int send_all(conn *c, const char *p, size_t n, tr_err *err)
{
	while (n > 0) {
		long w = conn_write(c, p, n, err);
		if (w < 0)
			return (int)w;
		p += w;
		n -= (size_t)w;
	}
	return TR_OK;
}

/* Reads more into the buffer (moving the unread rest to its start); sets is_eof at the end. */
static int fill(conn *c, tr_err *err)
{
	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len == sizeof c->buf)
		return TR_OK;
	long r = conn_read(c, c->buf + c->len, sizeof c->buf - c->len, err);
	if (r < 0)
		return (int)r;
	if (r == 0)
		c->is_eof = true;
	c->len += (size_t)r;
	return TR_OK;
}

static int malformed(conn *c, tr_err *err, const char *why)
{
	tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: malformed HTTP response: %s", c->o->label, c->url, why);
	return TR_EBADREQ;
}

/* The next line (without CRLF or LF) into line[max]; *used counts bytes against a header budget. */
static int read_line(conn *c, char *line, size_t max, size_t *used, size_t budget, tr_err *err)
{
	size_t n = 0;
	for (;;) {
		while (c->off < c->len) {
			char ch = c->buf[c->off++];
			if (++*used > budget)
				return malformed(c, err, "the header is too long");
			if (ch == '\n') {
				if (n > 0 && line[n - 1] == '\r')
					n--;
				line[n] = '\0';
				return TR_OK;
			}
			if (n + 1 >= max)
				return malformed(c, err, "a line is too long");
			if (ch == '\0')
				return malformed(c, err, "a NUL byte in the header");
			line[n++] = ch;
		}
		if (c->is_eof)
			return malformed(c, err, "the connection closed inside the header");
		if (fill(c, err) < 0)
			return err->code;
	}
}

/* ---- body ------------------------------------------------------------------------------------------ */

typedef struct body {
	int fd;
	long long n; /* bytes written */
} body;

static int too_large(conn *c, tr_err *err)
{
	tr_err_set(err, TR_ELIMIT, -1, 0, "%s: upload too large: at most %lld bytes allowed", c->o->label, c->o->limit);
	tr_err_detail(err, "the uploaded tables of one request together; setting upload.max_bytes");
	return TR_ELIMIT;
}

static int emit(conn *c, body *b, const char *p, size_t n, tr_err *err)
{
	if (b->n + (long long)n > c->o->budget)
		return too_large(c, err);
	b->n += (long long)n;
	while (n > 0) {
		ssize_t w = write(b->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return tr_err_set(err, TR_EIO, -1, 0, "%s: cannot write the fetched table to a temporary file: %s",
			                  c->o->label, w < 0 ? strerror(errno) : "no progress");
		p += w;
		n -= (size_t)w;
	}
	return TR_OK;
}

/* Copies want bytes (-1: until the connection closes). */
static int copy_body(conn *c, body *b, long long want, tr_err *err)
{
	long long got = 0;
	while (want < 0 || got < want) {
		if (c->off == c->len) {
			if (c->is_eof) {
				if (want < 0)
					return TR_OK;
				char why[96];
				snprintf(why, sizeof why, "the connection closed after %lld of %lld body bytes", got, want);
				return malformed(c, err, why);
			}
			c->off = c->len = 0;
			if (fill(c, err) < 0)
				return err->code;
			continue;
		}
		size_t k = c->len - c->off;
		if (want >= 0 && (long long)k > want - got)
			k = (size_t)(want - got);
		if (emit(c, b, c->buf + c->off, k, err) < 0)
			return err->code;
		c->off += k;
		got += (long long)k;
	}
	return TR_OK;
}

/* RFC 9112 §7.1: chunk-size [; ext] CRLF data CRLF ... 0 CRLF trailers CRLF. */
static int copy_chunked(conn *c, body *b, tr_err *err)
{
	char line[URL_CHUNK_LINE_MAX];
	for (;;) {
		size_t used = 0;
		if (read_line(c, line, sizeof line, &used, sizeof line, err) < 0)
			return err->code;
		long long size = 0;
		size_t i = 0;
		for (; line[i] && strchr("0123456789abcdefABCDEF", line[i]); i++) {
			if (i >= 15)
				return malformed(c, err, "a chunk size is too large");
			int ch = line[i];
			size = size * 16 + (ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
		}
		if (i == 0 || (line[i] != '\0' && line[i] != ';' && line[i] != ' ' && line[i] != '\t'))
			return malformed(c, err, "a bad chunk size");
		if (size == 0)
			break;
		if (b->n + size > c->o->budget)
			return too_large(c, err);
		if (copy_body(c, b, size, err) < 0)
			return err->code;
		used = 0;
		if (read_line(c, line, sizeof line, &used, sizeof line, err) < 0)
			return err->code;
		if (line[0] != '\0')
			return malformed(c, err, "no CRLF after a chunk");
	}
	/* trailer fields, ignored, up to the empty line */
	size_t used = 0;
	for (;;) {
		if (read_line(c, line, sizeof line, &used, TAP_UPLOAD_URL_HEADER_MAX, err) < 0)
			return err->code;
		if (line[0] == '\0')
			return TR_OK;
	}
}

/* ---- response ------------------------------------------------------------------------------------- */

typedef struct response {
	int status;
	long long content_length; /* -1: none */
	bool is_chunked;
} response;

static const char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Status line and header fields (RFC 9112 §4, §5); interim 1xx responses are skipped. */
static int read_head(conn *c, response *r, tr_err *err)
{
	char line[TAP_UPLOAD_URL_HEADER_MAX];
	for (int interim = 0;; interim++) {
		size_t used = 0;
		r->status = 0;
		r->content_length = -1;
		r->is_chunked = false;
		if (read_line(c, line, sizeof line, &used, TAP_UPLOAD_URL_HEADER_MAX, err) < 0)
			return err->code;
		if (strncmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
		    line[9] < '1' || line[9] > '5' || line[10] < '0' || line[10] > '9' || line[11] < '0' ||
		    line[11] > '9' || (line[12] != ' ' && line[12] != '\0'))
			return malformed(c, err, "not an HTTP/1.x status line");
		r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
		for (;;) {
			if (read_line(c, line, sizeof line, &used, TAP_UPLOAD_URL_HEADER_MAX, err) < 0)
				return err->code;
			if (line[0] == '\0')
				break;
			char *colon = strchr(line, ':');
			const char *ws = strpbrk(line, " \t"); /* RFC 9112 §5.1: none in or before the name */
			if (colon == NULL || colon == line || (ws != NULL && ws < colon))
				return malformed(c, err, "a header line without a field name");
			*colon = '\0';
			const char *v = trim(colon + 1);
			if (strcasecmp(line, "Content-Length") == 0) {
				long long n = 0;
				if (*v == '\0' || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v))
					return malformed(c, err, "a bad Content-Length");
				for (const char *q = v; *q; q++)
					n = n * 10 + (*q - '0');
				if (r->content_length >= 0 && r->content_length != n)
					return malformed(c, err, "Content-Length fields disagree");
				r->content_length = n;
			} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
				if (strcasecmp(v, "chunked") != 0) {
					tr_err_set(err, TR_EUNSUPPORTED, -1, 0, "%s: cannot fetch %s: transfer coding '%.64s' is not "
					           "supported", c->o->label, c->url, v);
					return TR_EUNSUPPORTED;
				}
				r->is_chunked = true;
			} else if (strcasecmp(line, "Content-Encoding") == 0 && strcasecmp(v, "identity") != 0) {
				tr_err_set(err, TR_EUNSUPPORTED, -1, 0, "%s: cannot fetch %s: content coding '%.64s' is not "
				           "supported", c->o->label, c->url, v);
				return TR_EUNSUPPORTED;
			}
		}
		/* RFC 9110 §15.2: 1xx precede the final response (101 would switch protocols: not asked for) */
		if (r->status >= 200 || r->status == 101)
			return TR_OK;
		if (interim >= URL_MAX_INTERIM)
			return malformed(c, err, "too many interim (1xx) responses");
	}
}

static void close_conn(conn *c)
{
	/* no close_notify of ours: the request said Connection: close and the socket goes now */
	SSL_free(c->ssl);
	SSL_CTX_free(c->ctx);
	c->ssl = NULL;
	c->ctx = NULL;
	ERR_clear_error();
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int fetch(conn *c, const tap_upload_url *u, int fd, long long *out_bytes, tr_err *err)
{
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (u->is_ipv6_literal ? AI_NUMERICHOST : 0);
	char port[8];
	snprintf(port, sizeof port, "%u", u->port);
	int g = getaddrinfo(u->host, port, &hints, &res);
	if (g != 0) {
		char why[TAP_UPLOAD_URL_HOST_MAX + 96];
		snprintf(why, sizeof why, "cannot resolve '%s': %s", u->host, gai_strerror(g));
		return fail(c, err, why);
	}
	/* Connect to the addresses this one lookup gave: looking the name up again to connect would
	 * let it resolve differently the second time (DNS rebinding). */
	int rc = connect_any(c, res, err);
	freeaddrinfo(res);
	if (rc < 0)
		return rc;
	if (u->is_tls && tls_start(c, u, err) < 0)
		return err->code;

	char req[TAP_UPLOAD_URL_MAX + TAP_UPLOAD_URL_HOST_MAX + 512];
	char hostf[TAP_UPLOAD_URL_HOST_MAX + 16];
	if (u->port == (u->is_tls ? 443u : 80u))
		snprintf(hostf, sizeof hostf, u->is_ipv6_literal ? "[%s]" : "%s", u->host);
	else
		snprintf(hostf, sizeof hostf, u->is_ipv6_literal ? "[%s]:%u" : "%s:%u", u->host, u->port);
	int n = snprintf(req, sizeof req,
	                 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
	                 "Accept: application/x-votable+xml, text/xml;q=0.9, */*;q=0.5\r\n"
	                 "Accept-Encoding: identity\r\nConnection: close\r\n\r\n",
	                 u->target, hostf, c->o->user_agent ? c->o->user_agent : "taproom");
	if (n < 0 || (size_t)n >= sizeof req)
		return fail(c, err, "the request is too long");
	if (send_all(c, req, (size_t)n, err) < 0)
		return err->code;

	response r;
	if (read_head(c, &r, err) < 0)
		return err->code;
	if (r.status != 200) {
		if (r.status >= 300 && r.status < 400) {
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: the server answered HTTP %d (a redirect), "
			           "which is not followed", c->o->label, c->url, r.status);
			tr_err_detail(err, "give the final URL: following a redirect would need the same address checks "
			              "as the URL itself");
		} else {
			tr_err_set(err, TR_EBADREQ, -1, 0, "%s: cannot fetch %s: the server answered HTTP %d, not 200",
			           c->o->label, c->url, r.status);
		}
		return TR_EBADREQ;
	}
	body b = { fd, 0 };
	/* RFC 9112 §6.3: chunked wins over Content-Length; without either the body ends at close. */
	if (r.is_chunked)
		rc = copy_chunked(c, &b, err);
	else if (r.content_length >= 0)
		rc = r.content_length > c->o->budget ? too_large(c, err) : copy_body(c, &b, r.content_length, err);
	else
		rc = copy_body(c, &b, -1, err);
	if (rc == TR_OK)
		*out_bytes += b.n;
	return rc;
}

int tap_upload_url_fetch(const char *url, const tap_upload_url_opts *o, int fd, long long *out_bytes, tr_err *err)
{
	tap_upload_url u;
	tr_err e = TR_ERR_INIT;
	if (tap_upload_url_parse(url, &u, &e) < 0) {
		tr_err_set(err, e.code, -1, 0, "%s: %s", o->label, e.msg);
		tr_err_detail(err, "%s", e.detail);
		return e.code;
	}
	conn c = { .fd = -1, .deadline_ms = mono_ms() + (long long)o->timeout_s * 1000 * URL_FETCH_TIMEOUTS, .o = o, .url = url };
	int rc = fetch(&c, &u, fd, out_bytes, err);
	close_conn(&c);
	return rc;
}
