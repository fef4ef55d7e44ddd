/* catalog_xml: builds a catalog from a VODataService 1.2 tableset document (VOSI 1.1 /tables).
 *
 * Streaming with expat: the document is never held in memory, column strings live in an arena
 * reset after each column.  Names are matched by local name, so any prefix (vosi:, vs:, none)
 * works.  Must not guess: an element in the wrong place or a missing name is an error with the
 * file and line.  VODataService 1.2 XSD types (vs:TableSet, vs:Table, vs:TableParam, vs:ForeignKey),
 * VOSI 1.1 (the tables endpoint), TAP 1.1 §4.3 (the "size" rule). */
#include "config.h"

#include "tap/catalog.h"

#include "util/arena.h"
#include "util/strbuf.h"

#include <errno.h>
#include "util/xmlname.h"

#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CX_READ_CHUNK (64 * 1024) /* bytes read from the file per XML_Parse call */
#define CX_MAX_DEPTH 16          /* structural nesting: tableset/schema/table/foreignKey/fkColumn/leaf is 6 */

typedef enum cx_kind {
	CX_NONE = 0,  /* no element open yet */
	CX_TABLESET,  /* the root */
	CX_SCHEMA,
	CX_TABLE,
	CX_COLUMN,
	CX_DATATYPE,  /* text: the datatype; attributes: arraysize, extendedType, size */
	CX_FLAG,      /* text: one column flag */
	CX_FKEY,
	CX_FKCOLUMN,
	CX_LEAF,      /* text into one field (name, description, unit ...) */
} cx_kind;

/* Elements that have one required parent.  Placed anywhere else they are an error ("<column>
 * outside a <table>"), unlike unknown elements, which are skipped with their content. */
static const struct cx_rule {
	const char *name;  /* local name */
	cx_kind parent;    /* the only allowed parent */
	cx_kind kind;      /* what it opens */
} cx_rules[] = {
	{ "tableset", CX_NONE, CX_TABLESET },
	{ "schema", CX_TABLESET, CX_SCHEMA },
	{ "table", CX_SCHEMA, CX_TABLE },
	{ "column", CX_TABLE, CX_COLUMN },
	{ "foreignKey", CX_TABLE, CX_FKEY },
	{ "dataType", CX_COLUMN, CX_DATATYPE },
	{ "flag", CX_COLUMN, CX_FLAG },
	{ "fkColumn", CX_FKEY, CX_FKCOLUMN },
	{ "targetTable", CX_FKEY, CX_LEAF },
	{ "fromColumn", CX_FKCOLUMN, CX_LEAF },
	{ "targetColumn", CX_FKCOLUMN, CX_LEAF },
};

static const char *const cx_kind_names[] = {
	[CX_NONE] = "document", [CX_TABLESET] = "tableset", [CX_SCHEMA] = "schema", [CX_TABLE] = "table",
	[CX_COLUMN] = "column", [CX_DATATYPE] = "dataType", [CX_FLAG] = "flag", [CX_FKEY] = "foreignKey",
	[CX_FKCOLUMN] = "fkColumn", [CX_LEAF] = "text element",
};

/* A foreignKey, kept until the end of the document because its target table may come later. */
typedef struct cx_pair {
	struct cx_pair *next;
	const char *from, *target; /* fromColumn, targetColumn */
	unsigned long line;        /* of the <fkColumn> */
} cx_pair;

typedef struct cx_fkey {
	struct cx_fkey *next;
	catalog_key_def def;     /* key_id synthesized, from_table = the enclosing table */
	cx_pair *pairs, **pairs_tail;
	unsigned long line;      /* of the <foreignKey> */
} cx_fkey;

