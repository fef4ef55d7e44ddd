"""Rewrites a TABLEDATA VOTable as BINARY2 or BINARY (VOTable 1.4 §5.4-5.5), keeping every FIELD
exactly as written.

usage: vot2binary.py binary2|binary IN.vot OUT.vot

An encoder independent of taproom's reader, written from the standard, for the fixtures
alltypes_b2.vot and alltypes_b1.vot.  (STILTS rewrites bit, complex and VALUES; astropy cannot write
BINARY2 for masked integer arrays, astropy issue 16090.)  Empty TDs become set null flags in BINARY2
with zero / NaN / zero-length payloads; BINARY has no null flags, so they become those payloads."""
import base64
import re
import struct
import sys
import xml.etree.ElementTree as ET

FMT = {'unsignedByte': 'B', 'short': 'h', 'int': 'i', 'long': 'q', 'float': 'f', 'double': 'd',
       'floatComplex': 'f', 'doubleComplex': 'd'}
BITS = {'unsignedByte': 8, 'short': 16, 'int': 32, 'long': 64}


def local(tag):
    return tag.rsplit('}', 1)[-1]


def shape(arraysize):
    """(is_variable, fixed element count or bound or None)"""
    if arraysize is None:
        return False, 1
    dims = arraysize.split('x')
    n = 1
    for d in dims[:-1]:
        n *= int(d)
    last = dims[-1]
    if last.endswith('*'):
        return True, (n * int(last[:-1]) if last[:-1] else None)
    return False, n * int(last)


def integer(dt, tok):
    if tok.lower().startswith('0x'):
        v = int(tok[2:], 16)
        bits = BITS[dt]
        if dt != 'unsignedByte' and v >= 1 << (bits - 1):
            v -= 1 << bits
        return v
    return int(tok)


def real(tok):
    t = tok.lower().lstrip('+')
    if t in ('nan', '-nan'):
        return float('nan')
    if t in ('inf', '-inf'):
        return float(t)
    return float(tok)


def booleans(text):
    out = []
    for tok in text.split():
        if tok.lower() in ('true', 'false'):
            out.append(b'T' if tok.lower() == 'true' else b'F')
        else:
            out.extend({'T': b'T', 't': b'T', '1': b'T', 'F': b'F', 'f': b'F', '0': b'F', '?': b'?'}[c] for c in tok)
    return out


def encode(field, text):
    """(count or None for fixed, payload bytes) of one non-null cell."""
    dt, arraysize = field.get('datatype'), field.get('arraysize')
    variable, n = shape(arraysize)
    if dt == 'char':
        data = text.encode('utf-8')
        count = len(data)
        if not variable:
            data = data.ljust(n, b'\0')
        return (count if variable else None), data
    if dt == 'unicodeChar':
        data = text.encode('utf-16-be')
        count = len(data) // 2
        if not variable:
            data = data.ljust(2 * n, b'\0')
        return (count if variable else None), data
    if dt == 'bit':
        bits = [int(c) for c in text if c in '01']
        data = bytearray((len(bits) + 7) // 8)
        for k, b in enumerate(bits):
            data[k // 8] |= b << (7 - k % 8)
        return (len(bits) if variable else None), bytes(data)
    if dt == 'boolean':
        vals = booleans(text)
        return (len(vals) if variable else None), b''.join(vals)
    toks = text.split()
    if dt in BITS:
        vals = [integer(dt, t) for t in toks]
    else:
        vals = [real(t) for t in toks]
    count = len(vals) // 2 if dt.endswith('Complex') else len(vals)
    return (count if variable else None), struct.pack('>%d%s' % (len(vals), FMT[dt]), *vals)


def null_payload(field):
    dt, arraysize = field.get('datatype'), field.get('arraysize')
    variable, n = shape(arraysize)
    if variable:
        return struct.pack('>I', 0)
    if dt == 'bit':
        return bytes((n + 7) // 8)
    if dt in ('float', 'double', 'floatComplex', 'doubleComplex'):
        per = 2 if dt.endswith('Complex') else 1
        return struct.pack('>%d%s' % (n * per, FMT[dt]), *([float('nan')] * (n * per)))
    size = {'boolean': 1, 'unsignedByte': 1, 'short': 2, 'int': 4, 'long': 8, 'char': 1, 'unicodeChar': 2}[dt]
    return bytes(size * n)


def main():
    kind, src, dst = sys.argv[1:4]
    text = open(src, encoding='utf-8').read()
    root = ET.fromstring(text.encode('utf-8'))
    table = next(e for e in root.iter() if local(e.tag) == 'TABLE')
    fields = [e for e in table if local(e.tag) == 'FIELD']
    out = bytearray()
    for tr in (e for e in table.iter() if local(e.tag) == 'TR'):
        tds = [e for e in tr if local(e.tag) == 'TD']
        assert len(tds) == len(fields)
        flags = bytearray((len(fields) + 7) // 8)
        body = bytearray()
        for k, (f, td) in enumerate(zip(fields, tds)):
            value = td.text or ''
            if value == '':
                flags[k // 8] |= 1 << (7 - k % 8)
                body += null_payload(f)
                continue
            count, data = encode(f, value)
            if count is not None:
                body += struct.pack('>I', count)
            body += data
        out += (flags if kind == 'binary2' else b'') + body
    b64 = base64.encodebytes(bytes(out)).decode('ascii')
    element = 'BINARY2' if kind == 'binary2' else 'BINARY'
    data = '<%s><STREAM encoding="base64">\n%s</STREAM></%s>' % (element, b64, element)
    result, n = re.subn(r'<TABLEDATA>.*</TABLEDATA>', lambda m: data, text, flags=re.S)
    assert n == 1
    open(dst, 'w', encoding='utf-8').write(result)


if __name__ == '__main__':
    main()
