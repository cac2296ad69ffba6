#!/usr/bin/env python3
"""bench/plot_scaling.py OUT_DIR SVG: the scaling curve from what bench/scaling.sh left in
OUT_DIR (one folder per size with engine_bench.json, pg_bench.json and `events`). Draws four
panels (throughput, latency p99, peak memory, disk per event) against events on a log axis,
closeloop and PostgreSQL, as a hand-written SVG. Sizes up to 10^7 that were not measured are
extrapolated from the last two measured points (a power law through them) and drawn hollow on
a dashed line, labelled "extrapolated" (latency is not extrapolated: past saturation it
follows no power law); OUT_DIR/scaling.json says which is which."""
import json
import math
import os
import sys

PANELS = [  # title, unit, closeloop key, pg key, log y
    ("Throughput, end to end", "events/s", "mix_e2e_events_per_s", "pg_e2e_events_per_s"),
    ("Latency p99 at a fixed load (on the grown state)", "ms", "latency_p99_ms",
     "pg_latency_p99_ms"),
    ("Peak memory (closeloop RSS, PG server Pss)", "MB", "mix_peak_rss_mb", "pg_peak_pss_mb"),
    ("Disk per event", "bytes", "mix_disk_bytes_per_event", "pg_disk_bytes_per_event"),
]
SERIES = [("closeloop", "#1f77b4", 0), ("PostgreSQL", "#d62728", 1)]


def figures(path):
    try:
        with open(path) as f:
            return {x["key"]: x["value"] for x in json.load(f)["figures"]}
    except (OSError, ValueError):
        return {}


def load(out):
    points = []
    for name in os.listdir(out):
        d = os.path.join(out, name)
        if not os.path.isfile(os.path.join(d, "events")):
            continue
        events = int(open(os.path.join(d, "events")).read())
        points.append({"events": events, "closeloop": figures(os.path.join(d, "engine_bench.json")),
                       "postgresql": figures(os.path.join(d, "pg_bench.json"))})
    return sorted(points, key=lambda p: p["events"])


def series(points, system, key):
    return [(p["events"], p[system][key]) for p in points if key in p[system]]


def extrapolate(measured, upto=1e7):
    """Power law through the last two measured points, at each decade past the last."""
    if len(measured) < 2:
        return []
    (x1, y1), (x2, y2) = measured[-2], measured[-1]
    if y1 <= 0 or y2 <= 0:
        return []
    k = math.log(y2 / y1) / math.log(x2 / x1)
    out, x = [], 10 ** (math.floor(math.log10(x2)) + 1)
    while x <= upto:
        out.append((x, y2 * (x / x2) ** k))
        x *= 10
    return out