struct catalog_xml_reader {
	arena *scratch;          /* the reader, schema/table strings, pending keys; destroyed at the end */
	arena *item;             /* column strings: reset after every column */
	catalog *cat;            /* being built; freed unless handed out */
	XML_Parser parser;
	const char *name;        /* file name for messages */
	tr_err err;              /* the first error; later feeds just return it */
	strbuf text;             /* character data of the open text element */
	cx_kind stack[CX_MAX_DEPTH]; /* open structural elements */
	size_t depth;            /* entries used in stack */
	size_t skip;             /* > 0: inside an unknown element, this many levels deep */
	const char **text_dst;   /* where the open CX_LEAF's text goes; NULL: discarded */
	char leaf_name[16];      /* local name of the open leaf, for messages (known names are shorter) */
	const char *ignored;     /* destination of text we do not keep (title, nrows) */
	const char *flag;        /* text of the open <flag> */
	long n_schemas;          /* schemas seen, for schema_index */
	/* the open schema */
	catalog_schema_def schema;
	unsigned long schema_line;
	int is_schema_added;
	long n_tables;           /* tables in the open schema, for table_index */
	/* the open table */
	catalog_table_def table;
	unsigned long table_line;
	int is_table_added;
	long n_columns;          /* columns in the open table, for column_index */
	long n_fkeys;            /* foreign keys in the open table, for key_id */
	/* the open column, its dataType and the open foreign key */
	catalog_column_def column;
	unsigned long column_line;
	const char *size_attr;   /* dataType/@size (vs:TAPType) */
	cx_fkey *fkey;
	cx_pair *pair;
	cx_fkey *fkeys, **fkeys_tail; /* complete foreign keys, in document order */
};

/* ---- errors --------------------------------------------------------------------------------- */

static unsigned long cur_line(const catalog_xml_reader *r) { return (unsigned long)XML_GetCurrentLineNumber(r->parser); }

/* Records "NAME:LINE: message" (first error wins) and stops the parser. */
__attribute__((format(printf, 4, 5))) static void fail_at(catalog_xml_reader *r, int code, unsigned long line,
                                                         const char *fmt, ...)
{
	if (!tr_err_isset(&r->err)) {
		char msg[TR_ERR_MSG_MAX];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		if (code == TR_ENOMEM)
			tr_err_set(&r->err, code, -1, 0, "%s", msg);
		else if (line)
			tr_err_set(&r->err, code, -1, 0, "%s:%lu: %s", r->name, line, msg);
		else
			tr_err_set(&r->err, code, -1, 0, "%s: %s", r->name, msg);
	}
	XML_StopParser(r->parser, XML_FALSE);
}

static int oom_at(catalog_xml_reader *r)
{
	fail_at(r, TR_ENOMEM, 0, "out of memory reading %s", r->name);
	return -1;
}

/* Passes on a builder error, located at line. */
static int builder_failed(catalog_xml_reader *r, const tr_err *e, unsigned long line)
{
	fail_at(r, e->code == TR_ENOMEM ? TR_ENOMEM : TR_ECONFIG, line, "%s", e->msg);
	return -1;
}

/* ---- small helpers -------------------------------------------------------------------------- */


static int is_xml_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* A copy of s with xs:token whitespace rules applied (trimmed, runs collapsed to one space);
 * NULL for an empty result or when out of memory (*out_oom). */
static const char *token_dup(arena *a, const char *s, int *out_oom)
{
	*out_oom = 0;
	while (is_xml_space(*s))
		s++;
	if (*s == '\0')
		return NULL;
	char *out = arena_strdup(a, s);
	if (out == NULL) {
		*out_oom = 1;
		return NULL;
	}
	size_t w = 0;
	for (size_t i = 0; out[i]; i++) {
		if (is_xml_space(out[i])) {
			if (w && out[w - 1] != ' ')
				out[w++] = ' ';
		} else {
			out[w++] = out[i];
		}
	}
	if (w && out[w - 1] == ' ')
		w--;
	out[w] = '\0';
	return out;
}

/* Positive decimal integer, or -1. */
static long parse_positive(const char *s)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return (errno || *end != '\0' || v <= 0) ? -1 : v;
}

/* TAP 1.1 §4.3: "size" is the arraysize as an integer without a trailing '*', NULL for scalars and
 * multi-dimensional arrays. */
static long size_from_arraysize(const char *arraysize)
{
	if (arraysize == NULL)
		return CATALOG_NULL_INT;
	size_t n = strlen(arraysize);
	if (n && arraysize[n - 1] == '*')
		n--;
	if (n == 0 || n > 18 || strspn(arraysize, "0123456789") != n)
		return CATALOG_NULL_INT;
	return strtol(arraysize, NULL, 10);
}

/* ---- committing what the document described ------------------------------------------------- */

static int add_schema(catalog_xml_reader *r)
{
	if (r->is_schema_added)
		return 0;
	if (r->schema.name == NULL) {
		fail_at(r, TR_ECONFIG, r->schema_line, "<schema> without a <name>");
		return -1;
	}
	tr_err e = TR_ERR_INIT;
	if (catalog_add_schema(r->cat, &r->schema, &e))
		return builder_failed(r, &e, r->schema_line);
	r->is_schema_added = 1;
	return 0;
}

