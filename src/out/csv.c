/* csv: the CSV (RFC 4180) and TSV (IANA text/tab-separated-values) back end of the result writer.
 *
 * Both: a header line of column names, one line per row, NULL as an empty field, booleans as
 * true/false, numbers and arrays exactly as in TABLEDATA (out_cell_text), text with the characters
 * XML forbids and invalid UTF-8 replaced by U+FFFD like every other format.
 * CSV (RFC 4180 §2): CRLF line ends; a field containing ',', '"', CR or LF is quoted with '"'
 * doubled inside; an empty string is written "" so that it differs from NULL.
 * TSV: LF line ends; a field cannot hold a tab or a line break (IANA registration), so tab,
 * LF, CR and backslash become \t, \n, \r and \\ (the convention of MySQL, PostgreSQL COPY and
 * astropy); an empty string and NULL both come out empty.
 * No status and no overflow mark: the formats have none (DALI 1.1 §5.4.1). */
#include <config.h>

#include "out/writer_int.h"

#include <string.h>

static text_escapes csv_quoted = { ['"'] = "\"\"" };
static text_escapes tsv_escapes = { ['\t'] = "\\t", ['\n'] = "\\n", ['\r'] = "\\r", ['\\'] = "\\\\" };

static size_t csv_escape(strbuf *sb, const char *s, size_t n)
{
	bool quote = n == 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (!quote)
		return text_escape(sb, s, n, NULL);
	strbuf_putc(sb, '"');
	size_t replaced = text_escape(sb, s, n, &csv_quoted);
	strbuf_putc(sb, '"');
	return replaced;
}

static size_t tsv_escape(strbuf *sb, const char *s, size_t n) { return text_escape(sb, s, n, &tsv_escapes); }

static const out_text_style csv_style = { csv_escape, "true", "false" };
static const out_text_style tsv_style = { tsv_escape, "true", "false" };

static const out_text_style *style_of(const out_writer *w) { return w->fmt == OUT_CSV ? &csv_style : &tsv_style; }

static char separator(const out_writer *w) { return w->fmt == OUT_CSV ? ',' : '\t'; }

static const char *line_end(const out_writer *w) { return w->fmt == OUT_CSV ? "\r\n" : "\n"; }

static void csv_begin(out_writer *w, const out_info *info)
{
	(void)info; /* no place for it */
	const out_text_style *style = style_of(w);
	for (size_t i = 0; i < w->n_cols; i++) {
		if (i)
			strbuf_putc(&w->buf, separator(w));
		style->escape(&w->buf, w->cols[i].f->name, strlen(w->cols[i].f->name));
	}
	strbuf_puts(&w->buf, line_end(w));
}

static void csv_row(out_writer *w, const out_value *values)
{
	const out_text_style *style = style_of(w);
	for (size_t i = 0; i < w->n_cols; i++) {
		if (i)
			strbuf_putc(&w->row, separator(w));
		if (!values[i].is_null)
			out_cell_text(&w->row, &w->cols[i], &values[i], style);
	}
	strbuf_puts(&w->row, line_end(w));
}

static void csv_end(out_writer *w, out_status status, const char *message, bool is_overflow)
{
	/* Nothing to add: see writer.h, out_writer_end. */
	(void)w;
	(void)status;
	(void)message;
	(void)is_overflow;
}

const out_backend out_csv_backend = { csv_begin, csv_row, csv_end };
