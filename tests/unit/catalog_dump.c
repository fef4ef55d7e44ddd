/* catalog_dump: see catalog_dump.h. */
#include "config.h"

#include "catalog_dump.h"

static void str_or_null(strbuf *sb, const char *label, const char *s)
{
	if (s)
		strbuf_printf(sb, " %s=[%s]", label, s);
}

static void long_or_null(strbuf *sb, const char *label, long v)
{
	if (v != CATALOG_NULL_INT)
		strbuf_printf(sb, " %s=%ld", label, v);
}

static void dump_column(const catalog_column *col, strbuf *sb)
{
	strbuf_printf(sb, "  column %s db=%s type=%s flags=%d%d%d%d%d", col->name, col->db_name, col->datatype,
	              col->is_indexed, col->is_principal, col->is_std, col->is_primary, col->is_nullable);
	str_or_null(sb, "arraysize", col->arraysize);
	str_or_null(sb, "xtype", col->xtype);
	long_or_null(sb, "size", col->size);
	str_or_null(sb, "descr", col->description);
	str_or_null(sb, "utype", col->utype);
	str_or_null(sb, "unit", col->unit);
	str_or_null(sb, "ucd", col->ucd);
	long_or_null(sb, "index", col->column_index);
	strbuf_putc(sb, '\n');
}

static void dump_key(const catalog_key *key, strbuf *sb)
{
	strbuf_printf(sb, "  key %s -> %s", key->key_id, key->target->name);
	for (size_t p = 0; p < key->n_columns; p++)
		strbuf_printf(sb, " (%s=%s)", key->columns[p].from->name, key->columns[p].target->name);
	str_or_null(sb, "utype", key->utype);
	str_or_null(sb, "descr", key->description);
	strbuf_putc(sb, '\n');
}

void catalog_dump_schema(const catalog_schema *s, strbuf *sb)
{
	strbuf_printf(sb, "schema %s", s->name);
	str_or_null(sb, "utype", s->utype);
	str_or_null(sb, "descr", s->description);
	long_or_null(sb, "index", s->schema_index);
	strbuf_putc(sb, '\n');
	for (size_t j = 0; j < s->n_tables; j++) {
		const catalog_table *t = s->tables[j];
		strbuf_printf(sb, " table %s type=%s db=%s.%s", t->name, t->table_type, t->db_schema, t->db_table);
		str_or_null(sb, "utype", t->utype);
		str_or_null(sb, "descr", t->description);
		long_or_null(sb, "index", t->table_index);
		strbuf_putc(sb, '\n');
		for (size_t k = 0; k < t->n_columns; k++)
			dump_column(t->columns[k], sb);
		for (size_t k = 0; k < t->n_keys; k++)
			dump_key(t->keys[k], sb);
	}
}

void catalog_dump(const catalog *c, strbuf *sb)
{
	for (size_t i = 0; i < catalog_n_schemas(c); i++)
		catalog_dump_schema(catalog_schema_at(c, i), sb);
}