static int add_table(catalog_xml_reader *r)
{
	if (r->is_table_added)
		return 0;
	if (r->table.name == NULL) {
		fail_at(r, TR_ECONFIG, r->table_line, "<table> without a <name>");
		return -1;
	}
	r->table.schema_name = r->schema.name;
	tr_err e = TR_ERR_INIT;
	if (catalog_add_table(r->cat, &r->table, &e))
		return builder_failed(r, &e, r->table_line);
	r->is_table_added = 1;
	return 0;
}

static void add_column(catalog_xml_reader *r)
{
	catalog_column_def *d = &r->column;
	if (d->name == NULL) {
		fail_at(r, TR_ECONFIG, r->column_line, "<column> without a <name>");
		return;
	}
	if (d->datatype == NULL) {
		fail_at(r, TR_ECONFIG, r->column_line, "column \"%s\" has no <dataType> (TAP 1.1 section 4.3 requires one)",
		        d->name);
		return;
	}
	d->table_name = r->table.name;
	if (r->size_attr) {
		d->size = parse_positive(r->size_attr);
		if (d->size < 0) {
			fail_at(r, TR_ECONFIG, r->column_line, "column \"%s\": size=\"%s\" is not a positive integer", d->name,
			        r->size_attr);
			return;
		}
	} else {
		d->size = size_from_arraysize(d->arraysize);
	}
	tr_err e = TR_ERR_INIT;
	if (catalog_add_column(r->cat, d, &e))
		builder_failed(r, &e, r->column_line);
	arena_reset(r->item);
}

/* The pending foreign keys, now that every table is known. */
static int add_fkeys(catalog_xml_reader *r)
{
	for (cx_fkey *k = r->fkeys; k; k = k->next) {
		tr_err e = TR_ERR_INIT;
		if (catalog_add_key(r->cat, &k->def, &e))
			return builder_failed(r, &e, k->line);
		for (cx_pair *p = k->pairs; p; p = p->next)
			if (catalog_add_key_column(r->cat, k->def.key_id, p->from, p->target, &e))
				return builder_failed(r, &e, p->line);
	}
	return 0;
}

/* ---- expat handlers ------------------------------------------------------------------------- */

/* Where the text of leaf `name` under `parent` goes; NULL when it is no leaf there. */
static const char **leaf_slot(catalog_xml_reader *r, cx_kind parent, const char *name)
{
	int is_name = strcmp(name, "name") == 0, is_descr = strcmp(name, "description") == 0;
	int is_utype = strcmp(name, "utype") == 0;
	switch (parent) {
	case CX_SCHEMA:
		return is_name ? &r->schema.name : is_descr ? &r->schema.description : is_utype ? &r->schema.utype
		     : strcmp(name, "title") == 0 ? &r->ignored : NULL;
	case CX_TABLE:
		if (strcmp(name, "title") == 0 || strcmp(name, "nrows") == 0)
			return &r->ignored;
		return is_name ? &r->table.name : is_descr ? &r->table.description : is_utype ? &r->table.utype : NULL;
	case CX_COLUMN:
		if (strcmp(name, "unit") == 0)
			return &r->column.unit;
		if (strcmp(name, "ucd") == 0)
			return &r->column.ucd;
		return is_name ? &r->column.name : is_descr ? &r->column.description : is_utype ? &r->column.utype : NULL;
	case CX_FKEY:
		if (strcmp(name, "targetTable") == 0)
			return &r->fkey->def.target_table;
		return is_descr ? &r->fkey->def.description : is_utype ? &r->fkey->def.utype : NULL;
	case CX_FKCOLUMN:
		return strcmp(name, "fromColumn") == 0 ? &r->pair->from : strcmp(name, "targetColumn") == 0 ? &r->pair->target
		                                                                                             : NULL;
	default:
		return NULL;
	}
}

