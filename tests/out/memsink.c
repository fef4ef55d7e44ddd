/* memsink: see memsink.h. */
#include <config.h>

#include "memsink.h"

static int memsink_write(void *ctx, const char *p, size_t n)
{
	memsink *m = ctx;
	m->writes++;
	if (m->fail_at && m->writes >= m->fail_at)
		return -1;
	m->bytes += n;
	if (n > m->largest_write)
		m->largest_write = n;
	if (!m->count_only)
		strbuf_add(&m->sb, p, n);
	return strbuf_failed(&m->sb) ? -1 : 0;
}

void memsink_init(memsink *m, int count_only)
{
	strbuf_init(&m->sb, 0);
	m->count_only = count_only;
	m->bytes = 0;
	m->writes = 0;
	m->largest_write = 0;
	m->fail_at = 0;
}

void memsink_free(memsink *m) { strbuf_free(&m->sb); }

tr_sink memsink_sink(memsink *m) { return (tr_sink){ memsink_write, m }; }
