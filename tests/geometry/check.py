#!/usr/bin/python3
"""tests/geometry/check.py: the checks of tests/integration/geometry.sh against a running service.

    check.py SECTION BASE_URL STATE_DIR
    SECTION: regions | distance | values | xmatch | explain | errors

STATE_DIR holds cat.tsv (the rows of geo.cat, as loaded), taproom.log (with the "sql:" lines of
log_level debug) and mysql.sock.  Exit status 0 when every check of the section passed.

The reference is an independent double-precision computation with numpy, written from the ADQL and
STC definitions, not from the SQL the service makes:
  cones     the angle atan2(|p x c|, p . c) compared with the radius;
  boxes     p rotated into the box's frame (x to the centre, y east, z north); inside when x > 0 and
            the angles atan2(y, x), atan2(z, x) are within half the width and height (ADQL 2.0 BOX:
            sides are great circles at right angles to the arms through the centre);
  polygons  the winding number: the sum of the signed angles the edges subtend at p, non-zero inside
            (on the hemisphere of the vertices' mean direction, which holds the smaller region).
Rows within TOL degrees of a border are left out of every comparison.  "regions" also shows the
prefilter a superset: the exact test alone (CONTAINS used as a value) counts the same rows."""

import concurrent.futures
import csv
import io
import math
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import numpy as np

TOL = 1e-9  # degrees: rows this close to a border may fall either way
MAS = 1.0 / 3600e3

SECTION, BASE, STATE = sys.argv[1], sys.argv[2], sys.argv[3]
FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("  FAIL:", msg)


# ---- the service --------------------------------------------------------------------------------


def sync(query, fmt="csv", maxrec=10000000):
    """(status, body bytes) of a /sync query."""
    data = urllib.parse.urlencode({"QUERY": query, "LANG": "ADQL", "RESPONSEFORMAT": fmt,
                                   "MAXREC": str(maxrec)}).encode()
    try:
        with urllib.request.urlopen(BASE + "/sync", data=data, timeout=300) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def rows(query):
    status, body = sync(query)
    if status != 200:
        raise RuntimeError("HTTP %d for %s: %s" % (status, query, body[:2000].decode("utf-8", "replace")))
    r = list(csv.reader(io.StringIO(body.decode())))
    return r[0], r[1:]


def sql_of(mark=""):
    """The SQL of the last query (holding mark), from the service's debug log."""
    with open(os.path.join(STATE, "taproom.log"), encoding="utf-8", errors="replace") as f:
        lines = [l for l in f if "sql: " in l and mark in l]
    return lines[-1].split("sql: ", 1)[1].strip() if lines else ""


def mysql(sql):
    out = subprocess.run(["mariadb", "--no-defaults", "-S", os.path.join(STATE, "mysql.sock"), "-uroot",
                          "--batch", "-e", sql], capture_output=True, text=True, check=True)
    return list(csv.DictReader(io.StringIO(out.stdout), delimiter="\t"))


# ---- the catalog and the reference geometry ------------------------------------------------------


def load_catalog():
    ids, ra, dec = [], [], []
    with open(os.path.join(STATE, "cat.tsv")) as f:
        for line in f:
            c = line.split("\t", 3)
            ids.append(int(c[0]))
            ra.append(float(c[1]))
            dec.append(float(c[2]))
    return np.array(ids), np.array(ra), np.array(dec)


def unitvec(ra, dec):
    ra, dec = np.radians(ra), np.radians(dec)
    return np.stack([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)], axis=-1)


def angle(p, q):
    return np.degrees(np.arctan2(np.linalg.norm(np.cross(p, q), axis=-1), np.sum(p * q, axis=-1)))


def f(x):
    """A number for ADQL that reads back as the same double."""
    return repr(float(x))


class Cone:
    def __init__(self, ra, dec, r, adql=None):
        self.ra, self.dec, self.r = ra, dec, r
        self.adql = adql or "CIRCLE(%s, %s, %s)" % (f(ra), f(dec), f(r))

    def classify(self, P):
        if self.r >= 180:
            return np.ones(len(P), bool), np.zeros(len(P), bool)
        d = angle(P, unitvec(self.ra, self.dec))
        return d <= self.r, np.abs(d - self.r) < TOL


