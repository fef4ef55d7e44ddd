/* vosi_capabilities: the VOSI 1.1 §3.2 capabilities document of this TAP 1.1 service.
 *
 * Must declare only what the service does: the languages and features the ADQL parser and translator
 * implement, the formats src/out/writer.c writes, the limits in the configuration; inline uploads,
 * and http(s):// URL uploads when upload.allow_urls is set.  TAPRegExt 1.0 §2 (TableAccess
 * content and order), TAP 1.1 §2.4 (TAP capability, interface version 1.1), VOSI 1.1 §3 (VOSI
 * standard ids), DALI 1.1 §2.3 and TAP 1.1 §2.6 (examples capability). */
#include "config.h"

#include "tap/vosi_capabilities.h"

#include "out/xml.h"

#include <string.h>

#define TAPREGEXT "ivo://ivoa.net/std/TAPRegExt"

/* ---- what is declared ------------------------------------------------------------------------ */

/* TAPRegExt 1.0 §2.4 and DALI 1.1 §4.3.3: every value here must be accepted by out_format_parse
 * (src/out/writer.h) and select `format`; tests/unit/test_vosi.c checks each one. */
static const vosi_output_format output_formats[] = {
	{ OUT_VOTABLE_TABLEDATA, TAPREGEXT "#output-votable-td", "application/x-votable+xml;serialization=TABLEDATA",
	  { "votable", "votable/td", "application/x-votable+xml", "text/xml" } },
	{ OUT_VOTABLE_BINARY2, TAPREGEXT "#output-votable-binary2", "application/x-votable+xml;serialization=BINARY2",
	  { "votable/b2", "votable/binary2", NULL } },
	{ OUT_CSV, NULL, "text/csv;header=present", { "csv", "text/csv", NULL } },
	{ OUT_TSV, NULL, "text/tab-separated-values", { "tsv", NULL } },
};

/* ADQL 2.1 §4.2: all geometry functions are translated (src/adql/geometry.h). */
static const vosi_feature geometry[] = {
	{ "POINT", "POINT(lon, lat): a position on the sky, ICRS, degrees" },
	{ "CIRCLE", "CIRCLE(lon, lat, radius) or CIRCLE(point, radius): a cone, degrees" },
	{ "BOX", "BOX(lon, lat, width, height): the ADQL 2.0 box centred on a position, degrees" },
	{ "POLYGON", "POLYGON(lon1, lat1, lon2, lat2, lon3, lat3, ...): vertices joined by great circles" },
	{ "REGION", "REGION('STC-S'): a POSITION, CIRCLE, BOX or POLYGON in ICRS, degrees" },
	{ "CONTAINS", "1 if the first geometry lies within the second, else 0" },
	{ "INTERSECTS", "1 if the two geometries overlap, else 0" },
	{ "DISTANCE", "great-circle distance between two points, in degrees" },
	{ "AREA", "area of a circle, box or polygon, in square degrees" },
	{ "CENTROID", "centre of a geometry, as a point" },
	{ "COORD1", "first coordinate (longitude, degrees) of a point" },
	{ "COORD2", "second coordinate (latitude, degrees) of a point" },
	{ "COORDSYS", "coordinate system of a geometry: always 'ICRS' here" },
};
/* ADQL 2.1 §4.3-4.10: the optional features the parser and translator implement. */
static const vosi_feature strings[] = {
	{ "LOWER", "LOWER(s): s in lower case" },
	{ "UPPER", "UPPER(s): s in upper case" },
	{ "ILIKE", "s ILIKE pattern: LIKE without regard to case" },
};
static const vosi_feature sets[] = {
	{ "UNION", "q1 UNION [ALL] q2: the rows of both queries" },
	{ "EXCEPT", "q1 EXCEPT [ALL] q2: the rows of q1 that are not in q2" },
	{ "INTERSECT", "q1 INTERSECT [ALL] q2: the rows in both queries" },
};
static const vosi_feature common_table[] = {
	{ "WITH", "WITH name AS (query) SELECT ... FROM name: named subqueries at the start of the query" },
};
static const vosi_feature type_conv[] = {
	{ "CAST", "CAST(x AS type): SMALLINT, INTEGER, BIGINT, REAL, DOUBLE PRECISION, CHAR(n), VARCHAR(n), TIMESTAMP" },
};
static const vosi_feature unit_conv[] = {
	{ "IN_UNIT", "IN_UNIT(x, 'unit'): x converted from its column's VOUnit to another" },
};
static const vosi_feature offset[] = {
	{ "OFFSET", "SELECT ... OFFSET n: skip the first n rows of the result" },
};
static const vosi_feature conditional[] = {
	{ "COALESCE", "COALESCE(a, b, ...): the first argument that is not NULL" },
};
/* Hexadecimal literals and bitwise operators of the ADQL 2.1 working drafts, dropped from the
 * Recommendation: no IVOA feature type exists for them, so they get one of this service's own
 * (TAPRegExt 1.0 §2.3 allows feature types outside ivoa.net). */
