/* vosi_tables: TAP_SCHEMA as VODataService 1.2 vs:TableSet / vs:Table documents (VOSI 1.1 §3.4).
 *
 * Must not query the database or guess metadata TAP_SCHEMA does not hold: a flag or attribute is
 * written only when the catalog says so.  Element order follows the VODataService 1.2 schema
 * (TableSchema, Table, TableParam, ForeignKey sequences); TAP 1.1 §2.6 recommends vs:VOTableType.
 * Every published string passes through xml_escape, so any description yields a well-formed document. */
#include "config.h"

#include "tap/vosi_tables.h"

#include "out/xml.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The namespaces of both roots; the child elements are unqualified (VODataService 1.2
 * elementFormDefault="unqualified"). */
#define VT_NAMESPACES                                                                                     \
	" xmlns:vosi=\"http://www.ivoa.net/xml/VOSITables/v1.0\""                                         \
	" xmlns:vs=\"http://www.ivoa.net/xml/VODataService/v1.1\""                                        \
	" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""

/* The child resource prefix below the service root (VOSI 1.1 §3.4: /tables/NAME). */
#define VT_CHILD_PREFIX "/tables/"

/* ---- small writers --------------------------------------------------------------------------- */

/* <name>text</name> at the given indent, skipped when text is NULL or empty (every optional
 * VODataService leaf is minOccurs="0"). */
static void leaf(strbuf *sb, int indent, const char *name, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	strbuf_printf(sb, "%*s<%s>", indent, "", name);
	xml_escape_str(sb, text);
	strbuf_printf(sb, "</%s>\n", name);
}

static void attr(strbuf *sb, const char *name, const char *value)
{
	strbuf_printf(sb, " %s=\"", name);
	xml_escape_attr(sb, value, strlen(value));
	strbuf_putc(sb, '"');
}

/* The VOTable 1.4 §2.1 datatypes: VODataService 1.2 vs:VOTableType accepts exactly these. */
static int is_votable_type(const char *dt)
{
	static const char *const names[] = { "boolean", "bit", "unsignedByte", "short", "int", "long", "char",
		                             "unicodeChar", "float", "double", "floatComplex", "doubleComplex" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(dt, names[i]) == 0)
			return 1;
	return 0;
}

/* A TAP 1.0 datatype ("VARCHAR", also "adql:VARCHAR" as TAP 1.0 TAP_SCHEMA often held) as
 * VODataService 1.2 vs:TAPType spells it, or NULL. */
static const char *tap_type_name(const char *dt)
{
	static const char *const names[] = { "BOOLEAN", "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "TIMESTAMP",
		                             "CHAR", "VARCHAR", "BINARY", "VARBINARY", "POINT", "REGION", "CLOB", "BLOB" };
	if (strncasecmp(dt, "adql:", 5) == 0)
		dt += 5;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(dt, names[i]) == 0)
			return names[i];
	return NULL;
}

/* <dataType>: vs:VOTableType for VOTable datatypes (TAP 1.1), vs:TAPType for TAP 1.0 ones.  A
 * datatype that is neither is left out (the element is optional) rather than published as
 * something the schema rejects. */
static void column_datatype(strbuf *sb, const catalog_column *col)
{
	const char *tap = NULL;
	if (is_votable_type(col->datatype)) {
		strbuf_puts(sb, "        <dataType xsi:type=\"vs:VOTableType\"");
	} else if ((tap = tap_type_name(col->datatype)) != NULL) {
		strbuf_puts(sb, "        <dataType xsi:type=\"vs:TAPType\"");
		if (col->size != CATALOG_NULL_INT && col->size > 0)
			strbuf_printf(sb, " size=\"%ld\"", col->size);
	} else {
		return;
	}
	if (col->arraysize && col->arraysize[0])
		attr(sb, "arraysize", col->arraysize);
	if (col->xtype && col->xtype[0])
		attr(sb, "extendedType", col->xtype);
	strbuf_putc(sb, '>');
	xml_escape_str(sb, tap ? tap : col->datatype);
	strbuf_puts(sb, "</dataType>\n");
}

