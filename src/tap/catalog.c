/* catalog: the in-memory TAP_SCHEMA model, its builder, its iteration order and its name lookups.
 *
 * Must not read the database or files (catalog_db.c and catalog_xml.c do) nor know ADQL syntax
 * beyond the identifier rules lookups need.  TAP 1.1 §4 (what the rows mean), ADQL 2.1 §2.1.3
 * (regular identifiers are case-insensitive, delimited ones are not).
 *
 * Lookups use open-addressing hash indexes built while adding: one keyed by the exact published
 * name (duplicates, foreign keys, /tables/NAME) and one keyed by the ASCII-folded raw name (the
 * resolver), so a query over thousands of columns costs a few probes per name. */
#include "config.h"

#include "tap/catalog.h"

#include "util/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- hash indexes --------------------------------------------------------------------------- */

typedef struct cat_slot {
	uint64_t h; /* full hash of the key, compared before the item is looked at */
	void *item; /* NULL = empty slot */
} cat_slot;

typedef struct cat_index {
	cat_slot *slots; /* cap entries, in the catalog arena; NULL while empty */
	size_t cap;      /* a power of two, or 0 */
	size_t n;        /* used slots; kept at most half of cap so probe runs stay short */
} cat_index;

#define CAT_INDEX_MIN 64 /* first capacity: the self-description of TAP_SCHEMA alone has 32 columns */

#define FNV_OFFSET 14695981039346656037ULL
#define FNV_PRIME 1099511628211ULL

static unsigned char ascii_lower(unsigned char ch) { return (ch >= 'A' && ch <= 'Z') ? (unsigned char)(ch + 32) : ch; }

/* FNV-1a from seed over s[0..n), ASCII-folded when is_folded. */
static uint64_t hash_bytes(uint64_t seed, const char *s, size_t n, int is_folded)
{
	uint64_t h = seed;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		h ^= is_folded ? ascii_lower(ch) : ch;
		h *= FNV_PRIME;
	}
	return h;
}

/* Column keys include their table, so one index serves every table. */
static uint64_t column_seed(const catalog_table *t) { return FNV_OFFSET ^ ((uint64_t)t->id * 0x9E3779B97F4A7C15ULL); }

static int index_put(arena *a, cat_index *ix, uint64_t h, void *item)
{
	if (2 * (ix->n + 1) > ix->cap) {
		size_t cap = ix->cap ? 2 * ix->cap : CAT_INDEX_MIN;
		cat_slot *slots = arena_calloc(a, cap, sizeof *slots);
		if (slots == NULL)
			return -1;
		/* The old array stays in the arena: the total wasted is below the final size. */
		for (size_t i = 0; i < ix->cap; i++) {
			if (ix->slots[i].item == NULL)
				continue;
			size_t j = ix->slots[i].h & (cap - 1);
			while (slots[j].item)
				j = (j + 1) & (cap - 1);
			slots[j] = ix->slots[i];
		}
		ix->slots = slots;
		ix->cap = cap;
	}
	size_t j = h & (ix->cap - 1);
	while (ix->slots[j].item)
		j = (j + 1) & (ix->cap - 1);
	ix->slots[j].h = h;
	ix->slots[j].item = item;
	ix->n++;
	return 0;
}

/* Iterates over the items stored under hash h: `for (void *it = index_first(ix, h, &pos); it;
 * it = index_next(ix, h, &pos))`. */
static void *index_next(const cat_index *ix, uint64_t h, size_t *pos)
{
	if (ix->cap == 0)
		return NULL;
	for (size_t j = *pos; ix->slots[j].item; j = (j + 1) & (ix->cap - 1)) {
		if (ix->slots[j].h == h) {
			*pos = (j + 1) & (ix->cap - 1);
			return ix->slots[j].item;
		}
	}
	return NULL;
}

static void *index_first(const cat_index *ix, uint64_t h, size_t *pos)
{
	*pos = ix->cap ? (h & (ix->cap - 1)) : 0;
	return index_next(ix, h, pos);
}

/* ---- growable pointer arrays in the arena --------------------------------------------------- */

