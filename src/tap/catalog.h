/* catalog: the TAP_SCHEMA metadata in memory: schemas -> tables -> columns, plus foreign keys.
 *
 * The ADQL resolver resolves table and column names against it; the VOSI /tables writer walks it.
 * It never runs queries or reads files itself: catalog_db.c and catalog_xml.c fill it through the
 * builder functions below.  Implements the model of TAP 1.1 §4 (TAP_SCHEMA) and VODataService 1.2
 * (vs:TableSet); see sql/tap_schema.sql for the database side.
 *
 * Ownership: every object and string belongs to one arena owned by the catalog; pointers stay
 * valid until catalog_free().  A finished catalog is read-only and may be shared by any number of
 * readers in one process (no internal mutation on lookup). */
#ifndef TR_TAP_CATALOG_H
#define TR_TAP_CATALOG_H

#include "util/err.h"

#include <limits.h>
#include <stddef.h>

typedef struct catalog catalog;
typedef struct catalog_schema catalog_schema;
typedef struct catalog_table catalog_table;
typedef struct catalog_column catalog_column;
typedef struct catalog_key catalog_key;
typedef struct catalog_key_column catalog_key_column;

/* Value of an integer field that is NULL in TAP_SCHEMA (absent in a tableset document). */
#define CATALOG_NULL_INT LONG_MIN

/* Limits of the model, checked by the builder.  TAP_SCHEMA columns are VARCHAR(128..512) (see
 * sql/tap_schema.sql); these are far above them and only stop runaway input. */
#define CATALOG_MAX_NAME 1024             /* bytes in a schema, table, column or key name */
#define CATALOG_MAX_TEXT (1024 * 1024)    /* bytes in a description or other free text */
#define CATALOG_MAX_BYTES ((size_t)1 << 30) /* arena cap: 1 GiB, ~1000x a large archive's TAP_SCHEMA */

/* ---- the model (read-only for users; filled by the builder) -------------------------------- */

struct catalog_schema {
	const char *name;        /* schema_name as published, never NULL */
	const char *utype;       /* NULL when NULL */
	const char *description; /* NULL when NULL */
	long schema_index;       /* listing order hint, CATALOG_NULL_INT when NULL */
	catalog_table *const *tables; /* this schema's tables in iteration order (see catalog_finish) */
	size_t n_tables;
	size_t ord;              /* position in catalog iteration order, 0-based (valid after finish) */
};

struct catalog_table {
	const catalog_schema *schema; /* the schema_name row this table belongs to */
	const char *name;        /* table_name as published, e.g. "demo.catalog" or demo."Mixed" */
	const char *table_type;  /* "table" or "view" as published, never NULL */
	const char *utype;       /* NULL when NULL */
	const char *description; /* NULL when NULL */
	long table_index;        /* listing order hint, CATALOG_NULL_INT when NULL */
	/* Where the rows live in the database.  TAP 1.1 §4.2: table_name is [schema.]table; the part
	 * before the first '.' outside double quotes is the database (schema), the rest the table.
	 * Without a prefix the table lives in the database named by schema_name.  Delimiting quotes are
	 * removed and "" undoubled: these are raw names, to be quoted by the SQL translator. */
	const char *db_schema;
	const char *db_table;
	catalog_column *const *columns; /* in iteration order */
	size_t n_columns;
	catalog_key *const *keys; /* foreign keys whose from_table is this table, ordered by key_id */
	size_t n_keys;
	size_t ord;              /* position in catalog-wide table iteration order, 0-based */
	size_t id;               /* creation sequence number, 0-based; stable, used for hashing */
};