/* vs:TableParam: name, description, unit, ucd, utype, dataType, flags (VODataService 1.2). */
static void write_column(strbuf *sb, const catalog_column *col)
{
	/* std="true" (TAP_SCHEMA std = 1): a standard defines the column; TAP_SCHEMA always knows. */
	strbuf_printf(sb, "      <column std=\"%s\">\n", col->is_std ? "true" : "false");
	leaf(sb, 8, "name", col->name);
	leaf(sb, 8, "description", col->description);
	leaf(sb, 8, "unit", col->unit);
	leaf(sb, 8, "ucd", col->ucd);
	leaf(sb, 8, "utype", col->utype);
	column_datatype(sb, col);
	/* VODataService 1.2 defines indexed, primary and nullable; "principal" is TAP_SCHEMA's flag,
	 * written as clients such as TOPCAT and our own tableset reader understand it. */
	if (col->is_indexed)
		strbuf_puts(sb, "        <flag>indexed</flag>\n");
	if (col->is_primary)
		strbuf_puts(sb, "        <flag>primary</flag>\n");
	if (col->is_nullable)
		strbuf_puts(sb, "        <flag>nullable</flag>\n");
	if (col->is_principal)
		strbuf_puts(sb, "        <flag>principal</flag>\n");
	strbuf_puts(sb, "      </column>\n");
}

/* vs:ForeignKey: targetTable, fkColumn+, description, utype (TAP 1.1 §4.4-4.5). */
static void write_key(strbuf *sb, const catalog_key *k)
{
	strbuf_puts(sb, "      <foreignKey>\n");
	leaf(sb, 8, "targetTable", k->target->name);
	for (size_t i = 0; i < k->n_columns; i++) {
		strbuf_puts(sb, "        <fkColumn>\n");
		leaf(sb, 10, "fromColumn", k->columns[i].from->name);
		leaf(sb, 10, "targetColumn", k->columns[i].target->name);
		strbuf_puts(sb, "        </fkColumn>\n");
	}
	leaf(sb, 8, "description", k->description);
	leaf(sb, 8, "utype", k->utype);
	strbuf_puts(sb, "      </foreignKey>\n");
}

/* The content of a vs:Table after its start tag: name, description, utype, then (full detail)
 * the columns and foreign keys.  The start tag differs between the tableset (<table>) and the
 * child resource (<vosi:table> with namespaces), so the callers write it. */
static void table_body(strbuf *sb, const catalog_table *t, vosi_detail detail)
{
	leaf(sb, 6, "name", t->name);
	leaf(sb, 6, "description", t->description);
	leaf(sb, 6, "utype", t->utype);
	if (detail == VOSI_DETAIL_MIN)
		return;
	for (size_t i = 0; i < t->n_columns; i++)
		write_column(sb, t->columns[i]);
	for (size_t i = 0; i < t->n_keys; i++)
		write_key(sb, t->keys[i]);
}

/* The table's role: TAP_SCHEMA.tables.table_type as published ("table" or "view", TAP 1.1 §4.2);
 * VODataService 1.2 leaves the values of Table/@type open. */
static void table_type_attr(strbuf *sb, const catalog_table *t)
{
	if (t->table_type && t->table_type[0])
		attr(sb, "type", t->table_type);
}

/* Hands sb to the sink and empties it (nothing to do without a sink). */
static int drain(strbuf *sb, const tr_sink *sink, tr_err *err)
{
	if (strbuf_failed(sb))
		return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory writing the tables document");
	if (sink == NULL)
		return TR_OK;
	if (sink->write(sink->ctx, strbuf_str(sb), strbuf_len(sb)) < 0)
		return tr_err_set(err, TR_EIO, -1, 0, "the client went away while the tables document was sent");
	strbuf_reset(sb);
	return TR_OK;
}

/* ---- documents ------------------------------------------------------------------------------- */

int vosi_detail_parse(const char *value, vosi_detail *out_detail, tr_err *err)
{
	*out_detail = VOSI_DETAIL_MAX;
	if (value == NULL || strcasecmp(value, "max") == 0)
		return TR_OK;
	if (strcasecmp(value, "min") == 0) {
		*out_detail = VOSI_DETAIL_MIN;
		return TR_OK;
	}
	tr_err_set(err, TR_EBADREQ, -1, 0, "DETAIL must be min or max, not \"%.32s\"", value);
	tr_err_detail(err, "VOSI 1.1 section 3.4: detail=min lists the tables only, detail=max adds the columns");
	return err->code;
}