typedef struct cat_vec {
	void **items; /* in the catalog arena */
	size_t n;     /* items used */
	size_t cap;   /* items allocated; doubles, the old array stays in the arena */
} cat_vec;

static int vec_push(arena *a, cat_vec *v, void *item)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 16;
		void **items = arena_calloc(a, cap, sizeof *items);
		if (items == NULL)
			return -1;
		if (v->n)
			memcpy(items, v->items, v->n * sizeof *items);
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = item;
	return 0;
}

/* ---- the catalog ---------------------------------------------------------------------------- */

/* A key_columns row until catalog_finish() groups the rows by key. */
typedef struct cat_pair {
	catalog_key *key;
	const catalog_column *from;
	const catalog_column *target;
} cat_pair;

struct catalog {
	arena *arena;          /* owns everything below and every object and string */
	cat_vec schemas;       /* catalog_schema *, in iteration order after finish */
	cat_vec tables;        /* catalog_table *, in iteration order after finish */
	cat_vec columns;       /* catalog_column *, grouped by table after finish */
	cat_vec keys;          /* catalog_key *, grouped by from table after finish */
	cat_vec pairs;         /* cat_pair *, until finish */
	cat_index schema_name; /* exact schema_name */
	cat_index table_name;  /* exact table_name */
	cat_index table_match; /* folded db_table, for catalog_find_table */
	cat_index column_name; /* table + exact column_name */
	cat_index column_match;/* table + folded db_name, for catalog_find_column */
	cat_index key_id;      /* exact key_id */
	int is_finished;       /* catalog_finish() ran successfully */
};

catalog *catalog_new(tr_err *err)
{
	arena *a = arena_create(0, CATALOG_MAX_BYTES);
	if (a == NULL) {
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory creating the catalog");
		return NULL;
	}
	catalog *c = arena_zalloc(a, sizeof *c);
	if (c == NULL) {
		arena_destroy(a);
		tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory creating the catalog");
		return NULL;
	}
	c->arena = a;
	return c;
}

void catalog_free(catalog *c)
{
	if (c)
		arena_destroy(c->arena);
}

static int oom(tr_err *err) { return tr_err_set(err, TR_ENOMEM, -1, 0, "out of memory building the catalog"); }

/* Copies an optional string; *out is NULL for NULL.  -1 only when out of memory. */
static int copy_opt(catalog *c, const char *s, const char **out)
{
	*out = NULL;
	if (s == NULL)
		return 0;
	*out = arena_strdup(c->arena, s);
	return *out ? 0 : -1;
}

/* Checks a required name: present, non-empty, not too long. */
static int check_name(const char *what, const char *s, tr_err *err)
{
	if (s == NULL || s[0] == '\0')
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s is missing", what);
	if (strlen(s) > CATALOG_MAX_NAME)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s is longer than %d bytes", what, CATALOG_MAX_NAME);
	return TR_OK;
}

/* Checks the optional free-text fields of a definition. */
static int check_texts(const char *const *texts, size_t n, tr_err *err)
{
	for (size_t i = 0; i < n; i++)
		if (texts[i] && strlen(texts[i]) > CATALOG_MAX_TEXT)
			return tr_err_set(err, TR_ECONFIG, -1, 0, "text longer than %d bytes: \"%.40s...\"",
			                  CATALOG_MAX_TEXT, texts[i]);
	return TR_OK;
}

/* The raw name of one identifier s[0..n): a delimited identifier ("...", with "" for a quote)
 * loses its quotes, anything else is taken as it is.  NULL when the quoting is broken or the result
 * is empty (*out_bad = 1) or when out of memory (*out_bad = 0). */
static char *raw_ident(arena *a, const char *s, size_t n, int *out_bad)
{
	*out_bad = 1;
	if (n == 0)
		return NULL;
	if (s[0] != '"') {
		if (memchr(s, '"', n))
			return NULL;
		*out_bad = 0;
		return arena_strndup(a, s, n);
	}
	if (n < 3 || s[n - 1] != '"')
		return NULL;
	char *out = arena_alloc(a, n);
	if (out == NULL) {
		*out_bad = 0;
		return NULL;
	}
	size_t w = 0;
	for (size_t i = 1; i < n - 1; i++) {
		if (s[i] == '"') {
			if (i + 1 >= n - 1 || s[i + 1] != '"')
				return NULL; /* a lone quote inside */
			i++;
		}
		out[w++] = s[i];
	}
	out[w] = '\0';
	*out_bad = 0;
	return out;
}

