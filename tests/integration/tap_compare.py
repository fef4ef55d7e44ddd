"""Compares a TAP result file with what the database holds.

usage: tap_compare.py FORMAT RESULT REFERENCE_XML
  FORMAT         votable | csv | tsv (votable covers TABLEDATA and BINARY2: astropy reads both)
  RESULT         the document the service returned
  REFERENCE_XML  `mariadb --xml` output of the same rows (the database's own client)

Column types come from the VOTable FIELDs (or, for CSV/TSV, from the reference).  Floats must be
bit-identical (float32 columns compared as float32), text identical except that VOTable replaces
characters XML 1.0 forbids with U+FFFD, timestamps with DALI's 'T', blobs compared as hex.
Exits 1 with a list of differences.  Run with Debian's /usr/bin/python3 (python3-astropy)."""
import csv
import io
import math
import re
import sys
import xml.etree.ElementTree as ET

XSI_NIL = '{http://www.w3.org/2001/XMLSchema-instance}nil'
FORBIDDEN = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def reference(path):
    # Text columns come as HEX(...): the client's XML output would carry control characters raw.
    rows = []
    for row in ET.parse(path).getroot().iter('row'):
        r = {}
        for f in row.iter('field'):
            v = None if f.get(XSI_NIL) == 'true' else (f.text or '')
            if v is not None and f.get('name') in HEXTEXT:
                v = bytes.fromhex(v).decode('utf-8')
            r[f.get('name')] = v
        rows.append(r)
    return rows


def norm_time(s):
    return s.replace(' ', 'T', 1) if re.match(r'^\d{4}-\d\d-\d\d ', s) else s


def same_float(got, ref, width):
    import numpy
    if ref is None:
        return got is None or (isinstance(got, float) and math.isnan(got))
    if got is None:
        return False
    conv = numpy.float32 if width == 32 else numpy.float64
    a, b = conv(got), conv(float(ref))
    return (a == b and math.copysign(1, a) == math.copysign(1, b)) or (math.isnan(a) and math.isnan(b))


def votable_rows(path):
    import numpy
    from astropy.io.votable import parse
    vot = parse(path)
    table = vot.get_first_table()
    fields = {f.name: f for f in table.fields}
    out = []
    data = table.array
    for i in range(len(data)):
        row = {}
        for name in data.dtype.names:
            v = data[name][i]
            masked = numpy.ma.is_masked(v)
            f = fields[name]
            if f.datatype == 'unsignedByte' and f.arraysize:
                row[name] = None if masked else bytes(numpy.asarray(v, dtype=numpy.uint8)).hex().upper()
            elif masked:
                row[name] = None
            elif isinstance(v, (bytes, numpy.bytes_)):
                row[name] = v.decode('utf-8')
            elif isinstance(v, (numpy.floating,)):
                row[name] = float(v)
            elif isinstance(v, (numpy.bool_, bool)):
                row[name] = bool(v)
            elif isinstance(v, (numpy.integer,)):
                row[name] = int(v)
            else:
                row[name] = str(v)
        out.append(row)
    return fields, out


def text_rows(path, kind):
    with open(path, encoding='utf-8', newline='') as fh:
        text = fh.read()
    if kind == 'csv':
        rows = list(csv.reader(io.StringIO(text, newline='')))
    else:
        unesc = {'t': '\t', 'n': '\n', 'r': '\r', '\\': '\\'}
        rows = [[re.sub(r'\\(.)', lambda m: unesc.get(m.group(1), m.group(0)), c) for c in line.split('\t')]
                for line in text.split('\n') if line != '']
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def main():
    kind, result, ref_path = sys.argv[1:4]
    ref = reference(ref_path)
    problems = []
    if kind == 'votable':
        fields, got = votable_rows(result)
    else:
        fields, got = None, text_rows(result, kind)
    if len(got) != len(ref):
        problems.append('row count %d, database has %d' % (len(got), len(ref)))
    for i, (g, r) in enumerate(zip(got, ref)):
        for name, rv in r.items():
            if name not in g:
                problems.append('row %d: column %s missing' % (i, name))
                continue
            gv = g[name]
            dt = fields[name].datatype if fields else None
            if kind != 'votable' and gv == '' and rv is None:
                continue  # CSV and TSV write NULL as an empty field
            if kind == 'votable' and gv in ('', None) and rv in ('', None) and dt in ('char', 'unicodeChar', 'unsignedByte'):
                continue  # TABLEDATA has no way to tell an empty string from NULL; readers say ''
            if kind != 'votable' and name in BLOBS and gv:
                gv = bytes(int(x) for x in gv.split()).hex().upper()
            if dt in ('float', 'double') or (fields is None and name in FLOATS):
                width = 32 if (dt == 'float' or name in FLOAT32) else 64
                ok = same_float(None if gv in (None, '') else float(gv), rv, width)
            elif dt in ('short', 'int', 'long') or (fields is None and name in INTS):
                ok = (gv is None and rv is None) or (gv not in (None, '') and rv is not None and int(gv) == int(rv))
            elif dt == 'boolean' or (fields is None and name in BOOLS):
                want = None if rv is None else rv not in ('0', '')
                have = gv if isinstance(gv, bool) or gv is None else {'true': True, 'false': False, 'T': True, 'F': False}.get(gv)
                ok = have == want
            else:
                want = None if rv is None else norm_time(rv)
                if want is not None:
                    # Every format writes the XML character set, so a value reads the same in each.
                    want = FORBIDDEN.sub('\ufffd', want)
                if kind != 'votable' and want is None:
                    want = ''
                ok = gv == want or (kind == 'votable' and want == '' and gv is None and dt in ('char', 'unicodeChar'))
            if not ok:
                problems.append('row %d column %s: got %r, database has %r' % (i, name, gv, rv))
    if problems:
        print('\n'.join(problems))
        sys.exit(1)
    print('%s: %d rows identical to the database' % (kind, len(got)))


FLOATS = {'c_float', 'c_double', 'c_decimal', 'dec'}
FLOAT32 = {'c_float'}
INTS = {'id', 'c_tinyint', 'c_smallint', 'c_int', 'c_bigint'}
BOOLS = {'c_bool'}
HEXTEXT = {'c_char', 'c_varchar', 'c_text'}
BLOBS = {'c_blob'}

if __name__ == '__main__':
    main()