static const vosi_feature extensions[] = {
	{ "0xHEX", "hexadecimal integer literals, e.g. 0x1F (ADQL 2.1 working draft)" },
	{ "x & y", "bitwise AND of two integers" },
	{ "x | y", "bitwise OR of two integers" },
	{ "x ^ y", "bitwise exclusive OR of two integers" },
	{ "~x", "bitwise NOT of an integer" },
};

#define GROUP(type, list) { type, list, sizeof list / sizeof list[0] }
static const vosi_feature_group feature_groups[] = {
	GROUP(TAPREGEXT "#features-adqlgeo", geometry),
	GROUP(TAPREGEXT "#features-adql-string", strings),
	GROUP(TAPREGEXT "#features-adql-sets", sets),
	GROUP(TAPREGEXT "#features-adql-common-table", common_table),
	GROUP(TAPREGEXT "#features-adql-type", type_conv),
	GROUP(TAPREGEXT "#features-adql-unit", unit_conv),
	GROUP(TAPREGEXT "#features-adql-offset", offset),
	GROUP(TAPREGEXT "#features-adql-conditional", conditional),
	GROUP("ivo://taproom/ADQL#features-extensions", extensions),
};

const vosi_output_format *vosi_output_formats(size_t *out_n)
{
	*out_n = sizeof output_formats / sizeof output_formats[0];
	return output_formats;
}

const vosi_feature_group *vosi_feature_groups(size_t *out_n)
{
	*out_n = sizeof feature_groups / sizeof feature_groups[0];
	return feature_groups;
}

/* ---- writing --------------------------------------------------------------------------------- */

static void text(strbuf *sb, const char *s) { xml_escape_str(sb, s); }

/* One <interface> with one <accessURL> (one interface per security method, VOResource 1.2: this
 * service has none).  role and version may be NULL. */
static void interface(strbuf *sb, const char *type, const char *role, const char *version, const char *use,
                      const char *base_url, const char *path)
{
	strbuf_printf(sb, "    <interface xsi:type=\"%s\"", type);
	if (role)
		strbuf_printf(sb, " role=\"%s\"", role);
	if (version)
		strbuf_printf(sb, " version=\"%s\"", version);
	strbuf_printf(sb, ">\n      <accessURL use=\"%s\">", use);
	text(sb, base_url);
	text(sb, path);
	strbuf_puts(sb, "</accessURL>\n    </interface>\n");
}

/* A capability of a VOSI or DALI resource below the root: one interface, the resource's full URL. */
static void simple_capability(strbuf *sb, const char *standard_id, const char *iface_type, const char *base_url,
                              const char *path)
{
	strbuf_printf(sb, "  <capability standardID=\"%s\">\n", standard_id);
	interface(sb, iface_type, NULL, NULL, "full", base_url, path);
	strbuf_puts(sb, "  </capability>\n");
}

/* TAPRegExt 1.0 §2.3: one language, ADQL, in both versions the parser accepts (LANG=ADQL-2.0 and
 * ADQL-2.1 run the same 2.1 grammar, a superset), with every optional feature. */