/* Offset of the first '.' outside double quotes, or n. */
static size_t first_dot(const char *s, size_t n)
{
	int is_quoted = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			is_quoted = !is_quoted;
		else if (s[i] == '.' && !is_quoted)
			return i;
	}
	return n;
}

static int bad_ident(const char *what, const char *name, int is_bad, tr_err *err)
{
	if (!is_bad)
		return oom(err);
	return tr_err_set(err, TR_ECONFIG, -1, 0, "%s \"%s\" is not a valid identifier", what, name);
}

int catalog_add_schema(catalog *c, const catalog_schema_def *def, tr_err *err)
{
	const char *texts[] = { def->utype, def->description };
	if (check_name("schema_name", def->name, err) || check_texts(texts, 2, err))
		return err->code;
	if (catalog_schema_by_name(c, def->name))
		return tr_err_set(err, TR_ECONFIG, -1, 0, "duplicate schema \"%s\"", def->name);
	catalog_schema *s = arena_zalloc(c->arena, sizeof *s);
	if (s == NULL || copy_opt(c, def->name, &s->name) || copy_opt(c, def->utype, &s->utype) ||
	    copy_opt(c, def->description, &s->description))
		return oom(err);
	s->schema_index = def->schema_index;
	uint64_t h = hash_bytes(FNV_OFFSET, s->name, strlen(s->name), 0);
	if (vec_push(c->arena, &c->schemas, s) || index_put(c->arena, &c->schema_name, h, s))
		return oom(err);
	return TR_OK;
}

int catalog_add_table(catalog *c, const catalog_table_def *def, tr_err *err)
{
	const char *texts[] = { def->utype, def->description };
	if (check_name("table_name", def->name, err) || check_name("schema_name", def->schema_name, err) ||
	    check_name("table_type", def->table_type, err) || check_texts(texts, 2, err))
		return err->code;
	const catalog_schema *schema = catalog_schema_by_name(c, def->schema_name);
	if (schema == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no schema \"%s\"", def->schema_name);
	if (catalog_table_by_name(c, def->name))
		return tr_err_set(err, TR_ECONFIG, -1, 0, "duplicate table \"%s\"", def->name);

	catalog_table *t = arena_zalloc(c->arena, sizeof *t);
	if (t == NULL || copy_opt(c, def->name, &t->name) || copy_opt(c, def->table_type, &t->table_type) ||
	    copy_opt(c, def->utype, &t->utype) || copy_opt(c, def->description, &t->description))
		return oom(err);
	t->schema = schema;
	t->table_index = def->table_index;
	t->id = c->tables.n;

	/* TAP 1.1 §4.2: [schema.]table; the first unquoted '.' separates the database. */
	size_t n = strlen(t->name), dot = first_dot(t->name, n);
	int is_bad = 0;
	if (dot < n) {
		t->db_schema = raw_ident(c->arena, t->name, dot, &is_bad);
		if (t->db_schema == NULL)
			return bad_ident("table_name", t->name, is_bad, err);
		t->db_table = raw_ident(c->arena, t->name + dot + 1, n - dot - 1, &is_bad);
	} else {
		t->db_schema = raw_ident(c->arena, schema->name, strlen(schema->name), &is_bad);
		if (t->db_schema == NULL)
			return bad_ident("schema_name", schema->name, is_bad, err);
		t->db_table = raw_ident(c->arena, t->name, n, &is_bad);
	}
	if (t->db_table == NULL)
		return bad_ident("table_name", t->name, is_bad, err);

	uint64_t h = hash_bytes(FNV_OFFSET, t->name, n, 0);
	uint64_t hm = hash_bytes(FNV_OFFSET, t->db_table, strlen(t->db_table), 1);
	if (vec_push(c->arena, &c->tables, t) || index_put(c->arena, &c->table_name, h, t) ||
	    index_put(c->arena, &c->table_match, hm, t))
		return oom(err);
	return TR_OK;
}