/* Sets up the entity an element opens; 0 or -1 (error recorded). */
static int open_element(catalog_xml_reader *r, cx_kind kind, const char **atts)
{
	unsigned long line = cur_line(r);
	switch (kind) {
	case CX_SCHEMA:
		memset(&r->schema, 0, sizeof r->schema);
		r->schema.schema_index = ++r->n_schemas;
		r->schema_line = line;
		r->is_schema_added = 0;
		r->n_tables = 0;
		return 0;
	case CX_TABLE: {
		if (add_schema(r))
			return -1;
		memset(&r->table, 0, sizeof r->table);
		const char *type = xmlname_attr(atts, "type");
		/* TAP 1.1 §4.2 knows "table" and "view"; VODataService's "output" and "base_table" are tables. */
		r->table.table_type = (type && strcmp(type, "view") == 0) ? "view" : "table";
		r->table.table_index = ++r->n_tables;
		r->table_line = line;
		r->is_table_added = 0;
		r->n_columns = r->n_fkeys = 0;
		return 0;
	}
	case CX_COLUMN: {
		if (add_table(r))
			return -1;
		memset(&r->column, 0, sizeof r->column);
		r->column.column_index = ++r->n_columns;
		r->column_line = line;
		r->size_attr = NULL;
		const char *std = xmlname_attr(atts, "std");
		r->column.is_std = std && (strcmp(std, "true") == 0 || strcmp(std, "1") == 0);
		return 0;
	}
	case CX_DATATYPE: {
		if (r->column.datatype) {
			fail_at(r, TR_ECONFIG, line, "column has two <dataType> elements");
			return -1;
		}
		const char *v;
		int oom = 0;
		/* xsi:type (vs:VOTableType or vs:TAPType) only tells which names to expect; both are kept
		 * as written.  extendedType without extendedSchema is a DALI xtype (VODataService 1.2, vs:DataType). */
		if ((v = xmlname_attr(atts, "arraysize")))
			r->column.arraysize = token_dup(r->item, v, &oom);
		if (!oom && (v = xmlname_attr(atts, "extendedType")))
			r->column.xtype = token_dup(r->item, v, &oom);
		if (!oom && (v = xmlname_attr(atts, "size")))
			r->size_attr = token_dup(r->item, v, &oom);
		return oom ? oom_at(r) : 0;
	}
	case CX_FKEY: {
		if (add_table(r))
			return -1;
		cx_fkey *k = arena_zalloc(r->scratch, sizeof *k);
		if (k == NULL)
			return oom_at(r);
		/* VODataService keys have no id; TAP_SCHEMA needs a unique one. */
		k->def.key_id = arena_printf(r->scratch, "%s#%ld", r->table.name, ++r->n_fkeys);
		k->def.from_table = r->table.name;
		k->pairs_tail = &k->pairs;
		k->line = line;
		if (k->def.key_id == NULL)
			return oom_at(r);
		r->fkey = k;
		return 0;
	}
	case CX_FKCOLUMN:
		r->pair = arena_zalloc(r->scratch, sizeof *r->pair);
		if (r->pair == NULL)
			return oom_at(r);
		r->pair->line = line;
		return 0;
	default:
		return 0;
	}
}

static void XMLCALL on_start(void *ud, const XML_Char *qname, const XML_Char **atts)
{
	catalog_xml_reader *r = ud;
	if (tr_err_isset(&r->err))
		return;
	if (r->skip) {
		r->skip++;
		return;
	}
	const char *name = xmlname_local(qname);
	cx_kind parent = r->depth ? r->stack[r->depth - 1] : CX_NONE;
	unsigned long line = cur_line(r);
	if (parent == CX_LEAF || parent == CX_DATATYPE || parent == CX_FLAG) {
		fail_at(r, TR_ECONFIG, line, "unexpected <%s> inside <%s>", name,
		        parent == CX_LEAF ? r->leaf_name : cx_kind_names[parent]);
		return;
	}

	cx_kind kind = CX_NONE;
	for (size_t i = 0; i < sizeof cx_rules / sizeof cx_rules[0]; i++) {
		if (strcmp(cx_rules[i].name, name) != 0)
			continue;
		if (cx_rules[i].parent != parent) {
			if (parent == CX_NONE)
				break; /* a wrong root: reported below */
			if (cx_rules[i].parent == CX_NONE)
				fail_at(r, TR_ECONFIG, line, "<%s> must be the root element", name);
			else
				fail_at(r, TR_ECONFIG, line, "<%s> outside a <%s>", name, cx_kind_names[cx_rules[i].parent]);
			return;
		}
		kind = cx_rules[i].kind;
	}
	if (parent == CX_NONE && kind != CX_TABLESET) {
		fail_at(r, TR_ECONFIG, line, "root element is <%s>, not a VODataService <tableset>", name);
		return;
	}
	const char **dst = NULL;
	if (kind == CX_NONE || kind == CX_LEAF) {
		dst = leaf_slot(r, parent, name);
		if (dst == NULL) {
			r->skip = 1; /* an element we do not know: skipped with its content */
			return;
		}
		if (*dst && dst != &r->ignored) {
			fail_at(r, TR_ECONFIG, line, "duplicate <%s> in <%s>", name, cx_kind_names[parent]);
			return;
		}
		kind = CX_LEAF;
	}
	if (r->depth == CX_MAX_DEPTH) { /* cannot happen with the rules above; kept as a hard bound */
		fail_at(r, TR_ECONFIG, line, "elements nested deeper than %d", CX_MAX_DEPTH);
		return;
	}
	if (open_element(r, kind, atts))
		return;
	r->text_dst = dst;
	if (kind == CX_LEAF)
		snprintf(r->leaf_name, sizeof r->leaf_name, "%s", name);
	if (kind == CX_DATATYPE)
		r->text_dst = &r->column.datatype;
	if (kind == CX_FLAG)
		r->text_dst = &r->flag;
	strbuf_reset(&r->text);
	r->stack[r->depth++] = kind;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	catalog_xml_reader *r = ud;
	if (r->skip || r->depth == 0 || tr_err_isset(&r->err))
		return;
	cx_kind k = r->stack[r->depth - 1];
	if (k != CX_LEAF && k != CX_DATATYPE && k != CX_FLAG)
		return; /* whitespace between elements */
	strbuf_add(&r->text, s, (size_t)len);
	if (strbuf_failed(&r->text))
		fail_at(r, TR_ECONFIG, cur_line(r), "text longer than %d bytes", CATALOG_MAX_TEXT);
}

