/* votable/sqlmap: VOTable fields to MariaDB column types and cells to SQL literals, and database
 * column types back to VOTable types (for --describe and taproom-admin check).  Pure: no I/O, no
 * connection; must not let a byte of a name or value reach SQL unquoted or unescaped.
 * VOTable 1.4 §2 and §6, DALI 1.1 §3.3, TAP 1.1 §4.3; MariaDB data types (string, numeric, bit,
 * date and time, BLOB) and InnoDB row and index size limits. */
#include "config.h"

#include "votable/sqlmap.h"

#include "out/numfmt.h"
#include "votable/limits.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- identifiers and strings ---------------------------------------------------------------- */

static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool vot_sql_ident_check(const char *name, char why[VOT_WHY_MAX])
{
	size_t n = strlen(name);
	if (n == 0) {
		snprintf(why, VOT_WHY_MAX, "an empty name");
		return false;
	}
	if (n > VOT_SQL_NAME_MAX) {
		snprintf(why, VOT_WHY_MAX, "\"%.20s...\" is longer than %d characters", name, VOT_SQL_NAME_MAX);
		return false;
	}
	if (!is_alpha(name[0])) {
		snprintf(why, VOT_WHY_MAX, "\"%.64s\" does not start with a letter", name);
		return false;
	}
	for (size_t i = 1; i < n; i++) {
		if (!is_alpha(name[i]) && !is_digit(name[i]) && name[i] != '_') {
			snprintf(why, VOT_WHY_MAX, "\"%.64s\" has a character other than letters, digits and '_'", name);
			return false;
		}
	}
	return true;
}

void vot_sql_quote_ident(strbuf *sb, const char *name)
{
	strbuf_putc(sb, '`');
	for (const char *p = name; *p; p++) {
		if (*p == '`')
			strbuf_putc(sb, '`');
		strbuf_putc(sb, *p);
	}
	strbuf_putc(sb, '`');
}

void vot_sql_add_string(strbuf *sb, const char *s, size_t n)
{
	strbuf_putc(sb, '\'');
	size_t run = 0; /* bytes copied as they are, added in one go */
	for (size_t i = 0; i < n; i++) {
		const char *esc = NULL;
		switch (s[i]) {
		case '\0': esc = "\\0"; break;
		case '\'': esc = "\\'"; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\032': esc = "\\Z"; break;
		default: run++; continue;
		}
		strbuf_add(sb, s + i - run, run);
		run = 0;
		strbuf_puts(sb, esc);
	}
	strbuf_add(sb, s + n - run, run);
	strbuf_putc(sb, '\'');
}

/* ---- types ---------------------------------------------------------------------------------- */

/* Characters the TABLEDATA text of one element takes at most, with its separating space:
 * "-1.7976931348623157e+308" is 24, "-9223372036854775808" 20. */
static size_t element_text_max(vot_datatype dt)
{
	switch (dt) {
	case VOT_BOOLEAN: return 2;
	case VOT_BIT: return 1;
	case VOT_UNSIGNED_BYTE: return 4;
	case VOT_SHORT: return 7;
	case VOT_INT: return 12;
	case VOT_LONG: return 21;
	case VOT_FLOAT: return 16;
	case VOT_FLOAT_COMPLEX: return 32;
	case VOT_DOUBLE_COMPLEX: return 50;
	default: return 25;
	}
}

/* A string or text-stored array of at most max bytes (VOT_UNBOUNDED: no bound). */
static void text_type(vot_sql_column *out, uint64_t max_chars, uint64_t max_bytes, uint64_t varchar_max)
{
	if (max_chars <= varchar_max) {
		snprintf(out->type, sizeof out->type, "VARCHAR(%lu)", (unsigned long)(max_chars ? max_chars : 1));
		out->is_indexable = true;
	} else if (max_bytes <= VOT_SQL_TEXT_BYTES) {
		snprintf(out->type, sizeof out->type, "TEXT");
	} else {
		snprintf(out->type, sizeof out->type, "LONGTEXT");
	}
}