static int check_flag(const char *what, int v, tr_err *err)
{
	if (v != 0 && v != 1)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "%s is %d, not 0 or 1", what, v);
	return TR_OK;
}

int catalog_add_column(catalog *c, const catalog_column_def *def, tr_err *err)
{
	const char *texts[] = { def->arraysize, def->xtype, def->description, def->utype, def->unit, def->ucd };
	if (check_name("column_name", def->name, err) || check_name("table_name", def->table_name, err) ||
	    check_name("datatype", def->datatype, err) || check_texts(texts, 6, err) ||
	    check_flag("indexed", def->is_indexed, err) || check_flag("principal", def->is_principal, err) ||
	    check_flag("std", def->is_std, err) || check_flag("primary", def->is_primary, err) ||
	    check_flag("nullable", def->is_nullable, err))
		return err->code;
	const catalog_table *t = catalog_table_by_name(c, def->table_name);
	if (t == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no table \"%s\"", def->table_name);
	if (catalog_column_by_name(c, t, def->name))
		return tr_err_set(err, TR_ECONFIG, -1, 0, "duplicate column \"%s\"", def->name);

	catalog_column *col = arena_zalloc(c->arena, sizeof *col);
	if (col == NULL || copy_opt(c, def->name, &col->name) || copy_opt(c, def->datatype, &col->datatype) ||
	    copy_opt(c, def->arraysize, &col->arraysize) || copy_opt(c, def->xtype, &col->xtype) ||
	    copy_opt(c, def->description, &col->description) || copy_opt(c, def->utype, &col->utype) ||
	    copy_opt(c, def->unit, &col->unit) || copy_opt(c, def->ucd, &col->ucd))
		return oom(err);
	int is_bad = 0;
	col->db_name = raw_ident(c->arena, col->name, strlen(col->name), &is_bad);
	if (col->db_name == NULL)
		return bad_ident("column_name", col->name, is_bad, err);
	col->table = t;
	col->size = def->size;
	col->is_indexed = def->is_indexed;
	col->is_principal = def->is_principal;
	col->is_std = def->is_std;
	col->is_primary = def->is_primary;
	col->is_nullable = def->is_nullable;
	col->column_index = def->column_index;

	uint64_t h = hash_bytes(column_seed(t), col->name, strlen(col->name), 0);
	uint64_t hm = hash_bytes(column_seed(t), col->db_name, strlen(col->db_name), 1);
	if (vec_push(c->arena, &c->columns, col) || index_put(c->arena, &c->column_name, h, col) ||
	    index_put(c->arena, &c->column_match, hm, col))
		return oom(err);
	return TR_OK;
}

int catalog_add_key(catalog *c, const catalog_key_def *def, tr_err *err)
{
	const char *texts[] = { def->utype, def->description };
	if (check_name("key_id", def->key_id, err) || check_name("from_table", def->from_table, err) ||
	    check_name("target_table", def->target_table, err) || check_texts(texts, 2, err))
		return err->code;
	if (catalog_key_by_id(c, def->key_id))
		return tr_err_set(err, TR_ECONFIG, -1, 0, "duplicate key \"%s\"", def->key_id);
	const catalog_table *from = catalog_table_by_name(c, def->from_table);
	if (from == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no from_table \"%s\"", def->from_table);
	const catalog_table *target = catalog_table_by_name(c, def->target_table);
	if (target == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no target_table \"%s\"", def->target_table);

	catalog_key *k = arena_zalloc(c->arena, sizeof *k);
	if (k == NULL || copy_opt(c, def->key_id, &k->key_id) || copy_opt(c, def->utype, &k->utype) ||
	    copy_opt(c, def->description, &k->description))
		return oom(err);
	k->from = from;
	k->target = target;
	uint64_t h = hash_bytes(FNV_OFFSET, k->key_id, strlen(k->key_id), 0);
	if (vec_push(c->arena, &c->keys, k) || index_put(c->arena, &c->key_id, h, k))
		return oom(err);
	return TR_OK;
}

