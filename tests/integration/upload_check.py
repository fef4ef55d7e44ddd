#!/usr/bin/python3
"""TAP_UPLOAD checks for tests/integration/upload.sh (issue 8), with astropy and pyvo.

    upload_check.py make DIR                 writes DIR/all_td.xml (every datatype, NULLs, TABLEDATA),
                                             DIR/all_b2.xml (the same table as BINARY2, from astropy's values),
                                             DIR/pos.xml (positions near geo.cat rows, from DIR/cat.tsv)
    upload_check.py compare ORIG RESULT      RESULT (a /sync VOTable of SELECT * FROM TAP_UPLOAD.x)
                                             holds ORIG's rows, value by value, NULLs as NULLs
    upload_check.py xmatch RESULT DIR        RESULT of the positional join equals numpy's matches
    upload_check.py pyvo URL DIR             pyvo run_sync with uploads={'t': astropy table}
    upload_check.py error FILE SUBSTRING     FILE is a VOTable error document whose message has SUBSTRING
Exit status 0 when the check passed; the reason is printed otherwise."""

import io
import math
import sys
import warnings

import numpy as np
from astropy.io.votable import parse_single_table, from_table, parse
from astropy.table import Table

warnings.simplefilter("ignore")

ALL_TD = """<?xml version="1.0" encoding="UTF-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
 <RESOURCE type="results">
  <TABLE name="alltypes">
   <DESCRIPTION>every VOTable datatype, with NULLs</DESCRIPTION>
   <FIELD name="id" datatype="int" ucd="meta.id;meta.main"/>
   <FIELD name="b" datatype="boolean"/>
   <FIELD name="bt" datatype="bit"/>
   <FIELD name="ub" datatype="unsignedByte"/>
   <FIELD name="s" datatype="short"/>
   <FIELD name="i" datatype="int" unit="count"/>
   <FIELD name="l" datatype="long"/>
   <FIELD name="c" datatype="char" arraysize="*"><DESCRIPTION>free text</DESCRIPTION></FIELD>
   <FIELD name="c8" datatype="char" arraysize="8"/>
   <FIELD name="u" datatype="unicodeChar" arraysize="*"/>
   <FIELD name="f" datatype="float" unit="mag" ucd="phot.mag"/>
   <FIELD name="d" datatype="double" unit="deg" ucd="pos.eq.ra" utype="test:d"/>
   <FIELD name="fc" datatype="floatComplex"/>
   <FIELD name="dc" datatype="doubleComplex"/>
   <FIELD name="da" datatype="double" arraysize="3"/>
   <FIELD name="ia" datatype="int" arraysize="*"/>
   <FIELD name="ts" datatype="char" arraysize="*" xtype="timestamp"/>
   <FIELD name="fa" datatype="float" arraysize="2x2"/>
   <FIELD name="sa" datatype="short" arraysize="2x*"/>
   <FIELD name="ca" datatype="doubleComplex" arraysize="2"/>
   <DATA><TABLEDATA>
    <TR><TD>1</TD><TD>T</TD><TD>1</TD><TD>7</TD><TD>-12</TD><TD>123456</TD><TD>1234567890123</TD><TD>hello</TD><TD>abc</TD><TD>Ωmega ✓</TD><TD>1.5</TD><TD>10.25</TD><TD>1 2</TD><TD>3.5 -4.25</TD><TD>1 2 3</TD><TD>4 5</TD><TD>2024-01-02T03:04:05.123456</TD><TD>1 2 3 4</TD><TD>1 2 3 4</TD><TD>1 2 3 4</TD></TR>
    <TR><TD>2</TD><TD>F</TD><TD>0</TD><TD>255</TD><TD>-32768</TD><TD>-2147483647</TD><TD>9223372036854775807</TD><TD>O'Brien \\ "x" &lt;&amp;&gt; ;--</TD><TD>abcdefgh</TD><TD>日本語</TD><TD>3.4028235e38</TD><TD>1.7976931348623157e308</TD><TD>-1.5 0.25</TD><TD>1e300 -1e-300</TD><TD>0.1 0.2 0.30000000000000004</TD><TD>-2147483647</TD><TD>1999-12-31T23:59:59</TD><TD>-0.5 1e-3 3.4028235e38 0</TD><TD>-32768 32767</TD><TD>1e300 -1e-300 0.1 -0</TD></TR>
    <TR><TD>3</TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD></TD><TD>NaN NaN NaN NaN</TD><TD></TD><TD>NaN NaN NaN NaN</TD></TR>
    <TR><TD>4</TD><TD>?</TD><TD>0</TD><TD>0</TD><TD>32767</TD><TD>0</TD><TD>-9223372036854775807</TD><TD> spaced </TD><TD>x</TD><TD>a</TD><TD>-0.0</TD><TD>5e-324</TD><TD>0 0</TD><TD>0 0</TD><TD>-1 -2 -3</TD><TD></TD><TD>2000-02-29</TD><TD>0 0 0 0</TD><TD></TD><TD>0 0 0 0</TD></TR>
   </TABLEDATA></DATA>
  </TABLE>
 </RESOURCE>
</VOTABLE>
"""


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def make(d):
    with open(d + "/all_td.xml", "w", encoding="utf-8") as f:
        f.write(ALL_TD)
    write_binary2(d + "/all_td.xml", d + "/all_b2.xml")
    # positions 0.0005 deg away from every 100th row of geo.cat, plus some far from everything
    ids, ra, dec = [], [], []
    with open(d + "/cat.tsv") as f:
        for k, line in enumerate(f):
            if k % 100 == 0:
                p = line.split("\t")
                ids.append(int(p[0]))
                ra.append(float(p[1]))
                dec.append(max(-90.0, min(90.0, float(p[2]) + 0.0005)))
    t = Table([np.arange(len(ids)), np.array(ra), np.array(dec)], names=("mid", "ra", "dec"))
    t["ra"].unit = "deg"
    t["dec"].unit = "deg"
    from_table(t).to_xml(d + "/pos.xml")
    np.save(d + "/pos_ids.npy", np.array(ids))


