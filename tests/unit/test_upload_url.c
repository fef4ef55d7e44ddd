/* test_upload_url: the pure parts of fetching UPLOAD=name,URL (src/tap/upload_url.h).
 *
 * URL parsing: host names, IPv4 and [IPv6] hosts, ports, targets and fragments, http and https (default
 * ports 80 and 443); user information, spaces, control bytes, bad ports and hosts refused as bad requests.
 * The address classifier: every non-public IPv4 and IPv6 range, the IPv4 addresses IPv6 ones carry,
 * and public addresses of both families.  Fetching itself: tests/integration/upload.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tap/upload_url.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#define N_OF(x) (sizeof(x) / sizeof((x)[0]))

static void test_parse_good(void **state)
{
	(void)state;
	static const struct {
		const char *url, *host, *target;
		unsigned port;
		bool is_v6, is_tls;
	} cases[] = {
		{ "http://example.org/t.xml", "example.org", "/t.xml", 80, false, false },
		{ "HTTP://Example.ORG", "Example.ORG", "/", 80, false, false },
		{ "http://example.org:8080/a/b?x=1&y=%20", "example.org", "/a/b?x=1&y=%20", 8080, false, false },
		{ "http://example.org?q", "example.org", "/?q", 80, false, false },
		{ "http://example.org/t#frag", "example.org", "/t", 80, false, false },
		{ "http://192.0.2.7:1/", "192.0.2.7", "/", 1, false, false },
		{ "http://[2001:db8::1]/t", "2001:db8::1", "/t", 80, true, false },
		{ "http://[::ffff:127.0.0.1]:65535/t", "::ffff:127.0.0.1", "/t", 65535, true, false },
		{ "https://example.org/t.xml", "example.org", "/t.xml", 443, false, true },
		{ "HTTPS://example.org:8443", "example.org", "/", 8443, false, true },
		{ "https://127.0.0.1:1/t?x#f", "127.0.0.1", "/t?x", 1, false, true },
		{ "https://[2001:db8::1]/t", "2001:db8::1", "/t", 443, true, true },
		{ "https://example.org:80/", "example.org", "/", 80, false, true },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tap_upload_url u;
		tr_err err = TR_ERR_INIT;
		assert_int_equal(tap_upload_url_parse(cases[i].url, &u, &err), TR_OK);
		assert_string_equal(u.host, cases[i].host);
		assert_string_equal(u.target, cases[i].target);
		assert_int_equal(u.port, cases[i].port);
		assert_int_equal(u.is_ipv6_literal, cases[i].is_v6);
		assert_int_equal(u.is_tls, cases[i].is_tls);
	}
}

static void test_parse_bad(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int code;
		const char *msg;
	} cases[] = {
		{ "ftp://example.org/t.xml", TR_EBADREQ, "only http:// and https:// URLs" },
		{ "file:///etc/passwd", TR_EBADREQ, "only http:// and https:// URLs" },
		{ "httpx://example.org/", TR_EBADREQ, "only http:// and https:// URLs" },
		{ "https:/example.org/", TR_EBADREQ, "only http:// and https:// URLs" },
		{ "https://", TR_EBADREQ, "no host" },
		{ "https://user@example.org/", TR_EBADREQ, "user information" },
		{ "https://example.org:0/", TR_EBADREQ, "out of range" },
		{ "http://user:pw@example.org/", TR_EBADREQ, "user information" },
		{ "http://@example.org/", TR_EBADREQ, "user information" },
		{ "http://example.org/a b", TR_EBADREQ, "spaces" },
		{ "http://example.org/a\r\nX-Evil: 1", TR_EBADREQ, "control characters" },
		{ "http://example.org/\x7f", TR_EBADREQ, "control characters" },
		{ "http://example.org/\xc3\xa9", TR_EBADREQ, "non-ASCII" },
		{ "http://example.org\\@evil/", TR_EBADREQ, "backslashes" },
		{ "http://", TR_EBADREQ, "no host" },
		{ "http:///t", TR_EBADREQ, "no host" },
		{ "http://:80/t", TR_EBADREQ, "no host" },
		{ "http://exa_mple.org/", TR_EBADREQ, "host name may hold" },
		{ "http://example.org:/", TR_EBADREQ, "bad port" },
		{ "http://example.org:0/", TR_EBADREQ, "out of range" },
		{ "http://example.org:65536/", TR_EBADREQ, "out of range" },
		{ "http://example.org:123456/", TR_EBADREQ, "bad port" },
		{ "http://example.org:8x/", TR_EBADREQ, "bad port" },
		{ "http://[::1/", TR_EBADREQ, "without ']'" },
		{ "http://[]/", TR_EBADREQ, "bad IPv6" },
		{ "http://[not:an:addr:zz]/", TR_EBADREQ, "bad IPv6" },
		{ "http://[::1]x/", TR_EBADREQ, "after the IPv6" },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		tap_upload_url u;
		tr_err err = TR_ERR_INIT;
		int rc = tap_upload_url_parse(cases[i].url, &u, &err);
		if (rc != cases[i].code || strstr(err.msg, cases[i].msg) == NULL)
			fail_msg("%s: got %d '%s', expected %d '%s'", cases[i].url, rc, err.msg, cases[i].code, cases[i].msg);
	}
	/* longer than TAP_UPLOAD_URL_MAX */
	static char longurl[TAP_UPLOAD_URL_MAX + 16];
	memset(longurl, 'a', sizeof longurl - 1);
	memcpy(longurl, "http://x/", 9);
	tap_upload_url u;
	tr_err err = TR_ERR_INIT;
	assert_int_equal(tap_upload_url_parse(longurl, &u, &err), TR_EBADREQ);
}