def svg(points, path):
    W, H, pw, ph = 1080, 760, 430, 270
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'font-family="sans-serif" font-size="12">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="16">closeloop and the '
             'PostgreSQL baseline from 10^4 to 10^7 events (filled: measured; hollow, dashed: '
             'extrapolated, not measured)</text>']
    record = []
    for i, (title, unit, ck, pk) in enumerate(PANELS):
        ox, oy = 70 + (i % 2) * (pw + 70), 60 + (i // 2) * (ph + 90)
        data = []
        for (name, colour, _), key in zip(SERIES, (ck, pk)):
            m = series(points, "closeloop" if name == "closeloop" else "postgresql", key)
            # Latency past saturation follows no power law: not extrapolated.
            e = [] if unit == "ms" else extrapolate(m)
            data.append((name, colour, m, e))
            record.append({"panel": title, "unit": unit, "system": name,
                           "measured": [{"events": x, "value": y} for x, y in m],
                           "extrapolated": [{"events": x, "value": y} for x, y in e]})
        ys = [y for _, _, m, e in data for _, y in m + e if y > 0]
        if not ys:
            continue
        lo, hi = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        if hi == lo:
            hi += 1
        fx = lambda x: ox + (math.log10(x) - 3.7) / 3.5 * pw  # 10^3.7 .. 10^7.2
        fy = lambda y: oy + ph - (math.log10(y) - lo) / (hi - lo) * ph
        parts.append(f'<text x="{ox}" y="{oy - 10}" font-size="13">{title} ({unit}, log)</text>')
        parts.append(f'<rect x="{ox}" y="{oy}" width="{pw}" height="{ph}" fill="none" '
                     'stroke="#888"/>')
        for d in range(4, 8):
            x = fx(10 ** d)
            parts.append(f'<line x1="{x}" y1="{oy}" x2="{x}" y2="{oy + ph}" stroke="#eee"/>')
            parts.append(f'<text x="{x}" y="{oy + ph + 16}" text-anchor="middle">10^{d}</text>')
        for d in range(lo, hi + 1):
            y = fy(10 ** d)
            parts.append(f'<line x1="{ox}" y1="{y}" x2="{ox + pw}" y2="{y}" stroke="#eee"/>')
            label = f"{10 ** d:,.0f}" if d >= 0 else f"{10 ** d:g}"
            parts.append(f'<text x="{ox - 5}" y="{y + 4}" text-anchor="end">{label}</text>')
        parts.append(f'<text x="{ox + pw / 2}" y="{oy + ph + 32}" text-anchor="middle">events in '
                     'the stream</text>')
        for n, (name, colour, m, e) in enumerate(data):
            if m:
                pts = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in m)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                             'stroke-width="2"/>')
                for x, y in m:
                    parts.append(f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="4" '
                                 f'fill="{colour}"><title>{name}: {y:,.1f} {unit} at {x:,} '
                                 'events (measured)</title></circle>')
            if e:
                pts = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in [m[-1]] + e)
                parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" '
                             'stroke-width="1.5" stroke-dasharray="5,4"/>')
                for x, y in e:
                    parts.append(f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="4" fill="white" '
                                 f'stroke="{colour}" stroke-width="2"><title>{name}: {y:,.1f} '
                                 f'{unit} at {x:,.0f} events (extrapolated, not measured)'
                                 '</title></circle>')
                parts.append(f'<text x="{fx(e[-1][0]) - 6:.1f}" y="{fy(e[-1][1]) - 8:.1f}" '
                             f'text-anchor="end" fill="{colour}" font-size="10">extrapolated'
                             '</text>')
            parts.append(f'<rect x="{ox + 10}" y="{oy + 10 + n * 16}" width="12" height="3" '
                         f'fill="{colour}"/><text x="{ox + 28}" y="{oy + 15 + n * 16}">{name}'
                         '</text>')
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")
    return record


def main():
    out, path = sys.argv[1], sys.argv[2]
    points = load(out)
    if not points:
        print("plot_scaling: no measured sizes in " + out, file=sys.stderr)
        return 1
    record = svg(points, path)
    with open(os.path.join(out, "scaling.json"), "w") as f:
        json.dump({"points": points, "panels": record}, f, indent=2)
    print(f"scaling: {len(points)} measured size(s) -> {path}, {out}/scaling.json")
    for p in points:
        c, g = p["closeloop"], p["postgresql"]
        print(f"  {p['events']:>10,} events: closeloop {c.get('mix_e2e_events_per_s', 0):8,.0f} "
              f"ev/s p99 {c.get('latency_p99_ms', 0):7.1f} ms RSS {c.get('mix_peak_rss_mb', 0):6.0f} MB "
              f"disk {c.get('mix_disk_bytes_per_event', 0):6,.0f} B/ev | PostgreSQL "
              f"{g.get('pg_e2e_events_per_s', 0):8,.0f} ev/s p99 {g.get('pg_latency_p99_ms', 0):7.1f} ms "
              f"Pss {g.get('pg_peak_pss_mb', 0):6.0f} MB disk {g.get('pg_disk_bytes_per_event', 0):6,.0f} B/ev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