int vot_sql_column_for(const vot_field *f, bool is_key, vot_sql_column *out, tr_err *err)
{
	memset(out, 0, sizeof *out);
	const vot_shape *s = &f->shape;
	bool scalar = !s->is_array;
	bool unbounded = s->max == VOT_UNBOUNDED;
	out->is_indexable = true;
	switch (f->datatype) {
	case VOT_BOOLEAN:
		if (scalar) {
			snprintf(out->type, sizeof out->type, "BOOLEAN");
			out->kind = VOT_SQL_INTEGER;
			return TR_OK;
		}
		break;
	case VOT_BIT:
		if (!s->is_variable && s->max <= 64) {
			snprintf(out->type, sizeof out->type, "BIT(%lu)", (unsigned long)s->max);
			out->kind = VOT_SQL_BITS;
			return TR_OK;
		}
		break;
	case VOT_UNSIGNED_BYTE:
		out->kind = scalar ? VOT_SQL_INTEGER : VOT_SQL_BINARY;
		if (scalar)
			snprintf(out->type, sizeof out->type, "TINYINT UNSIGNED");
		else if (!unbounded && s->max <= VOT_SQL_VARCHAR_MAX)
			snprintf(out->type, sizeof out->type, "VARBINARY(%lu)", (unsigned long)s->max);
		else {
			snprintf(out->type, sizeof out->type, !unbounded && s->max <= VOT_SQL_TEXT_BYTES ? "BLOB" : "LONGBLOB");
			out->is_indexable = false;
		}
		break;
	case VOT_SHORT:
	case VOT_INT:
	case VOT_LONG:
		if (scalar) {
			snprintf(out->type, sizeof out->type, "%s",
			         f->datatype == VOT_SHORT ? "SMALLINT" : f->datatype == VOT_INT ? "INT" : "BIGINT");
			out->kind = VOT_SQL_INTEGER;
			return TR_OK;
		}
		break;
	case VOT_FLOAT:
	case VOT_DOUBLE:
		if (scalar) {
			snprintf(out->type, sizeof out->type, "%s", f->datatype == VOT_FLOAT ? "FLOAT" : "DOUBLE");
			out->kind = VOT_SQL_REAL;
			return TR_OK;
		}
		break;
	case VOT_CHAR:
	case VOT_UNICODE_CHAR:
		if (f->xtype && strcmp(f->xtype, "timestamp") == 0) {
			/* DALI 1.1 §3.3: microseconds are the finest MariaDB keeps */
			snprintf(out->type, sizeof out->type, "DATETIME(6)");
			out->kind = VOT_SQL_TIMESTAMP;
			return TR_OK;
		}
		out->kind = VOT_SQL_STRING;
		out->is_indexable = false;
		/* utf8mb4: up to 4 bytes per character */
		text_type(out, s->max, unbounded ? UINT64_MAX : (uint64_t)s->max * 4,
		          is_key ? VOT_SQL_KEY_VARCHAR_MAX : VOT_SQL_VARCHAR_MAX);
		break;
	default:
		break;
	}
	if (out->type[0] == '\0') {
		/* Arrays of numbers, booleans and bits, complex values: their TABLEDATA text. */
		out->kind = VOT_SQL_ARRAY_TEXT;
		out->is_indexable = false;
		uint64_t chars = unbounded ? UINT64_MAX : (uint64_t)s->max * element_text_max(f->datatype);
		text_type(out, chars, chars, VOT_SQL_VARCHAR_MAX);
		out->is_indexable = false; /* an array is no key, whatever its storage */
	}
	if (is_key && !out->is_indexable)
		return tr_err_set(err, TR_EUNSUPPORTED, -1, 0,
		                  "column \"%s\" (%s%s%s) cannot be a primary key: it needs a scalar or a string of at most "
		                  "%u characters", f->name, vot_datatype_name(f->datatype), f->arraysize ? " arraysize " : "",
		                  f->arraysize ? f->arraysize : "", VOT_SQL_KEY_VARCHAR_MAX);
	return TR_OK;
}

/* ---- values --------------------------------------------------------------------------------- */

static void add_number(strbuf *sb, size_t (*fmt)(char *, double), double x)
{
	char num[NUMFMT_MAX];
	strbuf_add(sb, num, fmt(num, x));
}

static size_t fmt_double(char *buf, double x) { return numfmt_double(buf, x); }
static size_t fmt_float(char *buf, double x) { return numfmt_float(buf, (float)x); }

static void add_int(strbuf *sb, int64_t v)
{
	char num[NUMFMT_MAX];
	strbuf_add(sb, num, numfmt_int64(num, v));
}

/* Element k of a numeric cell as int64 (integers) or double (floating point). */
static int64_t int_at(const vot_field *f, const vot_cell *c, size_t k)
{
	switch (f->datatype) {
	case VOT_BOOLEAN:
	case VOT_BIT:
	case VOT_UNSIGNED_BYTE: return c->v.u8[k];
	case VOT_SHORT: return c->v.i16[k];
	case VOT_INT: return c->v.i32[k];
	default: return c->v.i64[k];
	}
}