int catalog_add_key_column(catalog *c, const char *key_id, const char *from_column, const char *target_column,
                           tr_err *err)
{
	if (check_name("key_id", key_id, err) || check_name("from_column", from_column, err) ||
	    check_name("target_column", target_column, err))
		return err->code;
	catalog_key *k = (catalog_key *)catalog_key_by_id(c, key_id);
	if (k == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no key \"%s\"", key_id);
	const catalog_column *from = catalog_column_by_name(c, k->from, from_column);
	if (from == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no from_column \"%s\" in table \"%s\"", from_column,
		                  k->from->name);
	const catalog_column *target = catalog_column_by_name(c, k->target, target_column);
	if (target == NULL)
		return tr_err_set(err, TR_ECONFIG, -1, 0, "no target_column \"%s\" in table \"%s\"", target_column,
		                  k->target->name);
	cat_pair *p = arena_alloc(c->arena, sizeof *p);
	if (p == NULL)
		return oom(err);
	p->key = k;
	p->from = from;
	p->target = target;
	if (vec_push(c->arena, &c->pairs, p))
		return oom(err);
	return TR_OK;
}

/* ---- finishing: the iteration order ---------------------------------------------------------- */

/* NULL indexes after every number (TAP 1.1 §4: lower indexes are listed first). */
static int cmp_index(long a, long b)
{
	if (a == b)
		return 0;
	if (a == CATALOG_NULL_INT)
		return 1;
	if (b == CATALOG_NULL_INT)
		return -1;
	return a < b ? -1 : 1;
}

static int cmp_size(size_t a, size_t b) { return a < b ? -1 : a > b; }

/* Children sort by their parent's position, then their index hint, then their name. */
static int cmp_entry(size_t parent_a, long index_a, const char *name_a, size_t parent_b, long index_b,
                     const char *name_b)
{
	int r = cmp_size(parent_a, parent_b);
	if (r == 0)
		r = cmp_index(index_a, index_b);
	return r ? r : strcmp(name_a, name_b);
}

static int cmp_schemas(const void *pa, const void *pb)
{
	const catalog_schema *a = *(void *const *)pa, *b = *(void *const *)pb;
	return cmp_entry(0, a->schema_index, a->name, 0, b->schema_index, b->name);
}

static int cmp_tables(const void *pa, const void *pb)
{
	const catalog_table *a = *(void *const *)pa, *b = *(void *const *)pb;
	return cmp_entry(a->schema->ord, a->table_index, a->name, b->schema->ord, b->table_index, b->name);
}

static int cmp_columns(const void *pa, const void *pb)
{
	const catalog_column *a = *(void *const *)pa, *b = *(void *const *)pb;
	return cmp_entry(a->table->ord, a->column_index, a->name, b->table->ord, b->column_index, b->name);
}

static int cmp_keys(const void *pa, const void *pb)
{
	const catalog_key *a = *(void *const *)pa, *b = *(void *const *)pb;
	int r = cmp_size(a->from->ord, b->from->ord);
	return r ? r : strcmp(a->key_id, b->key_id);
}

static int cmp_pairs(const void *pa, const void *pb)
{
	const cat_pair *a = *(void *const *)pa, *b = *(void *const *)pb;
	int r = strcmp(a->key->key_id, b->key->key_id);
	if (r == 0)
		r = cmp_size(a->from->ord, b->from->ord);
	return r ? r : cmp_size(a->target->ord, b->target->ord);
}

static void sort_vec(cat_vec *v, int (*cmp)(const void *, const void *))
{
	if (v->n > 1)
		qsort(v->items, v->n, sizeof *v->items, cmp);
}