static void write_language(strbuf *sb)
{
	strbuf_puts(sb, "    <language>\n"
	                "      <name>ADQL</name>\n"
	                "      <version ivo-id=\"ivo://ivoa.net/std/ADQL#v2.0\">2.0</version>\n"
	                "      <version ivo-id=\"ivo://ivoa.net/std/ADQL#v2.1\">2.1</version>\n"
	                "      <description>ADQL 2.1 (ADQL 2.0 queries are accepted too), translated to MariaDB/MySQL"
	                " SQL</description>\n");
	for (size_t g = 0; g < sizeof feature_groups / sizeof feature_groups[0]; g++) {
		const vosi_feature_group *grp = &feature_groups[g];
		strbuf_printf(sb, "      <languageFeatures type=\"%s\">\n", grp->type);
		for (size_t i = 0; i < grp->n_features; i++) {
			strbuf_puts(sb, "        <feature>\n          <form>");
			text(sb, grp->features[i].form);
			strbuf_puts(sb, "</form>\n          <description>");
			text(sb, grp->features[i].description);
			strbuf_puts(sb, "</description>\n        </feature>\n");
		}
		strbuf_puts(sb, "      </languageFeatures>\n");
	}
	strbuf_puts(sb, "    </language>\n");
}

/* TAPRegExt 1.0 §2.4: each format with its media type and the shorthands RESPONSEFORMAT takes. */
static void write_output_formats(strbuf *sb)
{
	for (size_t i = 0; i < sizeof output_formats / sizeof output_formats[0]; i++) {
		const vosi_output_format *f = &output_formats[i];
		strbuf_puts(sb, "    <outputFormat");
		if (f->ivo_id)
			strbuf_printf(sb, " ivo-id=\"%s\"", f->ivo_id);
		strbuf_puts(sb, ">\n      <mime>");
		text(sb, f->mime);
		strbuf_puts(sb, "</mime>\n");
		for (size_t k = 0; k < sizeof f->aliases / sizeof f->aliases[0] && f->aliases[k]; k++) {
			strbuf_puts(sb, "      <alias>");
			text(sb, f->aliases[k]);
			strbuf_puts(sb, "</alias>\n");
		}
		strbuf_puts(sb, "    </outputFormat>\n");
	}
}

/* TAPRegExt 1.0 §2.5-2.7, in the schema's order: upload methods, retention period, execution
 * duration, output limit, upload limit. */
static void write_limits(strbuf *sb, const tr_config *cfg)
{
	/* TAPRegExt 1.0 §2.5: inline uploads (UPLOAD=name,param:PART); by http:// and https:// URL only
	 * when the operator enabled it (upload.allow_urls), each scheme its own standard method. */
	strbuf_puts(sb, "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-inline\"/>\n");
	if (cfg->upload_allow_urls)
		strbuf_puts(sb, "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-http\"/>\n"
		                "    <uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-https\"/>\n");
	/* TAPRegExt 1.0 §2.6, §2.7: what a client may ask of an async job (UWS DESTRUCTION and
	 * EXECUTIONDURATION): the defaults new jobs get and the ceilings requests are lowered to.
	 * Synchronous queries have their own fixed limit, limits.query_timeout. */
	strbuf_printf(sb, "    <retentionPeriod>\n      <default>%d</default>\n      <hard>%d</hard>\n"
	                  "    </retentionPeriod>\n",
	              cfg->destruction, cfg->max_destruction);
	strbuf_printf(sb, "    <executionDuration>\n      <default>%d</default>\n      <hard>%d</hard>\n"
	                  "    </executionDuration>\n",
	              cfg->execution_duration, cfg->max_execution_duration);
	/* TAP 1.1 §2.7.4: MAXREC defaults to maxrec_default and is lowered to maxrec_max. */
	strbuf_printf(sb, "    <outputLimit>\n      <default unit=\"row\">%d</default>\n"
	                  "      <hard unit=\"row\">%d</hard>\n    </outputLimit>\n",
	              cfg->maxrec_default, cfg->maxrec_max);
	/* TAPRegExt 1.0 §2.8: the uploaded tables of one request together (upload.max_bytes). */
	strbuf_printf(sb, "    <uploadLimit>\n      <hard unit=\"byte\">%d</hard>\n    </uploadLimit>\n",
	              cfg->upload_max_bytes);
}