int vosi_tables_write_tableset(const catalog *c, vosi_detail detail, strbuf *sb, const tr_sink *sink, tr_err *err)
{
	strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vosi:tableset" VT_NAMESPACES ">\n");
	size_t n_schemas = catalog_n_schemas(c);
	if (n_schemas == 0) {
		/* vs:TableSet needs one schema; VODataService 1.2 names a schema without a better name
		 * "default".  TAP_SCHEMA describes itself, so this only happens to an empty catalog. */
		strbuf_puts(sb, "  <schema>\n    <name>default</name>\n  </schema>\n");
	}
	for (size_t i = 0; i < n_schemas; i++) {
		const catalog_schema *s = catalog_schema_at(c, i);
		strbuf_puts(sb, "  <schema>\n");
		leaf(sb, 4, "name", s->name);
		leaf(sb, 4, "description", s->description);
		leaf(sb, 4, "utype", s->utype);
		for (size_t j = 0; j < s->n_tables; j++) {
			const catalog_table *t = s->tables[j];
			strbuf_puts(sb, "    <table");
			table_type_attr(sb, t);
			strbuf_puts(sb, ">\n");
			table_body(sb, t, detail);
			strbuf_puts(sb, "    </table>\n");
			int rc = drain(sb, sink, err);
			if (rc < 0)
				return rc;
		}
		strbuf_puts(sb, "  </schema>\n");
	}
	strbuf_puts(sb, "</vosi:tableset>\n");
	return drain(sb, sink, err);
}

int vosi_tables_write_table(const catalog_table *t, strbuf *sb, tr_err *err)
{
	strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vosi:table" VT_NAMESPACES);
	table_type_attr(sb, t);
	strbuf_puts(sb, ">\n");
	table_body(sb, t, VOSI_DETAIL_MAX);
	strbuf_puts(sb, "</vosi:table>\n");
	return drain(sb, NULL, err);
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

static int response_write(void *ctx, const char *p, size_t n) { return http_write(ctx, p, n); }

/* Answers 404 for a child resource that names no published table. */
static int send_unknown_table(http_response *resp, const char *name)
{
	char msg[384];
	snprintf(msg, sizeof msg, "no table \"%.256s\" is published; /tables lists the tables by name", name);
	return http_send_text(resp, 404, msg);
}

int tap_tables(tr_request_ctx *ctx)
{
	tr_err err = TR_ERR_INIT;
	const char *path = ctx->req->path;
	const size_t plen = strlen(VT_CHILD_PREFIX);
	const char *name = strncmp(path, VT_CHILD_PREFIX, plen) == 0 ? path + plen : NULL;
	vosi_detail detail = VOSI_DETAIL_MAX;
	if (name == NULL) {
		const http_param *p = http_param_find(ctx->req, "DETAIL");
		if (vosi_detail_parse(p ? p->value : NULL, &detail, &err) < 0)
			return http_send_text(ctx->resp, 400, err.msg);
	}
	const catalog *c = catalog_cache_get(ctx->catalogs, ctx->db, &err);
	if (c == NULL) {
		log_warn("tables: %s", err.msg);
		/* The message is public: it says what is wrong, not where the database lives. */
		return http_send_text(ctx->resp, 503, "table metadata unavailable: TAP_SCHEMA cannot be read now");
	}
	const catalog_table *t = NULL;
	if (name != NULL && (t = catalog_table_by_name(c, name)) == NULL)
		return send_unknown_table(ctx->resp, name);

	http_set_content_type(ctx->resp, "text/xml; charset=utf-8");
	strbuf doc = STRBUF_INIT(0);
	tr_sink sink = { response_write, ctx->resp };
	int rc = t ? vosi_tables_write_table(t, &doc, &err) : vosi_tables_write_tableset(c, detail, &doc, &sink, &err);
	if (rc == TR_OK && t && http_write(ctx->resp, strbuf_str(&doc), strbuf_len(&doc)) < 0)
		rc = tr_err_set(&err, TR_EIO, -1, 0, "the client went away while the table document was sent");
	strbuf_free(&doc);
	if (rc == TR_OK)
		return http_flush(ctx->resp);
	log_warn("tables: %s", err.msg);
	if (rc == TR_EIO)
		return rc;
	if (ctx->resp->body_bytes == 0)
		return http_send_text(ctx->resp, 500, "out of memory");
	/* Part of the tableset is out: only a cut-off transfer tells the client it is incomplete. */
	ctx->resp->is_aborted = 1;
	return http_flush(ctx->resp);
}
