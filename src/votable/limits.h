/* votable/limits: every size and count limit of the table readers (VOTable, CSV), in one place.
 *
 * The readers take untrusted input (TAP_UPLOAD bodies, files handed to taproom-import): each limit
 * stops a runaway document with TR_ELIMIT before more memory is spent.  Callers may lower the
 * per-reader ones through vot_options / vot_csv_options; the hard bounds here are the defaults. */
#ifndef TR_VOTABLE_LIMITS_H
#define TR_VOTABLE_LIMITS_H

/* FIELDs (columns) of one table.  MariaDB and MySQL allow at most 4096 columns per table, so a
 * wider table could not be loaded anyway; survey catalogues have a few hundred. */
#define VOT_MAX_FIELDS 4096

/* Bytes of one row: the TD text of a TABLEDATA row, the decoded bytes of a BINARY/BINARY2 row,
 * and the typed values built from either (bytes).  16 MiB: a MariaDB MEDIUMBLOB, far above a
 * catalogue row, and below the server's default max_allowed_packet of 16 MiB plus overhead. */
#define VOT_MAX_ROW_BYTES ((size_t)16 * 1024 * 1024)

/* Bytes of metadata held for a table (names, units, UCDs, descriptions of every FIELD): 16 MiB,
 * about 4 KiB per field at the field limit. */
#define VOT_MAX_META_BYTES ((size_t)16 * 1024 * 1024)

/* Bytes of one DESCRIPTION or attribute value kept: a long, careful description is a few KiB. */
#define VOT_MAX_TEXT ((size_t)64 * 1024)

/* XML element nesting (RESOURCE inside RESOURCE ...).  A VOTable table sits at depth 3 or 4;
 * deeper nesting only costs stack in expat and is refused. */
#define VOT_MAX_DEPTH 64

/* Dimensions of an arraysize ("64x64x10*" has 3): real data uses 1 to 3. */
#define VOT_MAX_DIMS 8

/* Elements in one array cell: VOTable 1.4 §2.2 says "in practice up to about 2x10^9"; the row
 * limit bounds real cells long before. */
#define VOT_MAX_ELEMENTS 0x7fffffffu

#endif