/* VODataService 1.2 vs:TableParam flags, plus "std" and "principal" that some services write as flags. */
static void apply_flag(catalog_xml_reader *r)
{
	const char *f = r->flag;
	r->flag = NULL;
	if (f == NULL)
		return;
	if (strcmp(f, "indexed") == 0)
		r->column.is_indexed = 1;
	else if (strcmp(f, "primary") == 0)
		r->column.is_primary = 1;
	else if (strcmp(f, "nullable") == 0)
		r->column.is_nullable = 1;
	else if (strcmp(f, "std") == 0)
		r->column.is_std = 1;
	else if (strcmp(f, "principal") == 0)
		r->column.is_principal = 1;
	/* other values are allowed and carry nothing for TAP_SCHEMA */
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
	(void)qname;
	catalog_xml_reader *r = ud;
	/* expat still reports the end of an empty element whose start handler stopped the parser */
	if (tr_err_isset(&r->err))
		return;
	if (r->skip) {
		r->skip--;
		return;
	}
	cx_kind kind = r->stack[--r->depth];
	if (r->text_dst) {
		int oom = 0;
		/* text inside a column dies with the column; everything else lives until the end */
		arena *a = (r->depth >= 1 && r->stack[r->depth - 1] == CX_COLUMN) ? r->item : r->scratch;
		*r->text_dst = token_dup(a, strbuf_str(&r->text), &oom);
		r->text_dst = NULL;
		if (oom) {
			oom_at(r);
			return;
		}
	}
	switch (kind) {
	case CX_FLAG:
		apply_flag(r);
		break;
	case CX_COLUMN:
		add_column(r);
		break;
	case CX_TABLE:
		add_table(r);
		break;
	case CX_SCHEMA:
		add_schema(r);
		break;
	case CX_FKCOLUMN:
		if (r->pair->from == NULL || r->pair->target == NULL) {
			fail_at(r, TR_ECONFIG, r->pair->line, "<fkColumn> without a <%s>",
			        r->pair->from ? "targetColumn" : "fromColumn");
			break;
		}
		*r->fkey->pairs_tail = r->pair;
		r->fkey->pairs_tail = &r->pair->next;
		r->pair = NULL;
		break;
	case CX_FKEY:
		if (r->fkey->def.target_table == NULL || r->fkey->pairs == NULL) {
			fail_at(r, TR_ECONFIG, r->fkey->line, "<foreignKey> without %s",
			        r->fkey->pairs ? "a <targetTable>" : "an <fkColumn>");
			break;
		}
		*r->fkeys_tail = r->fkey;
		r->fkeys_tail = &r->fkey->next;
		r->fkey = NULL;
		break;
	default:
		break;
	}
}

/* ---- the reader ----------------------------------------------------------------------------- */

static void free_parser(void *p) { XML_ParserFree(p); }
static void free_text(void *sb) { strbuf_free(sb); }
static void free_arena(void *a) { arena_destroy(a); }