class Box:
    def __init__(self, ra, dec, w, h, adql=None):
        self.ra, self.dec, self.w, self.h = ra, dec, w, h
        self.adql = adql or "BOX(%s, %s, %s, %s)" % (f(ra), f(dec), f(w), f(h))

    def classify(self, P):
        a, d = math.radians(self.ra), math.radians(self.dec)
        C = np.array([math.cos(d) * math.cos(a), math.cos(d) * math.sin(a), math.sin(d)])
        E = np.array([-math.sin(a), math.cos(a), 0.0])
        N = np.cross(C, E)
        x, y, z = P @ C, P @ E, P @ N
        ha, hb = self.w / 2, self.h / 2
        inside = (x > 0) & (np.abs(np.degrees(np.arctan2(y, x))) <= ha) & (np.abs(np.degrees(np.arctan2(z, x))) <= hb)
        sa, ca, sb, cb = math.sin(math.radians(ha)), math.cos(math.radians(ha)), math.sin(math.radians(hb)), math.cos(math.radians(hb))
        near = np.zeros(len(P), bool)
        for n in (-sa * C + ca * E, sa * C + ca * E, -sb * C + cb * N, sb * C + cb * N):
            near |= np.degrees(np.arcsin(np.minimum(1, np.abs(P @ n)))) < TOL
        return inside, near


class Polygon:
    def __init__(self, coords, adql=None):
        self.coords = coords
        self.adql = adql or "POLYGON(%s)" % ", ".join(f(c) for c in coords)

    def classify(self, P):
        V = unitvec(np.array(self.coords[0::2]), np.array(self.coords[1::2]))
        keep = [i for i in range(len(V)) if np.linalg.norm(V[i] - V[(i + 1) % len(V)]) > 1e-14]
        V = V[keep]
        m = V.sum(axis=0)
        m /= np.linalg.norm(m)
        # only the points of the cap around m through the farthest vertex (and a degree more) can be
        # inside or near: the polygon lies in that cap, which is convex
        spread = max(angle(v, m) for v in V)
        near_cap = np.flatnonzero(P @ m >= math.cos(math.radians(min(90.0, spread + 1))))
        full_P, P = P, P[near_cap]
        px, py, pz = P[:, 0], P[:, 1], P[:, 2]
        wind = np.zeros(len(P))
        dist = np.full(len(P), 360.0)
        for i in range(len(V)):
            A, B = V[i], V[(i + 1) % len(V)]
            # the angle the edge subtends at p: atan2(p.(A x B), (A - p).(B - p) - (p.(A - p))(p.(B - p))),
            # with A x B as A x (B - A) and the differences taken first: no cancellation for a small polygon
            AB = np.cross(A, B - A)
            ax, ay, az = A[0] - px, A[1] - py, A[2] - pz
            bx, by, bz = B[0] - px, B[1] - py, B[2] - pz
            pa, pb = px * ax + py * ay + pz * az, px * bx + py * by + pz * bz
            wind += np.arctan2(P @ AB, ax * bx + ay * by + az * bz - pa * pb)
            # distance to the edge: to its great circle where p projects inside the arc, else to the
            # nearer end (chord formula, exact near 0)
            n = AB / np.linalg.norm(AB)
            on_arc = (P @ np.cross(n, A) >= 0) & (P @ np.cross(B, n) >= 0)
            to_end = np.minimum(np.sqrt(ax * ax + ay * ay + az * az), np.sqrt(bx * bx + by * by + bz * bz))
            d = np.where(on_arc, np.degrees(np.arcsin(np.minimum(1, np.abs(P @ n)))),
                         np.degrees(2 * np.arcsin(np.minimum(1, to_end / 2))))
            dist = np.minimum(dist, d)
        inside, near = np.zeros(len(full_P), bool), np.zeros(len(full_P), bool)
        inside[near_cap] = (np.abs(wind) > np.pi) & (P @ m > 0)
        near[near_cap] = dist < TOL
        return inside, near


