"""Compares what the service returns for an imported table with the file it was imported from.

usage: compare.py SOURCE RESULT.vot [KEY]
  SOURCE      the imported file: a VOTable (.vot) or a CSV file (.csv)
  RESULT.vot  the service's answer to SELECT * FROM <table> ORDER BY KEY (TABLEDATA or BINARY2)
  KEY         the column both are ordered by (default: id)

Checks, for every column of the source: the result has it, with the same unit and UCD (VOTable
sources); every value is equal: integers exactly, floats bit for bit at their width (NaN in the
source may come back as NULL: the database has no NaN), text exactly, timestamps as instants,
arrays element by element (the service may return arrays that taproom-import stored as text as
that text: "10.5 -20.25"), booleans with '?' as NULL.  Prints the differences and exits 1 when there
are any.  Run with Debian's /usr/bin/python3 (python3-astropy)."""
import csv
import datetime
import math
import sys
import warnings

import numpy
from astropy.io.votable import parse

warnings.simplefilter('ignore')


def plain(v):
    """A value as plain Python: None for masked, lists for arrays, str for text."""
    if v is None or v is numpy.ma.masked:
        return None
    if isinstance(v, numpy.ma.MaskedArray):
        return [None if m else plain(x) for x, m in zip(v.data.ravel(), numpy.ma.getmaskarray(v).ravel())]
    if isinstance(v, numpy.ndarray):
        return [plain(x) for x in v.ravel()]
    if isinstance(v, bytes):
        return v.decode('utf-8')
    if isinstance(v, numpy.generic):
        return v.item()
    return v


def tokens(text, datatype):
    """An array the service returned as its text form, as values."""
    out = []
    if datatype == 'bit':
        return [c == '1' for c in text if c in '01']
    for t in text.split():
        if datatype == 'boolean':
            out.append(None if t == '?' else t in ('T', 't', '1', 'true'))
        elif datatype in ('short', 'int', 'long', 'unsignedByte'):
            out.append(int(t, 0))
        else:
            out.append(float(t.replace('Inf', 'inf')))
    return out


def flatten_complex(vals, is_complex):
    out = []
    for v in vals:
        if isinstance(v, complex):
            out += [v.real, v.imag]
        elif v is None and is_complex:
            out += [None, None]  # astropy masks a complex value with a NaN part
        else:
            out.append(v)
    return out


def same_number(a, b, width):
    if a is None or b is None:
        # NaN in the file may be NULL in the database
        x = b if a is None else a
        return x is None or (isinstance(x, float) and math.isnan(x))
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    if isinstance(a, float) or isinstance(b, float):
        conv = numpy.float32 if width == 32 else numpy.float64
        x, y = conv(a), conv(b)
        return x == y or (math.isnan(x) and math.isnan(y))
    return a == b


def instant(s):
    s = s.rstrip('Z').replace('T', ' ')
    if len(s) == 10:
        s += ' 00:00:00'
    if '.' in s:
        head, frac = s.split('.')
        s = head + '.' + (frac + '000000')[:6]
    return datetime.datetime.fromisoformat(s)


def same(src_field, a, b, res_datatype):
    dt = src_field['datatype']
    width = 32 if dt in ('float', 'floatComplex') else 64
    if dt in ('char', 'unicodeChar'):
        # TABLEDATA has one empty TD for NULL and "" (VOTable 1.4 §5.5); astropy reads it as ""
        a, b = a or None, b or None
        if src_field.get('xtype') == 'timestamp' and a is not None and b is not None:
            return instant(a) == instant(b)
        return a == b
    arrayish = src_field.get('arraysize') is not None or dt.endswith('Complex')
    if not arrayish:
        return same_number(a, b, width)
    if isinstance(b, str):
        b = tokens(b, dt)
    is_complex = dt.endswith('Complex')
    if is_complex and a is None and isinstance(b, list) and any(isinstance(x, float) and math.isnan(x) for x in b):
        return True  # astropy masks a complex value with a NaN part
    if a is None or b is None:
        # an empty array and NULL are one thing in TABLEDATA (VOTable 1.4 §5.5)
        return (a in (None, [])) and (b in (None, []))
    a = flatten_complex(a if isinstance(a, list) else [a], is_complex)
    b = flatten_complex(b if isinstance(b, list) else [b], is_complex)
    if dt == 'bit':
        a = [bool(x) for x in a]
        b = [bool(x) for x in b]
    return len(a) == len(b) and all(same_number(x, y, width) for x, y in zip(a, b))


def read_votable(path):
    table = parse(path).get_first_table()
    fields = [{'name': f.name, 'datatype': f.datatype, 'arraysize': f.arraysize, 'xtype': f.xtype,
               'unit': str(f.unit) if f.unit is not None else None, 'ucd': f.ucd} for f in table.fields]
    rows = [[plain(r[f['name']]) for f in fields] for r in table.array]
    return fields, rows


def read_csv(path):
    with open(path, newline='', encoding='utf-8-sig') as f:
        reader = csv.reader(f)
        head = [h.strip() for h in next(reader)]
        rows = [r for r in reader if r]
    fields = [{'name': h, 'datatype': 'char', 'arraysize': '*', 'xtype': None, 'unit': None, 'ucd': None} for h in head]
    return fields, [[v if v != '' else None for v in r] for r in rows]


def main():
    src, res = sys.argv[1], sys.argv[2]
    key = sys.argv[3] if len(sys.argv) > 3 else 'id'
    is_csv = src.endswith('.csv')
    sfields, srows = read_csv(src) if is_csv else read_votable(src)
    rfields, rrows = read_votable(res)
    rindex = {f['name']: i for i, f in enumerate(rfields)}
    diffs = []
    for f in sfields:
        if f['name'] not in rindex:
            diffs.append('column %s is missing from the result' % f['name'])
            continue
        rf = rfields[rindex[f['name']]]
        if not is_csv:
            for attr in ('unit', 'ucd'):
                if (f[attr] or None) != (rf[attr] or None):
                    diffs.append('column %s: %s %r, the file says %r' % (f['name'], attr, rf[attr], f[attr]))
    if len(srows) != len(rrows):
        diffs.append('%d rows, the file has %d' % (len(rrows), len(srows)))
    skey = [f['name'] for f in sfields].index(key)
    order = sorted(range(len(srows)), key=lambda i: float(srows[i][skey]))
    for n, (i, rrow) in enumerate(zip(order, rrows)):
        for k, f in enumerate(sfields):
            if f['name'] not in rindex:
                continue
            a, b = srows[i][k], rrow[rindex[f['name']]]
            rdt = rfields[rindex[f['name']]]['datatype']
            if is_csv:
                if a is not None and a.lower() == 'nan' and rdt not in ('char', 'unicodeChar'):
                    a = None  # the database has no NaN
                ok = (a is None and b is None) or (a is not None and b is not None and
                                                  (str(b) == a or same_number(float(a), b, 64)
                                                   if rdt not in ('char', 'unicodeChar') else b == a))
                if rdt in ('char', 'unicodeChar'):
                    ok = (a or None) == (b or None)  # astropy reads an empty TD as ""
            else:
                ok = same(f, a, b, rdt)
            if not ok:
                diffs.append('row %d, column %s: %r, the file has %r' % (n + 1, f['name'], b, a))
    for d in diffs:
        print(d)
    sys.exit(1 if diffs else 0)


if __name__ == '__main__':
    main()