/* The cell as TABLEDATA text: numbers separated by one space, bits run together, T/F/? booleans. */
static void add_array_text(strbuf *sb, const vot_field *f, const vot_cell *c)
{
	bool single = f->datatype == VOT_FLOAT || f->datatype == VOT_FLOAT_COMPLEX;
	bool complex = f->datatype == VOT_FLOAT_COMPLEX || f->datatype == VOT_DOUBLE_COMPLEX;
	size_t nums = complex ? 2 * c->n : c->n;
	for (size_t k = 0; k < nums; k++) {
		if (k && f->datatype != VOT_BIT)
			strbuf_putc(sb, ' ');
		switch (f->datatype) {
		case VOT_BOOLEAN: strbuf_putc(sb, "TF?"[c->v.u8[k] == VOT_BOOL_TRUE ? 0 : c->v.u8[k] == VOT_BOOL_FALSE ? 1 : 2]); break;
		case VOT_BIT: strbuf_putc(sb, (char)('0' + c->v.u8[k])); break;
		case VOT_FLOAT:
		case VOT_FLOAT_COMPLEX:
		case VOT_DOUBLE:
		case VOT_DOUBLE_COMPLEX:
			add_number(sb, single ? fmt_float : fmt_double, single ? (double)c->v.f32[k] : c->v.f64[k]);
			break;
		default: add_int(sb, int_at(f, c, k)); break;
		}
	}
}

/* Reads n digits at s into *out; false if any is not a digit. */
static bool digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* DALI 1.1 §3.3 timestamp into MariaDB's 'YYYY-MM-DD hh:mm:ss.ffffff'. */
static bool add_timestamp(strbuf *sb, const char *s, size_t n, char why[VOT_WHY_MAX])
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0;
	char frac[7] = "000000";
	if (n > 0 && s[n - 1] == 'Z')
		n--; /* UTC, the only scale DALI timestamps have */
	bool ok = n >= 10 && digits(s, 4, &y) && s[4] == '-' && digits(s + 5, 2, &mo) && s[7] == '-' &&
	          digits(s + 8, 2, &d) && y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && d <= days_in_month(y, mo);
	if (ok && n > 10) {
		ok = n >= 19 && (s[10] == 'T' || s[10] == ' ') && digits(s + 11, 2, &h) && s[13] == ':' &&
		     digits(s + 14, 2, &mi) && s[16] == ':' && digits(s + 17, 2, &sec) && h <= 23 && mi <= 59 && sec <= 59;
		if (ok && n > 19) {
			size_t nf = n - 20;
			unsigned ignored;
			ok = s[19] == '.' && nf >= 1 && nf <= 6 && digits(s + 20, nf, &ignored);
			if (ok)
				memcpy(frac, s + 20, nf);
		}
	}
	if (!ok) {
		snprintf(why, VOT_WHY_MAX, "\"%.*s\" is not a timestamp (YYYY-MM-DD[Thh:mm:ss[.ffffff]][Z], up to microseconds)",
		         (int)(n < 40 ? n : 40), s);
		return false;
	}
	strbuf_printf(sb, "'%04u-%02u-%02u %02u:%02u:%02u.%s'", y, mo, d, h, mi, sec, frac);
	return true;
}