int vosi_capabilities_write(const tr_config *cfg, const char *base_url, strbuf *sb, tr_err *err)
{
	strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	                "<vosi:capabilities xmlns:vosi=\"http://www.ivoa.net/xml/VOSICapabilities/v1.0\"\n"
	                "    xmlns:vr=\"http://www.ivoa.net/xml/VOResource/v1.0\"\n"
	                "    xmlns:vs=\"http://www.ivoa.net/xml/VODataService/v1.1\"\n"
	                "    xmlns:tr=\"http://www.ivoa.net/xml/TAPRegExt/v1.0\"\n"
	                "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n");

	/* TAP 1.1 §2.4: the TAP standardID, and the interface version says 1.1; its base URL is the
	 * service root, below which clients find /sync and /async. */
	strbuf_puts(sb, "  <capability standardID=\"ivo://ivoa.net/std/TAP\" xsi:type=\"tr:TableAccess\">\n");
	interface(sb, "vs:ParamHTTP", "std", "1.1", "base", base_url, "");
	write_language(sb);
	write_output_formats(sb);
	write_limits(sb, cfg);
	strbuf_puts(sb, "  </capability>\n");

	/* TAP 1.1 §2.4 (sample capabilities): the sync and async resources declared on their own. */
	strbuf_puts(sb, "  <capability standardID=\"ivo://ivoa.net/std/TAP#sync-1.1\">\n");
	interface(sb, "vs:ParamHTTP", "std", "1.1", "base", base_url, "/sync");
	strbuf_puts(sb, "  </capability>\n");
	strbuf_puts(sb, "  <capability standardID=\"ivo://ivoa.net/std/TAP#async-1.1\">\n");
	interface(sb, "vs:ParamHTTP", "std", "1.1", "base", base_url, "/async");
	strbuf_puts(sb, "  </capability>\n");

	/* VOSI 1.1 §4: the support interfaces, with their full URLs; tables-1.1 announces
	 * detail=min and the /tables/NAME children. */
	simple_capability(sb, "ivo://ivoa.net/std/VOSI#capabilities", "vs:ParamHTTP", base_url, "/capabilities");
	simple_capability(sb, "ivo://ivoa.net/std/VOSI#availability", "vs:ParamHTTP", base_url, "/availability");
	simple_capability(sb, "ivo://ivoa.net/std/VOSI#tables-1.1", "vs:ParamHTTP", base_url, "/tables");
	/* DALI 1.1 §2.3 and TAP 1.1 §2.6: a page for browsers, hence vr:WebBrowser. */
	simple_capability(sb, "ivo://ivoa.net/std/DALI#examples", "vr:WebBrowser", base_url, "/examples");

	strbuf_puts(sb, "</vosi:capabilities>\n");
	if (strbuf_failed(sb))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory writing the capabilities document");
	return TR_OK;
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

/* Whether an authority ("host", "host:port", "[v6]", "[v6]:port") names a port. */
static int has_port(const char *host)
{
	const char *p = host[0] == '[' ? strchr(host, ']') : host;
	return p != NULL && strchr(p, ':') != NULL;
}

const char *vosi_base_url(const tr_config *cfg, const http_request *req, arena *a)
{
	const char *base;
	if (cfg->base_url[0]) {
		base = cfg->base_url;
	} else {
		/* Web servers pass the Host header without its port (Debian's nginx sets HTTP_HOST to
		 * $host), so the port the request came in on is added unless it is the scheme's default
		 * (RFC 9110 §4.2).  Behind a proxy that changes ports, base_url must be set. */
		const char *port = http_request_env(req, "SERVER_PORT");
		const char *def = strcmp(req->scheme, "https") == 0 ? "443" : "80";
		if (port && port[0] && strcmp(port, def) != 0 && !has_port(req->host))
			base = arena_printf(a, "%s://%s:%s%s", req->scheme, req->host, port, cfg->base_path);
		else
			base = arena_printf(a, "%s://%s%s", req->scheme, req->host, cfg->base_path);
	}
	if (base == NULL)
		return NULL;
	size_t n = strlen(base);
	/* "https://x/tap/" and "https://x/tap" name the same root; the children get one '/'. */
	if (n > 0 && base[n - 1] == '/')
		return arena_strndup(a, base, n - 1);
	return base;
}

int tap_capabilities(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	const char *base = vosi_base_url(ctx->cfg, ctx->req, ctx->a);
	strbuf doc = STRBUF_INIT(0);
	if (base == NULL || vosi_capabilities_write(ctx->cfg, base, &doc, &err) < 0) {
		strbuf_free(&doc);
		return http_send_text(ctx->resp, 500, "out of memory");
	}
	http_set_content_type(ctx->resp, "text/xml; charset=utf-8");
	int rc = http_write(ctx->resp, strbuf_str(&doc), strbuf_len(&doc));
	strbuf_free(&doc);
	return rc < 0 ? rc : http_flush(ctx->resp);
}
