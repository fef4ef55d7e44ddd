/* vosi_capabilities: the VOSI 1.1 §3.2 capabilities resource: what this service offers, as
 * TAPRegExt 1.0 (tr:TableAccess) plus the VOSI and DALI capabilities, with every access URL built
 * from one base URL.
 *
 * What is declared is kept in tables in vosi_capabilities.c (languages and their features, output
 * formats); the accessors below expose them so tests can check them against what the ADQL parser and
 * the output writers really accept.  Nothing here touches the database. */
#ifndef TR_TAP_VOSI_CAPABILITIES_H
#define TR_TAP_VOSI_CAPABILITIES_H

#include "http/handler.h"
#include "out/writer.h"
#include "util/arena.h"
#include "util/config.h"
#include "util/err.h"
#include "util/strbuf.h"

#include <stddef.h>

/* The service root as clients reach it, without a trailing '/': cfg->base_url when set, else
 * SCHEME://HOST[:SERVER_PORT] + base_path from the request (TAP 1.1 §2: every resource is a child
 * of it); the port is added when the host has none and it is not the scheme's default.  The string
 * lives in a (or is cfg's own); NULL when a is exhausted. */
const char *vosi_base_url(const tr_config *cfg, const http_request *req, arena *a);

/* One TAPRegExt outputFormat: what RESPONSEFORMAT values select which writer. */
typedef struct vosi_output_format {
	out_format format;       /* the writer these values select */
	const char *ivo_id;      /* TAPRegExt standard key ("...#output-votable-td"), NULL for none */
	const char *mime;        /* the media type; out_format_parse must accept it */
	const char *aliases[4];  /* shorthands, NULL-terminated; out_format_parse must accept them too */
} vosi_output_format;

const vosi_output_format *vosi_output_formats(size_t *out_n);

/* One TAPRegExt languageFeatures group: a feature type and its forms. */
typedef struct vosi_feature {
	const char *form;        /* as TAPRegExt 1.0 §2.3 wants it: the name, or a short syntax */
	const char *description; /* one sentence for users */
} vosi_feature;

typedef struct vosi_feature_group {
	const char *type;           /* TAPRegExt feature type IVOID */
	const vosi_feature *features;
	size_t n_features;
} vosi_feature_group;

const vosi_feature_group *vosi_feature_groups(size_t *out_n);

/* Appends the vosi:capabilities document: the TAP capability (base interface, ADQL 2.0 and 2.1
 * with their optional features, output formats, execution duration and output limits from cfg),
 * the explicit /sync capability, VOSI capabilities, availability and tables 1.1, DALI examples.
 * base_url has no trailing '/'.  TR_ENOMEM when sb failed. */
int vosi_capabilities_write(const tr_config *cfg, const char *base_url, strbuf *sb, tr_err *err)
	__attribute__((warn_unused_result));

/* GET /capabilities. */
int tap_capabilities(tr_request_ctx *ctx);

#endif
