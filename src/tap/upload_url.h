/* tap/upload_url: fetching an UPLOAD=name,URL table over HTTP/1.1, plain or over TLS (https, with
 * OpenSSL; TAP 1.1 §2.5.6, DALI 1.1 §3.4; issue 8), for tap/upload.c when the operator enabled it
 * (upload.allow_urls).
 *
 * Must not reach the service's own network: every address a name resolves to is classified, and
 * only one that passed is connected to (no second lookup, which would reopen DNS rebinding).  Must
 * not follow redirects (their target would need the same checks), keep more than one buffer in
 * memory, or wait longer than the timeout for any connect or read.  RFC 9110, RFC 9112. */
#ifndef TR_TAP_UPLOAD_URL_H
#define TR_TAP_UPLOAD_URL_H

#include "util/err.h"

#include <stdbool.h>
#include <sys/socket.h>

/* Longest URL accepted, bytes: far above what a table's address needs, bounds the request line. */
#define TAP_UPLOAD_URL_MAX 4096
/* Longest host name (RFC 1035 §2.3.4: 253 characters in text form). */
#define TAP_UPLOAD_URL_HOST_MAX 253
/* Bytes of the response's status line and header fields together (RFC 9112 §2.3 leaves it to us). */
#define TAP_UPLOAD_URL_HEADER_MAX 16384

/* A parsed http:// or https:// URL. */
typedef struct tap_upload_url {
	char host[TAP_UPLOAD_URL_HOST_MAX + 1]; /* name or address; an IPv6 literal without brackets */
	bool is_ipv6_literal;                   /* given as [addr]: the Host field needs the brackets */
	bool is_tls;                            /* https:// */
	unsigned port;                          /* 1-65535, 80 (http) or 443 (https) when not given */
	char target[TAP_UPLOAD_URL_MAX + 1];    /* path and query ("/" when empty), no fragment */
} tap_upload_url;

/* Parses http[s]://host[:port][/path][?query][#fragment] (scheme case-insensitive); host is a name,
 * an IPv4 address or an [IPv6] literal.  Errors: TR_EBADREQ for another scheme, user information
 * (user@host), an empty or bad host, a bad port, spaces, control or non-ASCII bytes, or more than
 * TAP_UPLOAD_URL_MAX bytes. */
int tap_upload_url_parse(const char *url, tap_upload_url *out, tr_err *err) __attribute__((warn_unused_result));

/* Why an address must not be fetched from unless upload.allow_private_urls is set: "loopback",
 * "private", "shared (carrier-grade NAT)", "link-local", "unique-local", "site-local", "unspecified",
 * "multicast", "broadcast", "reserved"; IPv4-mapped, IPv4-compatible and NAT64 (64:ff9b::/96) IPv6
 * addresses are judged by the IPv4 address they carry.  NULL for a public address.  sa is AF_INET
 * or AF_INET6 (anything else is "reserved"). */
const char *tap_upload_url_addr_class(const struct sockaddr *sa);

typedef struct tap_upload_url_opts {
	const char *label;       /* "UPLOAD name": starts every message */
	bool allow_private;      /* connect to addresses tap_upload_url_addr_class refuses */
	int timeout_s;           /* seconds each connect, write or read may wait (> 0) */
	long long budget;        /* bytes the body may have; more is TR_ELIMIT */
	long long limit;         /* the configured limit the message names (upload.max_bytes) */
	const char *user_agent;  /* User-Agent field */
	const char *ca_file;     /* https: PEM certificates trusted besides the system's; NULL or "": none */
} tap_upload_url_opts;

/* GETs url and writes the body of a 200 response to fd (Content-Length, chunked or until close),
 * adding its length to *out_bytes.  https: a TLS 1.2+ handshake on the connected socket, SNI = the
 * host name (none for an address, RFC 6066 §3), the server's certificate verified against the
 * system's trust store plus opts->ca_file and matched to the host name or IP address; a body the
 * connection delimits must end in a TLS close_notify.  Errors, all naming the label and the URL:
 *   TR_EBADREQ      a bad URL (tap_upload_url_parse), a name that does not resolve, only refused
 *                   addresses (the message names the first and why), no connection, a timeout, a
 *                   status other than 200 (redirects included), a malformed or truncated response,
 *                   "TLS: certificate verify failed (why)", another TLS failure ("TLS: reason")
 *   TR_ECONFIG      opts->ca_file cannot be loaded
 *   TR_EUNSUPPORTED a transfer or content coding other than chunked/identity
 *   TR_ELIMIT       "upload too large: at most N bytes allowed" (N = opts->limit)
 *   TR_EIO          writing fd */
int tap_upload_url_fetch(const char *url, const tap_upload_url_opts *o, int fd, long long *out_bytes, tr_err *err)
	__attribute__((warn_unused_result));

#endif