def reversed_pairs(coords):
    """The same polygon, its vertices in the opposite order."""
    return [c for k in range(len(coords) // 2 - 1, -1, -1) for c in coords[2 * k:2 * k + 2]]


def regions(ids, ra, dec):
    """At least 60 regions: tiny to whole-sky cones, boxes, convex and concave polygons, at the poles
    and across RA 0, in several spellings (REGION strings, POINT vertices, clockwise order)."""
    rng = np.random.default_rng(20240229)
    north = np.flatnonzero(dec > 89.5)
    south = np.flatnonzero(dec < -89.5)
    ra0 = np.flatnonzero((np.abs(ra - 180) > 179.5) & (np.abs(dec) < 40))
    pick = lambda idx: int(idx[rng.integers(len(idx))])
    anyrow = np.arange(len(ids))
    R = []
    # cones
    for i, r in ((pick(anyrow), MAS), (pick(north), MAS), (pick(south), MAS), (pick(ra0), MAS),
                 (pick(anyrow), 1 / 3600), (pick(ra0), 1 / 60), (pick(north), 1 / 60)):
        R.append(Cone(ra[i], dec[i], r))
    R += [Cone(10, 20, 1), Cone(0, 0, 2), Cone(359.5, 10, 1), Cone(0.2, -30, 0.5), Cone(0, 89.9, 0.5),
          Cone(180, -89.9, 0.3), Cone(45, 90, 1), Cone(0, -90, 2), Cone(100, 85, 5), Cone(200, 80, 9.99),
          Cone(30, 60, 20), Cone(0, 45, 45), Cone(123, -45, 90), Cone(270, 10, 120), Cone(0, 89.9, 179.95),
          Cone(180, -89.9, 179.7), Cone(10, 20, 180), Cone(350, -5, 30), Cone(0, 0, 0.01), Cone(359.99, 44, 0.05),
          Cone(90, 0, 60), Cone(0, 30, 10), Cone(300, -60, 3), Cone(-10, 5, 3), Cone(370, 5, 3),
          Cone(15, 25, 2, "REGION('CIRCLE ICRS 15 25 2')"),
          Cone(0.1, 2, 1.5, "CIRCLE(POINT('ICRS', 0.1, 2), 1.5)")]
    i = pick(anyrow)
    R.append(Box(ra[i], dec[i], 1 / 3600, 1 / 3600))
    R += [Box(10, 20, 2, 1), Box(0, 0, 4, 4), Box(359, 30, 5, 3), Box(0, 89, 3, 3), Box(180, -89.9, 1, 1),
          Box(45, 45, 60, 30), Box(0, 0, 170, 170), Box(100, -20, 179.9, 60), Box(0, -45, 0.1, 20),
          Box(300, 70, 30, 10), Box(60, 10, 180, 20), Box(200, 10, 3, 4, "REGION('BOX ICRS 200 10 3 4')"),
          Box(5, -5, 2, 6, "BOX(POINT(5, -5), 2, 6)")]
    # polygons
    i = pick(np.flatnonzero(np.abs(dec) < 60))
    e, ea = 1.5 * MAS, 1.5 * MAS / math.cos(math.radians(dec[i]))  # a triangle of about 3 mas around a row
    R.append(Polygon([ra[i] - ea, dec[i] - e, ra[i] + ea, dec[i] - e, ra[i], dec[i] + e]))
    star = []
    for k in range(10):
        rr = 8 if k % 2 == 0 else 3
        star += [100 + rr * math.cos(math.radians(36 * k)) / math.cos(math.radians(30)),
                 30 + rr * math.sin(math.radians(36 * k))]
    polar_star = []
    for k in range(12):
        polar_star += [30 * k, 70 if k % 2 == 0 else 85]
    comb = [200, -60, 240, -60, 240, -40]
    for k in range(4):
        x = 240 - 10 * k
        comb += [x - 5, -50, x - 10, -40]
    comb = comb[:-2] + [200, -40]
    L = [0, 0, 10, 0, 10, 3, 3, 3, 3, 10, 0, 10]
    chevron = [350, 0, 0, 5, 10, 0, 10, 10, 0, 15, 350, 10]
    tri = [10, 10, 20, 10, 15, 20]
    R += [Polygon(tri), Polygon(tri[4:] + tri[2:4] + tri[:2]),  # clockwise
          Polygon([355, -5, 5, -5, 5, 5, 355, 5]), Polygon([0, 80, 90, 80, 180, 80, 270, 80]),
          Polygon([45, -85, 165, -85, 285, -85]), Polygon(L), Polygon(reversed_pairs(L)),
          Polygon(star), Polygon(polar_star), Polygon(comb), Polygon(chevron),
          Polygon([350, 1, 10, 1.5, 10, 2, 350, 1.2]), Polygon([0, -40, 80, -40, 80, 40, 0, 40]),
          Polygon([20, 20, 30, 20, 25, 30, 20, 20]), Polygon([359, -45, 1, -45, 1, 45, 359, 45]),
          Polygon([0, 80, 120, 80, 0, 90]), Polygon([0, 85, 180, 85, 90, 70]),
          Polygon([300, 10, 340, 10, 350, 40, 320, 60, 290, 40]),
          Polygon([10, -10, 30, -10, 30, 10, 10, 10], "REGION('POLYGON ICRS 10 -10 30 -10 30 10 10 10')"),
          Polygon([150, 0, 160, 0, 155, 8], "POLYGON(POINT(150, 0), POINT(160, 0), POINT(155, 8))"),
          Polygon([0, 60, 60, 60, 120, 60, 180, 60, 240, 60, 300, 62]),
          Polygon([170, -20, 190, -20, 190, -10, 181, -10, 181, 10, 190, 10, 190, 20, 170, 20])]
    return R


# ---- sections ----------------------------------------------------------------------------------


def check_regions():
    ids, ra, dec = load_catalog()
    P = unitvec(ra, dec)
    R = regions(ids, ra, dec)
    if len(R) < 60:
        fail("only %d regions" % len(R))
    total = len(ids)

    # Through the service, two queries at a time (two workers): the rows of the region (the
    # predicate written three ways), the SQL that ran (found in the log by the query's own alias),
    # and, to show the prefilter a superset, the count of the exact test alone (CONTAINS used as a
    # value gets no prefilter: a full scan) and, for some regions, of CONTAINS(...) = 0.
    def service(k):
        reg = R[k]
        pred = ("1 = CONTAINS(POINT(ra, dec), %s)" if k % 3 == 0 else
                "CONTAINS(POINT(ra, dec), %s) = 1" if k % 3 == 1 else "INTERSECTS(%s, POINT(ra, dec)) = 1")
        got = set(int(r[0]) for r in rows("SELECT source_id AS region_%d FROM geo.cat WHERE %s" % (k, pred % reg.adql))[1])
        n = int(rows("SELECT COUNT(*) FROM geo.cat WHERE CONTAINS(POINT(ra, dec), %s) >= 1" % reg.adql)[1][0][0])
        n0 = None
        if k % 10 == 0:
            n0 = int(rows("SELECT COUNT(*) FROM geo.cat WHERE CONTAINS(POINT(ra, dec), %s) = 0" % reg.adql)[1][0][0])
        return got, sql_of("`region_%d`" % k), n, n0

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for k, (got, sql, n, n0) in enumerate(pool.map(service, range(len(R)))):
            reg = R[k]
            inside, near = reg.classify(P)
            want, skip = set(ids[inside].tolist()), set(ids[near].tolist())
            bad = (got ^ want) - skip
            print("  %-70.70s rows %6d  reference %6d  near %d  exact test alone %6d" % (reg.adql, len(got), len(want), len(skip), n))
            if bad:
                fail("%s: %d rows differ from the reference, e.g. %s" % (reg.adql, len(bad), sorted(bad)[:5]))
            if len(want) < 0.4 * total and "BETWEEN" not in sql:  # a smaller region must have a prefilter
                fail("%s: no prefilter in %s" % (reg.adql, sql[:300]))
            if n != len(got):
                fail("%s: the exact test alone gives %d rows, with the prefilter %d" % (reg.adql, n, len(got)))
            if n0 is not None and n0 + len(got) != total:
                fail("%s: %d rows inside + %d outside != %d" % (reg.adql, len(got), n0, total))
    # a point column stands for the table's main position
    got = rows("SELECT COUNT(*) FROM geo.cat WHERE 1 = CONTAINS(pos, CIRCLE(10, 20, 3))")[1][0][0]
    ref = rows("SELECT COUNT(*) FROM geo.cat WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(10, 20, 3))")[1][0][0]
    if got != ref:
        fail("CONTAINS(pos, ...) gives %s rows, CONTAINS(POINT(ra, dec), ...) %s" % (got, ref))
    # circle in circle and intersecting circles, the centres from the table
    for q, test in (("1 = CONTAINS(CIRCLE(ra, dec, 0.5), CIRCLE(10, 20, 3))", lambda d: d <= 2.5),
                    ("1 = INTERSECTS(CIRCLE(ra, dec, 0.5), CIRCLE(10, 20, 3))", lambda d: d <= 3.5)):
        got = set(int(r[0]) for r in rows("SELECT source_id FROM geo.cat WHERE " + q)[1])
        d = angle(P, unitvec(10, 20))
        want = set(ids[test(d)].tolist())
        if got != want:
            fail("%s: %d rows differ" % (q, len(got ^ want)))
    print("  %d regions compared" % len(R))


def check_distance():
    ids, ra, dec = load_catalog()
    P = unitvec(ra, dec)
    k = int(np.flatnonzero(np.abs(dec) < 60)[7])
    centres = [(10.0, 20.0), (ra[k], dec[k]), ((ra[k] + 180) % 360, -dec[k]), (ra[k], dec[k] + 1e-7), (0.0, 90.0)]
    for a, b in centres:
        for form in ("DISTANCE(POINT(ra, dec), POINT(%s, %s))", "DISTANCE(ra, dec, %s, %s)"):
            expr = form % (f(a), f(b))
            got = rows("SELECT source_id, %s AS d FROM geo.cat WHERE MOD(source_id, 997) = 3 OR source_id = %d" % (expr, ids[k]))[1]
            if len(got) < 100:
                fail("%s: only %d rows" % (expr, len(got)))
            index = {v: i for i, v in enumerate(ids.tolist())}
            worst = 0.0
            for sid, d in got:
                i = index[int(sid)]
                ref = angle(P[i], unitvec(a, b))
                worst = max(worst, abs(float(d) - ref))
            print("  %-55s %4d rows, largest difference %.3g deg" % (expr, len(got), worst))
            if worst > 1e-10:
                fail("%s differs from the reference by %g degrees" % (expr, worst))


def check_values():
    from astropy.io.votable import parse
    ids, ra, dec = load_catalog()
    index = {v: i for i, v in enumerate(ids.tolist())}
    nulls = rows("SELECT TOP 1 source_id FROM geo.cat WHERE parallax IS NULL ORDER BY source_id")[1][0][0]
    q = ("SELECT source_id, POINT(ra, dec) AS p, CIRCLE(ra, dec, 0.5) AS c, "
         "POLYGON(ra, dec, ra + 1, dec, ra, dec + 1) AS poly, BOX(10, 20, 2, 1) AS b, "
         "CENTROID(CIRCLE(ra, dec, 1)) AS ce, POINT(parallax, dec) AS pn, pos, COORD1(POINT(ra, dec)) AS c1, "
         "COORDSYS(POINT(ra, dec)) AS cs, AREA(CIRCLE(ra, dec, 1)) AS ar "
         "FROM geo.cat WHERE source_id IN (%d, %d, %s) ORDER BY source_id" % (ids[0], ids[1], nulls))
    want_meta = {"p": ("double", (2,), "point"), "c": ("double", (3,), "circle"), "poly": ("double", (None,), "polygon"),
                 "b": ("double", (None,), "polygon"), "ce": ("double", (2,), "point"), "pn": ("double", (2,), "point"),
                 "pos": ("double", (2,), "point")}
    box = Box(10, 20, 2, 1)
    for fmt in ("votable", "application/x-votable+xml;serialization=BINARY2"):
        status, body = sync(q, fmt)
        if status != 200:
            fail("%s: HTTP %d %s" % (fmt, status, body[:500]))
            continue
        path = os.path.join(STATE, "values.xml")
        with open(path, "wb") as out:
            out.write(body)
        t = parse(path).get_first_table()
        for name, (dt, shape, xt) in want_meta.items():
            fld = t.get_field_by_id_or_name(name)
            if fld.datatype != dt or fld.xtype != xt or str(fld.unit) != "deg":
                fail("%s: field %s is %s %s %s" % (fmt, name, fld.datatype, fld.xtype, fld.unit))
            if shape[0] is not None and fld.arraysize != str(shape[0]):
                fail("%s: field %s arraysize %s" % (fmt, name, fld.arraysize))
        a = t.array
        for r in range(len(a)):
            sid = int(a["source_id"][r])
            i = index[sid]
            exp = {"p": [ra[i], dec[i]], "c": [ra[i], dec[i], 0.5], "poly": [ra[i], dec[i], ra[i] + 1, dec[i], ra[i], dec[i] + 1],
                   "ce": [ra[i], dec[i]], "pos": [ra[i], dec[i]]}
            for name, v in exp.items():
                got = list(np.asarray(a[name][r], dtype=float))
                if got != [float(x) for x in v]:
                    fail("%s: row %d %s = %s, expected %s" % (fmt, sid, name, got, v))
            bv = np.asarray(a["b"][r], dtype=float)
            inside, near = box.classify(unitvec(bv[0::2], bv[1::2]))
            if len(bv) != 8 or not near.all():
                fail("%s: the BOX corners %s are not on its sides" % (fmt, bv))
            pn = a["pn"][r]
            if str(sid) == nulls and not np.ma.is_masked(pn) and not np.isnan(np.asarray(pn, float)).all():
                fail("%s: POINT(NULL, dec) is %s, not NULL" % (fmt, pn))
            if abs(float(a["c1"][r]) - ra[i]) != 0 or str(a["cs"][r]) != "ICRS":
                fail("%s: COORD1 %s COORDSYS %s" % (fmt, a["c1"][r], a["cs"][r]))
            if abs(float(a["ar"][r]) - 2 * math.pi * (1 - math.cos(math.radians(1))) * (180 / math.pi) ** 2) > 1e-9:
                fail("%s: AREA %s" % (fmt, a["ar"][r]))
        print("  %s: %d rows, geometry fields and values as expected" % (fmt, len(a)))
    head, body = rows(q)
    for line in body:
        i = index[int(line[0])]
        p = [float(x) for x in line[head.index("p")].split(" ")]
        if p != [ra[i], dec[i]]:
            fail("csv: p = %s" % line[head.index("p")])
    print("  csv: %d rows, points as 'ra dec'" % len(body))


def check_xmatch():
    ids, ra, dec = load_catalog()
    P = unitvec(ra, dec)
    rng = np.random.default_rng(7)
    pos = []
    for k in range(60):
        i = int(rng.integers(len(ids)))
        pos.append((ra[i] + rng.normal(0, 0.003), dec[i] if abs(dec[i]) > 89 else dec[i] + rng.normal(0, 0.003)))
    pos += [(0.0, 89.95), (359.999, 0.0), (180.0, -89.99), (0.0005, 30.0)]
    values = ", ".join("(%d, %s, %s, %s)" % (k, f(a % 360), f(max(-90, min(90, b))), f(0.01 if k % 2 else 0.02))
                       for k, (a, b) in enumerate(pos))
    mysql("DELETE FROM geo.targets; INSERT INTO geo.targets VALUES " + values + "; ANALYZE TABLE geo.targets")
    for q, radius in (("SELECT t.tid, c.source_id FROM geo.targets AS t JOIN geo.cat AS c "
                       "ON 1 = CONTAINS(POINT(c.ra, c.dec), CIRCLE(t.ra, t.dec, t.r))", None),
                      ("SELECT t.tid, c.source_id FROM geo.targets AS t JOIN geo.cat AS c "
                       "ON 1 = CONTAINS(POINT(c.ra, c.dec), CIRCLE(t.ra, t.dec, 0.01))", 0.01)):
        got = set((int(a), int(b)) for a, b in rows(q)[1])
        sql = sql_of()
        want, near = set(), set()
        for k, (a, b) in enumerate(pos):
            r = radius or (0.01 if k % 2 else 0.02)
            d = angle(P, unitvec(a % 360, max(-90, min(90, b))))
            want |= {(k, int(s)) for s in ids[d <= r]}
            near |= {(k, int(s)) for s in ids[np.abs(d - r) < TOL]}
        bad = (got ^ want) - near
        print("  cross-match: %d pairs, reference %d" % (len(got), len(want)))
        if bad:
            fail("cross-match: %d pairs differ, e.g. %s" % (len(bad), sorted(bad)[:5]))
        plan = mysql("EXPLAIN " + sql)
        cat = [p for p in plan if p["table"] == "t2"]
        print("  plan of geo.cat: type %s, key %s, extra %s" % (cat[0]["type"], cat[0]["key"], cat[0]["Extra"]))
        if not cat or not ((cat[0]["type"] == "range" or "Range checked" in cat[0]["Extra"]) and
                           ("cat_dec" in (cat[0]["possible_keys"] or ""))):
            fail("cross-match: geo.cat is not reached through its dec index: %s" % plan)


def check_explain():
    for cone in ("CIRCLE(10, 20, 1)", "CIRCLE(0.2, 45, 1)", "CIRCLE(200, -30, 1)"):
        n = rows("SELECT COUNT(*) FROM geo.big WHERE 1 = CONTAINS(POINT(ra, dec), %s)" % cone)[1][0][0]
        sql = sql_of()
        plan = mysql("EXPLAIN " + sql)[0]
        print("  1-degree cone %s on geo.big: %s rows; plan type %s, key %s, rows %s" % (cone, n, plan["type"], plan["key"], plan["rows"]))
        if plan["type"] not in ("range", "index_merge") or not re.search(r"big_(dec|ra)", plan["key"] or ""):
            fail("%s: no range scan on the dec or ra index: %s" % (cone, plan))
    total = int(mysql("SELECT COUNT(*) AS n FROM geo.big")[0]["n"])
    if total != 1000000:
        fail("geo.big has %d rows" % total)


def check_errors():
    cases = [
        ("REGION('ELLIPSE ICRS 1 2 3 4 5')", "not supported"),
        ("REGION('CIRCLE ICRS 1 2')", "CIRCLE takes 3 numbers"),
        ("REGION('CIRCLE GALACTIC 1 2 3')", "only ICRS"),
        ("REGION('CIRCLE ICRS 1 2 x')", "expected a number"),
        ("POLYGON(0, 0, 10, 10, 10, 0, 0, 10)", "cross"),
        ("POLYGON(0, 0, 10, 0, 20, 0)", "no area"),
        ("CIRCLE(10, 95, 1)", "outside \\[-90, 90\\]"),
        ("CIRCLE(10, 20, -1)", "negative"),
        ("POLYGON(ra, dec, 1, 2, 3, 4)", "constant vertices"),
    ]
    for region, msg in cases:
        q = "SELECT source_id FROM geo.cat WHERE 1 = CONTAINS(POINT(ra, dec), %s)" % region
        status, body = sync(q)
        text = body.decode("utf-8", "replace")
        m = re.search(r'<INFO name="QUERY_STATUS" value="ERROR">([^<]*)</INFO>', text)
        print("  %-45s HTTP %d: %s" % (region, status, m.group(1)[:150] if m else text[:150]))
        if status != 400 or not m or not re.search(msg, m.group(1)):
            fail("%s: HTTP %d, %s" % (region, status, text[:500]))
    status, body = sync("SELECT source_id FROM geo.cat WHERE 1 = CONTAINS(CIRCLE(ra, dec, 1), POLYGON(1, 2, 3, 4, 5, 7))")
    if status != 400 or b"is not supported" not in body:
        fail("CONTAINS(circle, polygon): HTTP %d %s" % (status, body[:300]))


started = time.time()
{"regions": check_regions, "distance": check_distance, "values": check_values, "xmatch": check_xmatch,
 "explain": check_explain, "errors": check_errors}[SECTION]()
print("  %s: %.1f s, %d failures" % (SECTION, time.time() - started, len(FAILS)))
sys.exit(1 if FAILS else 0)