static const char *class_of(const char *text)
{
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	memset(&s4, 0, sizeof s4);
	memset(&s6, 0, sizeof s6);
	if (inet_pton(AF_INET, text, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		return tap_upload_url_addr_class((const struct sockaddr *)&s4);
	}
	if (inet_pton(AF_INET6, text, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		return tap_upload_url_addr_class((const struct sockaddr *)&s6);
	}
	fail_msg("not an address: %s", text);
	return NULL;
}

static void test_addr_class(void **state)
{
	(void)state;
	static const struct {
		const char *addr;
		const char *cls; /* NULL = public */
	} cases[] = {
		{ "0.0.0.0", "unspecified" }, { "0.1.2.3", "reserved" },
		{ "127.0.0.1", "loopback" }, { "127.255.255.254", "loopback" },
		{ "10.0.0.1", "private" }, { "10.255.255.255", "private" },
		{ "172.16.0.1", "private" }, { "172.31.255.255", "private" },
		{ "172.15.255.255", NULL }, { "172.32.0.0", NULL },
		{ "192.168.0.1", "private" }, { "192.168.255.255", "private" }, { "192.169.0.1", NULL },
		{ "100.64.0.1", "shared (carrier-grade NAT)" }, { "100.127.255.255", "shared (carrier-grade NAT)" },
		{ "100.63.255.255", NULL }, { "100.128.0.0", NULL },
		{ "169.254.169.254", "link-local" }, { "169.253.0.1", NULL },
		{ "224.0.0.1", "multicast" }, { "239.255.255.255", "multicast" },
		{ "255.255.255.255", "broadcast" }, { "240.0.0.1", "reserved" },
		{ "192.0.2.1", "reserved" }, { "198.18.0.1", "reserved" }, { "198.19.255.1", "reserved" },
		{ "8.8.8.8", NULL }, { "93.184.216.34", NULL }, { "1.1.1.1", NULL },
		{ "::", "unspecified" }, { "::1", "loopback" },
		{ "fe80::1", "link-local" }, { "febf:ffff::1", "link-local" },
		{ "fec0::1", "site-local" },
		{ "fc00::1", "unique-local" }, { "fd12:3456::1", "unique-local" }, { "fe00::1", NULL },
		{ "ff02::1", "multicast" }, { "ff0e::1", "multicast" },
		{ "::ffff:127.0.0.1", "loopback" }, { "::ffff:10.1.2.3", "private" },
		{ "::ffff:169.254.169.254", "link-local" }, { "::ffff:192.168.1.1", "private" },
		{ "::ffff:0.0.0.0", "unspecified" }, { "::ffff:8.8.8.8", NULL },
		{ "::127.0.0.1", "loopback" }, { "::8.8.8.8", "reserved" },
		{ "64:ff9b::10.0.0.1", "private" }, { "64:ff9b::8.8.8.8", NULL },
		{ "2002:7f00:1::", "loopback" }, { "2002:0808:0808::1", NULL },
		{ "2001:db8::1", "reserved" },
		{ "2001:4860:4860::8888", NULL }, { "2a00:1450::1", NULL },
	};
	for (size_t i = 0; i < N_OF(cases); i++) {
		const char *got = class_of(cases[i].addr);
		if (cases[i].cls == NULL ? got != NULL : (got == NULL || strcmp(got, cases[i].cls) != 0))
			fail_msg("%s: got %s, expected %s", cases[i].addr, got ? got : "public",
			         cases[i].cls ? cases[i].cls : "public");
	}
	struct sockaddr other;
	memset(&other, 0, sizeof other);
	other.sa_family = AF_UNIX;
	assert_string_equal(tap_upload_url_addr_class(&other), "reserved");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_addr_class),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