struct catalog_column {
	const catalog_table *table; /* the table_name row this column belongs to */
	const char *name;        /* column_name as published: with quotes if a delimited identifier */
	const char *db_name;     /* the name in the database: quotes removed, "" undoubled */
	const char *datatype;    /* VOTable datatype ("double", "char", ...) as published, never NULL */
	const char *arraysize;   /* VOTable arraysize ("*", "64*", "2"), NULL for scalars */
	const char *xtype;       /* DALI xtype ("timestamp", "point"), NULL when none */
	long size;               /* TAP 1.0 "size" (arraysize as integer), CATALOG_NULL_INT when NULL */
	const char *description; /* NULL when NULL */
	const char *utype;       /* NULL when NULL */
	const char *unit;        /* VOUnit string, NULL when NULL */
	const char *ucd;         /* NULL when NULL */
	int is_indexed;          /* TAP_SCHEMA indexed: 0 or 1 (VODataService flag "indexed") */
	int is_principal;        /* TAP_SCHEMA principal: 0 or 1 (no VODataService equivalent) */
	int is_std;              /* TAP_SCHEMA std: 0 or 1 (VODataService std="true" or flag "std") */
	int is_primary;          /* VODataService flag "primary"; not in TAP_SCHEMA, so 0 from the db */
	int is_nullable;         /* VODataService flag "nullable"; not in TAP_SCHEMA, so 0 from the db */
	long column_index;       /* listing order hint, CATALOG_NULL_INT when NULL */
	size_t ord;              /* position within its table's iteration order, 0-based */
};

struct catalog_key_column {
	const catalog_column *from;   /* key_columns.from_column, a column of the key's from table */
	const catalog_column *target; /* key_columns.target_column, a column of the target table */
};

struct catalog_key {
	const char *key_id;          /* as published (unique); synthesized for tableset documents */
	const catalog_table *from;   /* keys.from_table */
	const catalog_table *target; /* keys.target_table */
	const char *utype;           /* NULL when NULL */
	const char *description;     /* NULL when NULL */
	const catalog_key_column *columns; /* ordered by the from column's position in its table */
	size_t n_columns;            /* >= 1 in a finished catalog */
};

/* ---- lifetime ------------------------------------------------------------------------------ */

/* An empty catalog under construction.  NULL with TR_ENOMEM. */
catalog *catalog_new(tr_err *err) __attribute__((warn_unused_result));
/* Frees the catalog and everything in it.  NULL is accepted. */
void catalog_free(catalog *c);

/* ---- building (the loaders use these; so can tests) ----------------------------------------- */
/* Each add copies its strings into the catalog.  Errors: TR_ENOMEM; TR_ECONFIG with a short message
 * naming the object ("duplicate table "demo.t"", "no table "x"") that the loaders prefix with where
 * the row came from.  After an error the catalog must only be freed. */

typedef struct catalog_schema_def {
	const char *name;        /* required, non-empty */
	const char *utype;       /* optional (NULL) */
	const char *description; /* optional */
	long schema_index;       /* CATALOG_NULL_INT when unknown */
} catalog_schema_def;

typedef struct catalog_table_def {
	const char *schema_name; /* required: a schema added before */
	const char *name;        /* required: [schema.]table, unique (exact comparison) */
	const char *table_type;  /* required ("table" or "view"; other values are kept as given) */
	const char *utype;
	const char *description;
	long table_index;        /* CATALOG_NULL_INT when unknown */
} catalog_table_def;

typedef struct catalog_column_def {
	const char *table_name;  /* required: a table added before (exact published name) */
	const char *name;        /* required, unique within the table (exact comparison) */
	const char *datatype;    /* required */
	const char *arraysize, *xtype, *description, *utype, *unit, *ucd; /* optional */
	long size;               /* CATALOG_NULL_INT when unknown */
	int is_indexed, is_principal, is_std, is_primary, is_nullable; /* each 0 or 1 */
	long column_index;       /* CATALOG_NULL_INT when unknown */
} catalog_column_def;

typedef struct catalog_key_def {
	const char *key_id;       /* required, unique */
	const char *from_table;   /* required: a table added before */
	const char *target_table; /* required: a table added before */
	const char *utype, *description; /* optional */
} catalog_key_def;

int catalog_add_schema(catalog *c, const catalog_schema_def *def, tr_err *err)
	__attribute__((warn_unused_result));
int catalog_add_table(catalog *c, const catalog_table_def *def, tr_err *err) __attribute__((warn_unused_result));
int catalog_add_column(catalog *c, const catalog_column_def *def, tr_err *err)
	__attribute__((warn_unused_result));