# struct formats of the fixed-size primitives (VOTable 1.4 Table 1, big-endian)
FMT = {"unsignedByte": "B", "short": "h", "int": "i", "long": "q", "float": "f", "double": "d",
       "floatComplex": "ff", "doubleComplex": "dd"}


def write_binary2(src, dst):
    """The table of src (TABLEDATA) as BINARY2.  astropy reads it but cannot write it for masked
    integers (its writer raises W31 instead of setting the null flag), so the bytes are made here from
    the values astropy parsed, and astropy checks the result (compare)."""
    import base64
    import struct
    vt = parse(src)
    t = vt.get_first_table()
    fields, arr = t.fields, t.array
    out = bytearray()
    for r in range(len(arr)):
        flags = bytearray((len(fields) + 7) // 8)
        body = bytearray()
        for k, f in enumerate(fields):
            v, m = arr[f.name][r], np.ma.getmaskarray(arr[f.name])[r]
            isnull = bool(np.all(m))
            if isnull:
                flags[k // 8] |= 0x80 >> (k % 8)
            dt, size = f.datatype, f.arraysize
            if dt == "boolean":
                body += b"?" if isnull else (b"T" if v else b"F")
            elif dt == "bit":
                # VOTable 1.4 §5.4: the bit is the byte's most significant one; astropy 5 reads bit
                # 0x08 instead, so both are set and either reading gives the value
                body += bytes([0 if isnull or not v else 0x88])
            elif dt in ("char", "unicodeChar"):
                s = "" if isnull else (v.decode() if isinstance(v, bytes) else str(v))
                enc = s.encode("utf-8") if dt == "char" else s.encode("utf-16-be")
                if size == "*":
                    body += struct.pack(">i", len(enc) // (1 if dt == "char" else 2)) + enc
                else:
                    n = int(size) * (1 if dt == "char" else 2)
                    body += enc[:n].ljust(n, b"\0")
            else:
                fmt = FMT[dt]
                def one(x):
                    if "Complex" in dt:
                        return struct.pack(">" + fmt, 0 if isnull else x.real, 0 if isnull else x.imag)
                    return struct.pack(">" + fmt, 0 if isnull else x)
                if size is None:
                    body += one(v)
                else:
                    # VOTable 1.4 §2.2: "AxBx..."; the count of a variable size is of its last dimension
                    dims = [int(x) for x in size.rstrip("*").split("x") if x]
                    lead = int(np.prod(dims[:-1] if size.endswith("*") else dims)) if dims else 1
                    vals = [] if isnull else list(np.asarray(v).ravel())
                    if size.endswith("*"):
                        body += struct.pack(">i", len(vals) // lead)
                    else:
                        vals = vals or [0] * lead
                    for x in vals:
                        body += one(x)
        out += flags + body
    text = open(src, encoding="utf-8").read()
    start, end = text.index("<TABLEDATA>"), text.index("</TABLEDATA>") + len("</TABLEDATA>")
    b64 = base64.b64encode(bytes(out)).decode()
    b64 = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    text = text[:start] + '<BINARY2><STREAM encoding="base64">\n' + b64 + "\n</STREAM></BINARY2>" + text[end:]
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)


def cells(t):
    return [[t[c][i] for c in t.colnames] for i in range(len(t))]


def masked(v):
    return v is np.ma.masked or (isinstance(v, np.ma.MaskedArray) and v.mask.all())


def same(a, b, name):
    """a: original cell, b: returned cell."""
    if masked(a) or (isinstance(a, (float, np.floating)) and math.isnan(a)):
        return masked(b) or (isinstance(b, (float, np.floating)) and math.isnan(b)) or b in ("", None)
    if masked(b):
        return False
    if isinstance(b, (str, bytes)) != isinstance(a, (str, bytes)):
        return False  # e.g. an array or complex value served as text
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        aa, bb = np.asarray(a), np.asarray(b)
        return aa.shape == bb.shape and aa.dtype == bb.dtype and bool(np.all(aa == bb))
    if isinstance(a, (np.complexfloating, complex)):
        return type(a) == type(b) and a == b
    if isinstance(a, bytes):
        a = a.decode()
    if isinstance(b, bytes):
        b = b.decode()
    if name == "ts":
        return str(a).rstrip("Z").replace("T00:00:00", "") == str(b).rstrip("Z").replace("T00:00:00", "").rstrip("0").rstrip(".") or \
            str(b).startswith(str(a).rstrip("Z"))
    if isinstance(a, (float, np.floating)):
        return float(a) == float(b) and math.copysign(1, float(a)) == math.copysign(1, float(b)) or float(a) == float(b)
    return a == b


def compare(orig, res):
    a = parse_single_table(orig).to_table()
    b = parse_single_table(res).to_table()
    if list(a.colnames) != list(b.colnames):
        fail("columns %s, expected %s" % (b.colnames, a.colnames))
    if len(a) != len(b):
        fail("%d rows, expected %d" % (len(b), len(a)))
    order = np.argsort(np.asarray(b["id"]))
    b = b[order]
    bad = []
    for c in a.colnames:
        for i in range(len(a)):
            if not same(a[c][i], b[c][i], c):
                bad.append("row %d column %s: %r, expected %r" % (i + 1, c, b[c][i], a[c][i]))
    fa = {f.name: f for f in parse_single_table(orig).fields}
    fb = {f.name: f for f in parse_single_table(res).fields}
    for n in ("i", "f", "d"):
        if fa[n].unit != fb[n].unit or fa[n].ucd != fb[n].ucd:
            bad.append("column %s: unit/ucd %s/%s, expected %s/%s" % (n, fb[n].unit, fb[n].ucd, fa[n].unit, fa[n].ucd))
    for n, f in fa.items():
        # the declared type, not text: arrays and complex values keep datatype and arraysize
        if fb[n].datatype != f.datatype or (f.datatype not in ("char", "unicodeChar") and fb[n].arraysize != f.arraysize):
            bad.append("column %s: %s[%s], expected %s[%s]" % (n, fb[n].datatype, fb[n].arraysize, f.datatype, f.arraysize))
    if fb["ts"].xtype != "timestamp":
        bad.append("column ts: xtype %s" % fb["ts"].xtype)
    if bad:
        fail("; ".join(bad))


def csv_compare(orig, res):
    """The numeric arrays and complex values of a CSV result: their TABLEDATA text, numbers equal to
    the original's (complex as real and imaginary parts), integers written as integers."""
    import csv
    t = parse_single_table(orig)
    a = t.to_table()
    with open(res, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head, rows = rows[0], sorted(rows[1:], key=lambda r: int(r[0]))
    bad = []
    for f in t.fields:
        if f.datatype in ("char", "unicodeChar", "boolean", "bit") or (f.arraysize is None and "Complex" not in f.datatype):
            continue
        k = head.index(f.name)
        for i in range(len(a)):
            v, cell = a[f.name][i], rows[i][k]
            if masked(v):
                ok = cell == "" or all(x == "NaN" for x in cell.split())
            else:
                flat = np.asarray(v).ravel()
                if np.iscomplexobj(flat):
                    flat = np.column_stack([flat.real, flat.imag]).ravel()
                toks = cell.split(" ") if cell else []
                isint = f.datatype in ("unsignedByte", "short", "int", "long")
                got = [int(x) if isint else float(x) for x in toks]
                # floats are read back at the column's precision, as any reader does
                ok = len(got) == len(flat) and bool(np.all(np.asarray(got, dtype=flat.dtype) == flat))
            if not ok:
                bad.append("row %d column %s: %r, expected %r" % (i + 1, f.name, cell, a[f.name][i]))
    if bad:
        fail("; ".join(bad))


def xmatch(res, d):
    ids = np.load(d + "/pos_ids.npy")
    b = parse_single_table(res).to_table()
    got = set((int(m), int(s)) for m, s in zip(b["mid"], b["source_id"]))
    want = set((k, int(i)) for k, i in enumerate(ids))
    if not want <= got:
        fail("%d expected pairs missing, e.g. %s" % (len(want - got), sorted(want - got)[:3]))
    print("xmatch: %d pairs, %d expected" % (len(got), len(want)))


def run_pyvo(url, d):
    import pyvo
    t = Table([np.array([1, 2, 3], dtype=np.int32), np.array([10.5, 20.25, np.nan]), np.array(["a", "bb", ""])],
              names=("k", "x", "name"))
    svc = pyvo.dal.TAPService(url)
    r = svc.run_sync("SELECT k, x, name FROM TAP_UPLOAD.t ORDER BY k", uploads={"t": t}).to_table()
    if list(r["k"]) != [1, 2, 3] or float(r["x"][0]) != 10.5 or float(r["x"][1]) != 20.25:
        fail("pyvo: %r" % r)
    if not (masked(r["x"][2]) or math.isnan(float(r["x"][2]))):
        fail("pyvo: NaN came back as %r" % r["x"][2])
    r2 = svc.run_sync("SELECT COUNT(*) AS n FROM TAP_UPLOAD.t AS t JOIN TAP_UPLOAD.u AS u ON t.k = u.k",
                      uploads={"t": t, "u": t}).to_table()
    if int(r2["n"][0]) != 3:
        fail("pyvo two tables: %r" % r2)
    # Async (TAP 1.1 §3): the job keeps its tables until an executor runs it.
    ra = svc.run_async("SELECT k, x, name FROM TAP_UPLOAD.t ORDER BY k", uploads={"t": t}).to_table()
    if list(ra["k"]) != [1, 2, 3] or float(ra["x"][1]) != 20.25 or str(ra["name"][1]) != "bb":
        fail("pyvo run_async: %r" % ra)
    job = svc.submit_job("SELECT COUNT(*) AS n FROM TAP_UPLOAD.t AS t JOIN TAP_UPLOAD.u AS u ON t.k = u.k",
                         uploads={"t": t, "u": t})
    job.run().wait(timeout=60)
    if job.phase != "COMPLETED" or int(job.fetch_result().to_table()["n"][0]) != 3:
        fail("pyvo submit_job with two uploads: %s" % job.phase)
    job.delete()


def error(path, sub):
    import html
    text = html.unescape(open(path, encoding="utf-8").read())
    if 'name="QUERY_STATUS" value="ERROR"' not in text:
        fail("not an error document: " + text[:300])
    if sub not in text:
        fail("message lacks %r: %s" % (sub, text[text.find("QUERY_STATUS"):][:400]))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif cmd == "csv":
        csv_compare(sys.argv[2], sys.argv[3])
    elif cmd == "xmatch":
        xmatch(sys.argv[2], sys.argv[3])
    elif cmd == "pyvo":
        run_pyvo(sys.argv[2], sys.argv[3])
    elif cmd == "error":
        error(sys.argv[2], sys.argv[3])
    else:
        fail("unknown command " + cmd)