int vot_sql_add_value(strbuf *sb, const vot_field *f, const vot_sql_column *col, const vot_cell *c,
                      char why[VOT_WHY_MAX])
{
	if (c->is_null) {
		strbuf_puts(sb, "NULL");
		return TR_OK;
	}
	switch (col->kind) {
	case VOT_SQL_INTEGER:
		add_int(sb, f->datatype == VOT_BOOLEAN ? c->v.u8[0] == VOT_BOOL_TRUE : int_at(f, c, 0));
		return TR_OK;
	case VOT_SQL_BITS:
		strbuf_puts(sb, "b'");
		for (size_t k = 0; k < c->n; k++)
			strbuf_putc(sb, (char)('0' + c->v.u8[k]));
		strbuf_putc(sb, '\'');
		return TR_OK;
	case VOT_SQL_REAL: {
		double x = f->datatype == VOT_FLOAT ? (double)c->v.f32[0] : c->v.f64[0];
		if (isnan(x)) {
			/* VOTable 1.4 §5.5: NaN may stand for null; the database has no NaN. */
			strbuf_puts(sb, "NULL");
			return TR_OK;
		}
		if (isinf(x)) {
			snprintf(why, VOT_WHY_MAX, "%s infinity cannot be stored in the database", x > 0 ? "positive" : "negative");
			return TR_EBADREQ;
		}
		/* A float's exact value in 17 digits: the server's decimal -> double -> float is then exact. */
		add_number(sb, fmt_double, x);
		return TR_OK;
	}
	case VOT_SQL_STRING:
		vot_sql_add_string(sb, c->v.s, c->n);
		return TR_OK;
	case VOT_SQL_TIMESTAMP:
		/* no time at all (an empty BINARY string) is no value: NULL, as an empty TD is */
		if (c->n == 0) {
			strbuf_puts(sb, "NULL");
			return TR_OK;
		}
		return add_timestamp(sb, c->v.s, c->n, why) ? TR_OK : TR_EBADREQ;
	case VOT_SQL_BINARY:
		strbuf_puts(sb, "X'");
		for (size_t k = 0; k < c->n; k++)
			strbuf_printf(sb, "%02X", c->v.u8[k]);
		strbuf_putc(sb, '\'');
		return TR_OK;
	case VOT_SQL_ARRAY_TEXT:
		/* digits, letters, signs, dots and spaces: nothing to escape */
		strbuf_putc(sb, '\'');
		add_array_text(sb, f, c);
		strbuf_putc(sb, '\'');
		return TR_OK;
	}
	snprintf(why, VOT_WHY_MAX, "no storage for this column");
	return TR_EINTERNAL;
}

/* ---- database types back to VOTable ---------------------------------------------------------- */

/* The number in the first parentheses of a COLUMN_TYPE ("varchar(32)" -> 32), 0 when none. */
static unsigned long type_length(const char *column_type)
{
	const char *p = strchr(column_type, '(');
	if (p == NULL)
		return 0;
	char *end;
	unsigned long n = strtoul(p + 1, &end, 10);
	return *end == ')' || *end == ',' ? n : 0;
}

static bool is_unsigned(const char *column_type) { return strstr(column_type, "unsigned") != NULL; }

static bool type_in(const char *t, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(t, *list) == 0)
			return true;
	return false;
}

static const char *const text_types[] = { "char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum",
	                                  "set", "json", "time", NULL };
static const char *const time_types[] = { "date", "datetime", "timestamp", NULL };
static const char *const binary_types[] = { "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", NULL };
static const char *const real_types[] = { "float", "double", "real", "decimal", "numeric", NULL };

void vot_sql_votype_of(const char *data_type, const char *column_type, vot_sql_votype *out)
{
	memset(out, 0, sizeof *out);
	unsigned long len = type_length(column_type);
	bool uns = is_unsigned(column_type);
	out->datatype = VOT_CHAR;
	if (strcasecmp(data_type, "tinyint") == 0)
		out->datatype = strncasecmp(column_type, "tinyint(1)", 10) == 0 && !uns ? VOT_BOOLEAN
		                : uns ? VOT_UNSIGNED_BYTE : VOT_SHORT;
	else if (strcasecmp(data_type, "smallint") == 0 || strcasecmp(data_type, "year") == 0)
		out->datatype = uns ? VOT_INT : VOT_SHORT;
	else if (strcasecmp(data_type, "mediumint") == 0)
		out->datatype = VOT_INT;
	else if (strcasecmp(data_type, "int") == 0 || strcasecmp(data_type, "integer") == 0)
		out->datatype = uns ? VOT_LONG : VOT_INT;
	else if (strcasecmp(data_type, "bigint") == 0)
		out->datatype = VOT_LONG;
	else if (strcasecmp(data_type, "float") == 0)
		out->datatype = VOT_FLOAT;
	else if (type_in(data_type, real_types))
		out->datatype = VOT_DOUBLE;
	else if (strcasecmp(data_type, "bit") == 0) {
		out->datatype = VOT_BIT;
		if (len > 1)
			snprintf(out->arraysize, sizeof out->arraysize, "%lu", len);
	} else if (type_in(data_type, time_types)) {
		snprintf(out->arraysize, sizeof out->arraysize, "*");
		out->xtype = "timestamp";
	} else if (type_in(data_type, binary_types)) {
		out->datatype = VOT_UNSIGNED_BYTE;
		if (len > 0 && (strcasecmp(data_type, "binary") == 0 || strcasecmp(data_type, "varbinary") == 0))
			snprintf(out->arraysize, sizeof out->arraysize, "%lu*", len);
		else
			snprintf(out->arraysize, sizeof out->arraysize, "*");
	} else if (len > 0 && (strcasecmp(data_type, "char") == 0 || strcasecmp(data_type, "varchar") == 0)) {
		snprintf(out->arraysize, sizeof out->arraysize, "%lu*", len);
	} else {
		snprintf(out->arraysize, sizeof out->arraysize, "*");
	}
}