int catalog_finish(catalog *c, tr_err *err)
{
	if (c->is_finished)
		return TR_OK;
	sort_vec(&c->schemas, cmp_schemas);
	for (size_t i = 0; i < c->schemas.n; i++) {
		catalog_schema *s = c->schemas.items[i];
		s->ord = i;
	}

	/* Children point at runs of typed, sorted catalog-wide arrays (one allocation per kind). */
	sort_vec(&c->tables, cmp_tables);
	catalog_table **tables = arena_calloc(c->arena, c->tables.n + 1, sizeof *tables);
	if (tables == NULL)
		return oom(err);
	for (size_t i = 0; i < c->tables.n; i++) {
		catalog_table *t = tables[i] = c->tables.items[i];
		catalog_schema *s = (catalog_schema *)t->schema;
		t->ord = i;
		if (s->n_tables++ == 0)
			s->tables = &tables[i];
	}

	sort_vec(&c->columns, cmp_columns);
	catalog_column **columns = arena_calloc(c->arena, c->columns.n + 1, sizeof *columns);
	if (columns == NULL)
		return oom(err);
	for (size_t i = 0; i < c->columns.n; i++) {
		catalog_column *col = columns[i] = c->columns.items[i];
		catalog_table *t = (catalog_table *)col->table;
		col->ord = t->n_columns;
		if (t->n_columns++ == 0)
			t->columns = &columns[i];
	}

	sort_vec(&c->keys, cmp_keys);
	catalog_key **keys = arena_calloc(c->arena, c->keys.n + 1, sizeof *keys);
	if (keys == NULL)
		return oom(err);
	for (size_t i = 0; i < c->keys.n; i++) {
		catalog_key *k = keys[i] = c->keys.items[i];
		catalog_table *t = (catalog_table *)k->from;
		if (t->n_keys++ == 0)
			t->keys = &keys[i];
	}

	/* Key columns: count per key, then fill each key's array in sorted pair order. */
	sort_vec(&c->pairs, cmp_pairs);
	for (size_t i = 0; i < c->pairs.n; i++) {
		cat_pair *p = c->pairs.items[i];
		p->key->n_columns++;
	}
	for (size_t i = 0; i < c->keys.n; i++) {
		catalog_key *k = keys[i];
		/* TAP 1.1 §4.5: a key is one or more column pairs; an empty one cannot be joined on. */
		if (k->n_columns == 0)
			return tr_err_set(err, TR_ECONFIG, -1, 0, "key \"%s\" has no key_columns", k->key_id);
		catalog_key_column *cols = arena_calloc(c->arena, k->n_columns, sizeof *cols);
		if (cols == NULL)
			return oom(err);
		k->columns = cols;
		k->n_columns = 0;
	}
	for (size_t i = 0; i < c->pairs.n; i++) {
		cat_pair *p = c->pairs.items[i];
		catalog_key_column *kc = (catalog_key_column *)&p->key->columns[p->key->n_columns++];
		kc->from = p->from;
		kc->target = p->target;
	}
	c->is_finished = 1;
	return TR_OK;
}

/* ---- iteration ------------------------------------------------------------------------------ */

size_t catalog_n_schemas(const catalog *c) { return c->schemas.n; }
const catalog_schema *catalog_schema_at(const catalog *c, size_t i) { return c->schemas.items[i]; }
size_t catalog_n_tables(const catalog *c) { return c->tables.n; }
size_t catalog_n_columns(const catalog *c) { return c->columns.n; }
size_t catalog_n_keys(const catalog *c) { return c->keys.n; }

/* ---- lookups -------------------------------------------------------------------------------- */

/* Exact lookups: one probe loop, with a predicate per kind of item. */
typedef int cat_is_fn(const void *item, const char *name, const void *ctx);

static int schema_is(const void *it, const char *name, const void *ctx)
{
	(void)ctx;
	return strcmp(((const catalog_schema *)it)->name, name) == 0;
}

static int table_is(const void *it, const char *name, const void *ctx)
{
	(void)ctx;
	return strcmp(((const catalog_table *)it)->name, name) == 0;
}

static int column_is(const void *it, const char *name, const void *table)
{
	const catalog_column *col = it;
	return col->table == table && strcmp(col->name, name) == 0;
}

static int key_is(const void *it, const char *name, const void *ctx)
{
	(void)ctx;
	return strcmp(((const catalog_key *)it)->key_id, name) == 0;
}

