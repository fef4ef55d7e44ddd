/* examples: the DALI 1.1 §2.3 examples resource, /examples: an XHTML page with RDFa markup whose
 * example queries run on this service (TAP 1.1 §2.6 adds the "query" and "table" properties).
 *
 * Served from the operator's file (setting examples_file) when one is configured, read on every
 * request so an edit shows without a reload; otherwise from the built-in page, which is
 * conf/examples.html compiled in at build time (the generated src/tap/examples_doc.c). */
#ifndef TR_TAP_EXAMPLES_H
#define TR_TAP_EXAMPLES_H

#include "http/handler.h"

#include <stddef.h>

/* The built-in page (conf/examples.html), NUL-terminated; examples_builtin_len bytes. */
extern const char examples_builtin[];
extern const size_t examples_builtin_len;

/* The media type of the page: XHTML, as DALI 1.1 §2.3 requires well-formed XML. */
#define EXAMPLES_CONTENT_TYPE "application/xhtml+xml; charset=utf-8"

/* GET /examples.  An operator's file that cannot be read is logged and answered with 500. */
int tap_examples(tr_request_ctx *ctx);

#endif