int catalog_add_key(catalog *c, const catalog_key_def *def, tr_err *err) __attribute__((warn_unused_result));
/* One key_columns row: the key must exist, from_column must be a column of its from table and
 * target_column one of its target table (TAP 1.1 §4.5). */
int catalog_add_key_column(catalog *c, const char *key_id, const char *from_column, const char *target_column,
                           tr_err *err) __attribute__((warn_unused_result));

/* Checks that every key has at least one column pair, then fixes the iteration order:
 * schemas by (schema_index, name), a schema's tables by (table_index, name), a table's columns by
 * (column_index, name); NULL indexes sort after all numbers; names compare bytewise.
 * Must be called once, after the last add and before any lookup or iteration. */
int catalog_finish(catalog *c, tr_err *err) __attribute__((warn_unused_result));

/* ---- iteration (finished catalog) ----------------------------------------------------------- */

size_t catalog_n_schemas(const catalog *c);
const catalog_schema *catalog_schema_at(const catalog *c, size_t i); /* i < catalog_n_schemas */
size_t catalog_n_tables(const catalog *c);                           /* in all schemas */
size_t catalog_n_columns(const catalog *c);                          /* in all tables */
size_t catalog_n_keys(const catalog *c);

/* ---- lookups for the ADQL resolver ---------------------------------------------------------- */

/* One part of an ADQL name as the query wrote it.  A regular identifier compares ASCII
 * case-insensitively, a delimited one exactly (ADQL 2.1 §2.1.3), with the published name taken
 * without its delimiting quotes: "Ra" (delimited) matches only a column published as Ra or "Ra",
 * ra (regular) matches Ra, RA and "Ra" alike. */
typedef struct catalog_name {
	const char *s;    /* the identifier's text, quotes removed and "" undoubled; not NUL-terminated */
	size_t len;       /* bytes of s */
	int is_delimited; /* 1: compare exactly; 0: ASCII case-insensitively */
} catalog_name;

typedef enum catalog_match {
	CATALOG_FOUND = 0,     /* exactly one candidate */
	CATALOG_NOT_FOUND = 1, /* no candidate */
	CATALOG_AMBIGUOUS = 2, /* two or more candidates; ADQL needs a qualifier or the exact case */
} catalog_match;

/* Finds the table named `table`, in schema `schema` when given (NULL: any schema).  The schema
 * part is compared with the prefix of the published table_name (the db_schema) or, for unprefixed
 * names, with schema_name.  On CATALOG_FOUND *out_table is the table; on CATALOG_AMBIGUOUS it and
 * *out_other are the first two candidates in iteration order (for the message); otherwise both are
 * set to NULL.  out_other may be NULL. */
catalog_match catalog_find_table(const catalog *c, const catalog_name *schema, const catalog_name *table,
                                 const catalog_table **out_table, const catalog_table **out_other);
/* Finds a column of table t by name; same conventions (two published names differing only in
 * case are ambiguous for a regular identifier). */
catalog_match catalog_find_column(const catalog *c, const catalog_table *t, const catalog_name *name,
                                  const catalog_column **out_column, const catalog_column **out_other);

/* Exact lookups by published name (TAP_SCHEMA strings, e.g. for foreign keys and /tables/NAME);
 * NULL when absent.  These also work while building. */
const catalog_schema *catalog_schema_by_name(const catalog *c, const char *schema_name);
const catalog_table *catalog_table_by_name(const catalog *c, const char *table_name);
const catalog_column *catalog_column_by_name(const catalog *c, const catalog_table *t, const char *column_name);
const catalog_key *catalog_key_by_id(const catalog *c, const char *key_id);

/* ---- loaders -------------------------------------------------------------------------------- */

/* TAP 1.1 §4: the TAP_SCHEMA database name. */
#define CATALOG_DB_NAME "TAP_SCHEMA"

/* MYSQL from <mysql.h> (MariaDB Connector/C and libmysqlclient both typedef struct st_mysql), so
 * this header does not pull mysql.h into every user of the catalog. */
struct st_mysql;