/* Bits of an integer column's range: value bits, plus one if it is signed. */
static unsigned int_bits(const char *data_type, const char *column_type, bool *out_signed)
{
	static const struct {
		const char *name;
		unsigned bits;
	} widths[] = { { "tinyint", 8 }, { "smallint", 16 }, { "mediumint", 24 }, { "int", 32 },
		       { "integer", 32 }, { "bigint", 64 }, { "year", 16 } };
	*out_signed = !is_unsigned(column_type);
	for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
		if (strcasecmp(data_type, widths[i].name) == 0)
			return widths[i].bits;
	if (strcasecmp(data_type, "bit") == 0) {
		*out_signed = false;
		unsigned long n = type_length(column_type);
		return n ? (unsigned)n : 1;
	}
	return 0;
}

bool vot_sql_compatible(const char *datatype, const char *arraysize, const char *data_type, const char *column_type,
                        char why[VOT_WHY_MAX])
{
	vot_datatype dt;
	vot_shape s;
	if (!vot_datatype_from_name(datatype, &dt)) {
		snprintf(why, VOT_WHY_MAX, "datatype \"%.40s\" is not a VOTable datatype", datatype);
		return false;
	}
	if (!vot_shape_parse(arraysize, &s)) {
		snprintf(why, VOT_WHY_MAX, "arraysize \"%.40s\" is malformed", arraysize);
		return false;
	}
	bool is_signed;
	unsigned bits = int_bits(data_type, column_type, &is_signed);
	bool is_text = type_in(data_type, text_types) || type_in(data_type, time_types);
	bool is_binary = type_in(data_type, binary_types);
	bool is_real = type_in(data_type, real_types);
	const char *need = NULL; /* what the declared type needs, for the message */
	if (!s.is_array && vot_datatype_is_integer(dt)) {
		/* the declared type's capacity in value bits (signed types lose one) */
		unsigned cap = dt == VOT_UNSIGNED_BYTE ? 8 : dt == VOT_SHORT ? 15 : dt == VOT_INT ? 31 : 63;
		bool fits = bits > 0 && (dt == VOT_UNSIGNED_BYTE ? !is_signed && bits <= 8 : bits - (is_signed ? 1 : 0) <= cap);
		if (!fits)
			need = bits ? "an integer column of no larger range" : "an integer column";
	} else if (!s.is_array && dt == VOT_BOOLEAN) {
		if (!(bits == 8 || (bits == 1 && strcasecmp(data_type, "bit") == 0)))
			need = "TINYINT, BOOLEAN or BIT(1)";
	} else if (dt == VOT_BIT && !s.is_variable && s.max <= 64) {
		if (strcasecmp(data_type, "bit") != 0 || bits != s.max)
			need = "BIT(n) of the same length";
	} else if (!s.is_array && (dt == VOT_FLOAT || dt == VOT_DOUBLE)) {
		if (!is_real)
			need = "a floating-point column";
		else if (dt == VOT_FLOAT && strcasecmp(data_type, "float") != 0)
			need = "FLOAT (the column's values would be rounded to float)";
	} else if (vot_datatype_is_text(dt)) {
		if (!is_text)
			need = "a string or date/time column";
		else if (!s.is_variable && s.is_array && type_length(column_type) > s.max &&
		         (strcasecmp(data_type, "char") == 0 || strcasecmp(data_type, "varchar") == 0))
			need = "a string column no longer than the fixed arraysize";
	} else if (dt == VOT_UNSIGNED_BYTE) {
		if (!is_binary)
			need = "a binary column (BINARY, VARBINARY, BLOB)";
	} else if (!is_text) {
		/* other arrays and complex values are stored as their text (taproom-import) */
		need = "a text column holding the values as text";
	}
	if (need == NULL)
		return true;
	snprintf(why, VOT_WHY_MAX, "declared %s%s%s%s, but the column is %s: that needs %s", datatype,
	         arraysize ? "[" : "", arraysize ? arraysize : "", arraysize ? "]" : "", column_type, need);
	return false;
}