static const void *find_exact(const cat_index *ix, uint64_t seed, const char *name, cat_is_fn *is, const void *ctx)
{
	size_t pos;
	uint64_t h = hash_bytes(seed, name, strlen(name), 0);
	for (const void *it = index_first(ix, h, &pos); it; it = index_next(ix, h, &pos))
		if (is(it, name, ctx))
			return it;
	return NULL;
}

const catalog_schema *catalog_schema_by_name(const catalog *c, const char *schema_name)
{
	return find_exact(&c->schema_name, FNV_OFFSET, schema_name, schema_is, NULL);
}

const catalog_table *catalog_table_by_name(const catalog *c, const char *table_name)
{
	return find_exact(&c->table_name, FNV_OFFSET, table_name, table_is, NULL);
}

const catalog_column *catalog_column_by_name(const catalog *c, const catalog_table *t, const char *column_name)
{
	return find_exact(&c->column_name, column_seed(t), column_name, column_is, t);
}

const catalog_key *catalog_key_by_id(const catalog *c, const char *key_id)
{
	return find_exact(&c->key_id, FNV_OFFSET, key_id, key_is, NULL);
}

/* ADQL 2.1 §2.1.3: regular identifiers compare case-insensitively, delimited ones exactly. */
static int name_matches(const catalog_name *q, const char *raw)
{
	size_t n = strlen(raw);
	if (n != q->len)
		return 0;
	if (q->is_delimited)
		return memcmp(q->s, raw, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)q->s[i]) != ascii_lower((unsigned char)raw[i]))
			return 0;
	return 1;
}

/* Keeps the two candidates that come first in iteration order, whatever order the probe finds
 * them in, so messages do not depend on hash layout. */
typedef struct cat_best {
	const void *first, *second; /* candidates with the lowest ord, in order */
	size_t first_ord, second_ord;
	size_t n;                   /* candidates seen */
} cat_best;

static void best_add(cat_best *b, const void *item, size_t ord)
{
	b->n++;
	if (b->first == NULL || ord < b->first_ord) {
		b->second = b->first;
		b->second_ord = b->first_ord;
		b->first = item;
		b->first_ord = ord;
	} else if (b->second == NULL || ord < b->second_ord) {
		b->second = item;
		b->second_ord = ord;
	}
}

static catalog_match best_match(const cat_best *b)
{
	return b->n == 0 ? CATALOG_NOT_FOUND : b->n == 1 ? CATALOG_FOUND : CATALOG_AMBIGUOUS;
}

catalog_match catalog_find_table(const catalog *c, const catalog_name *schema, const catalog_name *table,
                                 const catalog_table **out_table, const catalog_table **out_other)
{
	cat_best best = { 0 };
	size_t pos;
	uint64_t h = hash_bytes(FNV_OFFSET, table->s, table->len, 1);
	for (const catalog_table *t = index_first(&c->table_match, h, &pos); t; t = index_next(&c->table_match, h, &pos))
		if (name_matches(table, t->db_table) && (schema == NULL || name_matches(schema, t->db_schema)))
			best_add(&best, t, t->ord);
	catalog_match m = best_match(&best);
	*out_table = m == CATALOG_NOT_FOUND ? NULL : best.first;
	if (out_other)
		*out_other = m == CATALOG_AMBIGUOUS ? best.second : NULL;
	return m;
}

catalog_match catalog_find_column(const catalog *c, const catalog_table *t, const catalog_name *name,
                                  const catalog_column **out_column, const catalog_column **out_other)
{
	cat_best best = { 0 };
	size_t pos;
	uint64_t h = hash_bytes(column_seed(t), name->s, name->len, 1);
	for (const catalog_column *col = index_first(&c->column_match, h, &pos); col;
	     col = index_next(&c->column_match, h, &pos))
		if (col->table == t && name_matches(name, col->db_name))
			best_add(&best, col, col->ord);
	catalog_match m = best_match(&best);
	*out_column = m == CATALOG_NOT_FOUND ? NULL : best.first;
	if (out_other)
		*out_other = m == CATALOG_AMBIGUOUS ? best.second : NULL;
	return m;
}