/* Reads the five tables of database CATALOG_DB_NAME with plain SELECTs (only the SELECT privilege
 * is needed) and returns a finished catalog, or NULL with:
 *   TR_EDB_UNAVAILABLE  the connection was lost;
 *   TR_EDB              a statement failed, a TAP_SCHEMA table or required column is missing, or a
 *                       row is invalid: NULL in a required column, a flag other than 0/1, a duplicate,
 *                       or a dangling reference (a column whose table is not in tables, a key column
 *                       not in columns...); the message names the TAP_SCHEMA table and the row;
 *   TR_ENOMEM.
 * Optional TAP 1.1 columns (those that may be NULL, e.g. arraysize, xtype, *_index) may be
 * missing, so a TAP 1.0 TAP_SCHEMA loads too.  Extra tables and columns are ignored.  The
 * connection must not have an unread result pending. */
catalog *catalog_load_db(struct st_mysql *m, tr_err *err) __attribute__((warn_unused_result));
/* The same from database `database` (for a TAP_SCHEMA kept under another name, and for tests). */
catalog *catalog_load_db_from(struct st_mysql *m, const char *database, tr_err *err)
	__attribute__((warn_unused_result));

/* A value that changes whenever the content of the five TAP_SCHEMA tables changes: CHECKSUM TABLE
 * over them (one statement, SELECT privilege only), combined into 64 bits.  A worker keeps the
 * fingerprint taken just before catalog_load_db() and reloads only when a new one differs (a change
 * between the two calls costs one extra reload, never a stale catalog).  Errors: TR_EDB (a table
 * is missing or unreadable), TR_EDB_UNAVAILABLE. */
int catalog_db_fingerprint(struct st_mysql *m, unsigned long long *out, tr_err *err)
	__attribute__((warn_unused_result));
int catalog_db_fingerprint_from(struct st_mysql *m, const char *database, unsigned long long *out, tr_err *err)
	__attribute__((warn_unused_result));

/* Reads a VODataService 1.2 tableset document, as returned by a TAP service's VOSI /tables
 * endpoint (root vosi:tableset, or a tableset element of any namespace), streaming with expat.
 * Element and attribute names are matched by local name (prefix-agnostic).  Mapping:
 * schema/name -> schema_name; table/name -> table_name; table/@type "view" -> "view", any other
 * -> "table"; column/dataType text -> datatype (vs:VOTableType names, or vs:TAPType names such as
 * VARCHAR kept as written), @arraysize, @extendedType -> xtype, @size -> "size" (or, for a
 * one-dimensional arraysize, its number, as TAP 1.1 §4.3 defines "size"); flags indexed, primary,
 * nullable, std and principal; column/@std="true"|"1" -> std; the document order gives
 * schema_index, table_index and column_index (1-based within the parent); foreignKey ->
 * key_id "<from table>#<n>".  title and nrows are ignored, as are unknown elements.
 * Returns a finished catalog, or NULL with TR_EIO (cannot read the file), TR_ECONFIG
 * ("FILE:LINE: what is wrong": not well-formed XML, wrong root, an element in the wrong place such
 * as a column outside a table, a missing name or dataType, a duplicate, a foreign key to an unknown
 * table or column), TR_ENOMEM. */
catalog *catalog_load_xml(const char *path, tr_err *err) __attribute__((warn_unused_result));

/* The same reader fed in pieces, for documents that do not come from a file (and for tests that feed
 * one byte at a time).  `name` labels messages in place of the file name.  After a failed feed only
 * catalog_xml_abort() may be called; catalog_xml_end() consumes the reader in every case. */
typedef struct catalog_xml_reader catalog_xml_reader;
catalog_xml_reader *catalog_xml_begin(const char *name, tr_err *err) __attribute__((warn_unused_result));
int catalog_xml_feed(catalog_xml_reader *r, const char *buf, size_t n, tr_err *err)
	__attribute__((warn_unused_result));
catalog *catalog_xml_end(catalog_xml_reader *r, tr_err *err) __attribute__((warn_unused_result));
void catalog_xml_abort(catalog_xml_reader *r);

#endif
