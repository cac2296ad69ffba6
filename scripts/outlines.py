#!/usr/bin/env python3
"""Illustrative district and street outlines for a shipped city, from its reference data.

The project has no survey (GIS) boundaries. This script derives outlines from the centre
points a city's jurisdictions.jsonl gives its streets: each street is the Voronoi cell of its
centre (the land nearer to it than to any other street's centre), clipped to the city's
extent (the convex hull of every district, street and grid centre, widened by MARGIN_KM);
each district is the union of its streets' cells. The result is a GeoJSON FeatureCollection
(outlines.geojson beside the jurisdictions file) that the server serves at
GET /v1/places/outlines and the console's maps draw. The outlines are illustrative: they
follow the reference data's centres, not the real boundaries.

    python3 scripts/outlines.py                # rewrite every shipped city's outlines
    python3 scripts/outlines.py --check        # exit 1 if a file differs from this script
    python3 scripts/outlines.py DIR [DIR ...]  # only these cities' reference directories

Python 3 standard library only; no randomness, no clock: the same input gives the same file.
"""
import json
import math
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CITIES = [os.path.join(ROOT, 'workflows', 'reference'), os.path.join(ROOT, 'workflows', 'cities', 'taicang')]
MARGIN_KM = 2.5
DIGITS = 5  # about a metre


def places(city_dir):
    """The jurisdictions in effect in the file: the last record's items."""
    items = None
    with open(os.path.join(city_dir, 'jurisdictions.jsonl'), encoding='utf-8') as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                items = json.loads(record['body']['content_json'])['items']
    if items is None:
        raise SystemExit(f'{city_dir}/jurisdictions.jsonl: no records')
    return items


class Plane:
    """Lon/lat to a local plane in kilometres (equirectangular about the city's centre)."""

    def __init__(self, points):
        self.lat0 = sum(p[1] for p in points) / len(points)
        self.lon0 = sum(p[0] for p in points) / len(points)
        self.kx = 111.32 * math.cos(math.radians(self.lat0))
        self.ky = 110.57

    def to(self, lon, lat):
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def back(self, x, y):
        return (round(self.lon0 + x / self.kx, DIGITS), round(self.lat0 + y / self.ky, DIGITS))


def hull(points):
    """Convex hull, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        raise SystemExit('fewer than three distinct places: no extent to draw')

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def clip(poly, a, b, c):
    """The part of convex polygon `poly` where a*x + b*y <= c (Sutherland-Hodgman)."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def cell(site, others, extent):
    poly = list(extent)
    for o in others:
        if o == site:
            continue
        # Nearer to site than to o: (o - site) . x <= (|o|^2 - |site|^2) / 2
        a, b = o[0] - site[0], o[1] - site[1]
        c = (o[0] ** 2 + o[1] ** 2 - site[0] ** 2 - site[1] ** 2) / 2
        poly = clip(poly, a, b, c)
        if not poly:
            break
    return poly


def ring_of(poly, plane):
    """A closed GeoJSON ring in lon/lat, rounded, without repeated vertices."""
    pts = []
    for x, y in poly:
        p = plane.back(x, y)
        if not pts or pts[-1] != p:
            pts.append(p)
    while len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return pts


def area(ring):
    return sum(ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1] for i in range(len(ring))) / 2


def inside(pt, ring):
    x, y = pt
    hit = False
    for i in range(len(ring)):
        (x1, y1), (x2, y2) = ring[i], ring[(i + 1) % len(ring)]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def union(rings):
    """The outline of cells that tile without overlap: the edges not shared by two of them
    (a shared edge appears once in each direction), chained into rings; outer rings
    counter-clockwise with the holes inside them. A MultiPolygon's coordinates."""
    edges = {}
    for r in rings:
        for i in range(len(r)):
            a, b = r[i], r[(i + 1) % len(r)]
            if (b, a) in edges:
                del edges[(b, a)]
            else:
                edges[(a, b)] = True
    starts = {}
    for a, b in edges:
        starts.setdefault(a, []).append(b)
    loops = []
    while starts:
        first = min(starts)
        loop = [first]
        cur = first
        while True:
            nxt = starts[cur].pop(0)
            if not starts[cur]:
                del starts[cur]
            if nxt == first:
                break
            loop.append(nxt)
            cur = nxt
            if cur not in starts:
                raise SystemExit(f'an outline does not close at {cur}')
        loops.append(loop)
    outers = [[lp] for lp in loops if area(lp) > 0]
    for lp in loops:
        if area(lp) < 0:
            home = next((o for o in outers if inside(lp[0], o[0])), None)
            if home is None:
                raise SystemExit(f'a hole at {lp[0]} lies in no outline')
            home.append(lp)
    return outers


def closed(ring):
    return [list(p) for p in ring] + [list(ring[0])]


def outlines(city_dir):
    items = places(city_dir)
    located = [p for p in items if p.get('location')]
    plane = Plane([(p['location']['lon'], p['location']['lat']) for p in located])
    xy = {p['code']: plane.to(p['location']['lon'], p['location']['lat']) for p in located}
    # The city's extent: the hull of every centre widened by MARGIN_KM in 16 directions.
    spread = [(x + MARGIN_KM * math.cos(k * math.pi / 8), y + MARGIN_KM * math.sin(k * math.pi / 8)) for x, y in xy.values() for k in range(16)]
    extent = hull(spread)
    streets = [p for p in located if p['level'] == 'street']
    sites = [xy[s['code']] for s in streets]
    if len(set(sites)) != len(sites):
        raise SystemExit('two streets share a centre: their cells would be one')
    features = []
    cells = {}
    for s in streets:
        ring = ring_of(cell(xy[s['code']], sites, extent), plane)
        cells[s['code']] = ring
    for d in [p for p in located if p['level'] == 'district']:
        mine = [cells[s['code']] for s in streets if s['parent'] == d['code']]
        if not mine:
            continue
        polygons = union(mine)
        features.append(feature(d, 'district', {'type': 'MultiPolygon', 'coordinates': [[closed(r) for r in poly] for poly in polygons]}))
    for s in streets:
        features.append(feature(s, 'street', {'type': 'Polygon', 'coordinates': [closed(cells[s['code']])]}))
    return {
        'type': 'FeatureCollection',
        'note': 'Illustrative outlines derived by scripts/outlines.py from the centre points in '
        'jurisdictions.jsonl (Voronoi cells of the street centres, clipped to the city\'s extent; '
        'a district is the union of its streets). Not survey boundaries.',
        'features': features,
    }


def feature(place, level, geometry):
    return {
        'type': 'Feature',
        'properties': {'code': place['code'], 'level': level, 'parent': place.get('parent', ''), 'name': place['name_en'], 'name_zh': place['name_zh']},
        'geometry': geometry,
    }


def main(argv):
    check = '--check' in argv
    dirs = [a for a in argv if a != '--check'] or CITIES
    stale = []
    for d in dirs:
        text = json.dumps(outlines(d), ensure_ascii=False, separators=(',', ':')) + '\n'
        path = os.path.join(d, 'outlines.geojson')
        old = open(path, encoding='utf-8').read() if os.path.exists(path) else None
        if check:
            if old != text:
                stale.append(path)
        elif old != text:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            print(f'wrote {os.path.relpath(path, ROOT)}')
    if stale:
        print('out of date (run python3 scripts/outlines.py): ' + ', '.join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
