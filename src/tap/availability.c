#include "config.h"

#include "tap/availability.h"

#include "out/xml.h"
#include "util/log.h"
#include "util/strbuf.h"

int tap_availability(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	int up = db_conn_ensure(ctx->db, &err) == TR_OK;
	if (!up)
		log_warn("availability: %s", err.msg);

	strbuf doc = STRBUF_INIT(0);
	strbuf_puts(&doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                  "<vosi:availability xmlns:vosi=\"http://www.ivoa.net/xml/VOSIAvailability/v1.0\">\n");
	strbuf_printf(&doc, "  <vosi:available>%s</vosi:available>\n", up ? "true" : "false");
	strbuf_puts(&doc, "  <vosi:note>");
	/* The note is public: it says what is wrong, not where the database lives. */
	xml_escape_str(&doc, up ? "the service is accepting queries"
	                        : "the database is not reachable; queries cannot run");
	strbuf_puts(&doc, "</vosi:note>\n</vosi:availability>\n");

	/* VOSI 1.1 §3.3: the document is returned with 200 whatever the state; clients read
	 * `available`. */
	http_set_content_type(ctx->resp, "text/xml; charset=utf-8");
	int rc = strbuf_failed(&doc) ? -1 : http_write(ctx->resp, strbuf_str(&doc), strbuf_len(&doc));
	strbuf_free(&doc);
	if (rc < 0)
		return http_send_text(ctx->resp, 500, "out of memory");
	return http_flush(ctx->resp);
}