catalog_xml_reader *catalog_xml_begin(const char *name, tr_err *err)
{
	arena *scratch = arena_create(0, CATALOG_MAX_BYTES);
	catalog_xml_reader *r = scratch ? arena_zalloc(scratch, sizeof *r) : NULL;
	if (r == NULL) {
		arena_destroy(scratch);
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading %s", name);
		return NULL;
	}
	r->scratch = scratch;
	r->err = (tr_err)TR_ERR_INIT;
	strbuf_init(&r->text, CATALOG_MAX_TEXT);
	r->fkeys_tail = &r->fkeys;
	r->name = arena_strdup(scratch, name);
	if (r->name == NULL || arena_on_destroy(scratch, free_text, &r->text) ||
	    (r->item = arena_create(0, CATALOG_MAX_BYTES)) == NULL || arena_on_destroy(scratch, free_arena, r->item) ||
	    (r->parser = XML_ParserCreateNS(NULL, XMLNAME_NS_SEP)) == NULL ||
	    arena_on_destroy(scratch, free_parser, r->parser)) {
		arena_destroy(scratch);
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading %s", name);
		return NULL;
	}
	r->cat = catalog_new(err);
	if (r->cat == NULL) {
		arena_destroy(scratch);
		return NULL;
	}
	XML_SetUserData(r->parser, r);
	XML_SetElementHandler(r->parser, on_start, on_end);
	XML_SetCharacterDataHandler(r->parser, on_text);
	return r;
}

void catalog_xml_abort(catalog_xml_reader *r)
{
	if (r == NULL)
		return;
	catalog_free(r->cat);
	arena_destroy(r->scratch);
}

/* Parses one piece; records expat's own errors with line and column. */
static int parse(catalog_xml_reader *r, const char *buf, int n, int is_final)
{
	if (XML_Parse(r->parser, buf, n, is_final) == XML_STATUS_ERROR && !tr_err_isset(&r->err)) {
		enum XML_Error code = XML_GetErrorCode(r->parser);
		tr_err_set(&r->err, code == XML_ERROR_NO_MEMORY ? TR_ENOMEM : TR_ECONFIG, -1, 0,
		           "%s:%lu:%lu: not well-formed XML: %s", r->name, cur_line(r),
		           (unsigned long)XML_GetCurrentColumnNumber(r->parser) + 1, XML_ErrorString(code));
	}
	return r->err.code;
}

static int pass_error(const catalog_xml_reader *r, tr_err *err)
{
	return tr_err_set(err, r->err.code, -1, 0, "%s", r->err.msg);
}

int catalog_xml_feed(catalog_xml_reader *r, const char *buf, size_t n, tr_err *err)
{
	while (!tr_err_isset(&r->err) && n > 0) {
		int piece = n > INT_MAX ? INT_MAX : (int)n;
		parse(r, buf, piece, 0);
		buf += piece;
		n -= (size_t)piece;
	}
	return tr_err_isset(&r->err) ? pass_error(r, err) : TR_OK;
}

catalog *catalog_xml_end(catalog_xml_reader *r, tr_err *err)
{
	catalog *c = NULL;
	if (!tr_err_isset(&r->err) && parse(r, "", 0, 1) == TR_OK && add_fkeys(r) == 0) {
		tr_err e = TR_ERR_INIT;
		if (catalog_finish(r->cat, &e) == TR_OK) {
			c = r->cat;
			r->cat = NULL;
		} else {
			fail_at(r, e.code == TR_ENOMEM ? TR_ENOMEM : TR_ECONFIG, 0, "%s", e.msg);
		}
	}
	if (c == NULL)
		pass_error(r, err);
	catalog_xml_abort(r);
	return c;
}

catalog *catalog_load_xml(const char *path, tr_err *err)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		tr_err_set(err, TR_EIO, -1, 0, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	catalog_xml_reader *r = catalog_xml_begin(path, err);
	if (r == NULL) {
		fclose(f);
		return NULL;
	}
	char *buf = arena_alloc(r->scratch, CX_READ_CHUNK); /* freed with the reader */
	size_t n;
	int rc = buf ? TR_OK : tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory reading %s", path);
	while (rc == TR_OK && (n = fread(buf, 1, CX_READ_CHUNK, f)) > 0)
		rc = catalog_xml_feed(r, buf, n, err);
	if (rc == TR_OK && ferror(f))
		rc = tr_err_set(err, TR_EIO, -1, 0, "cannot read %s: %s", path, strerror(errno));
	fclose(f);
	if (rc != TR_OK) {
		catalog_xml_abort(r);
		return NULL;
	}
	return catalog_xml_end(r, err);
}
