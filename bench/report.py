#!/usr/bin/env python3
"""bench/report.py OUT_DIR: the suite's one table, from what bench/run.sh left in OUT_DIR
(engine_bench.json, pg_bench.json, http_bench.json, and the logs of log_bench, calendar_bench,
dsl_bench).
Prints the table, writes OUT_DIR/results.json (every figure, its references and ratios, the
machine) and OUT_DIR/table.md (the same table in Markdown, for docs/performance.md).

Ratios say how much better closeloop is than the reference: ours / theirs for rates,
theirs / ours for times, memory and bytes. Above 1: closeloop is ahead."""
import json
import os
import platform
import re
import subprocess
import sys
import time


def load(path):
    try:
        with open(path) as f:
            data = json.load(f)
        return {x["key"]: x for x in data["figures"]}, data["notes"]
    except (OSError, ValueError, KeyError):
        return {}, []


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def number(text):
    return float(text.replace(",", ""))


def machine():
    def first(path, key):
        for line in read(path).splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
        return "?"
    commit = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse",
                             "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": commit,
        "cpus": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "mem_total": first("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "load_average": read("/proc/loadavg").split()[:3],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "build/bench/results"
    eng, eng_notes = load(os.path.join(out, "engine_bench.json"))
    pg, pg_notes = load(os.path.join(out, "pg_bench.json"))
    rows = []  # (label, unit, higher_is_better, ours, pg, limit_label, limit)

    def row(label, key, pg_key=None, limit=None, unit=None, better=None):
        f = eng.get(key)
        p = pg.get(pg_key) if pg_key else None
        ours = f["value"] if f else None
        hib = better if better is not None else (f["higher_is_better"] if f else True)
        lim_label, lim = (None, None)
        if limit == "ref" and f and "reference" in f:
            lim_label, lim = f["reference"], f["reference_value"]
        elif isinstance(limit, tuple):
            lim_label, lim = limit
        rows.append({"figure": label, "unit": unit or (f["unit"] if f else ""),
                     "higher_is_better": hib, "closeloop": ours,
                     "postgresql": p["value"] if p else None,
                     "limit_reference": lim_label, "limit": lim})

    rate = eng.get("latency_p50_ms", {}).get("label", "").split(" at ")[-1].replace(" (ms)", "")
    row("events/s end to end (publish fsynced + route + deadlines)", "mix_e2e_events_per_s",
        "pg_e2e_events_per_s", "ref")
    row("events/s processed, one thread", "mix_process_events_per_s", None, "ref")
    row("events/s processed, a thread per partition", "mix_process_events_per_s_threads", None,
        "ref")
    row("events/s published (log append, fsync per 1,000)", "mix_publish_events_per_s")
    for q, k in (("p50", "latency_p50_ms"), ("p99", "latency_p99_ms"), ("p99.9", "latency_p999_ms")):
        row(f"publish-to-routed latency {q} at {rate} (ms)", k, "pg_" + k)
    row("replay events/s (rebuild state from the log)", "replay_rebuild_events_per_s",
        "pg_replay_events_per_s")
    row("replay events/s (reprocess: re-decide and compare)", "replay_reprocess_events_per_s")
    row("open tickets: reports/s (distinct sites)", "timers_open_events_per_s",
        "pg_timers_open_events_per_s")
    row(eng.get("timers_fire_s", {}).get("label", "fire simultaneous deadlines (s)"),
        "timers_fire_s", "pg_timers_fire_s", "ref")
    row("  same, a thread per partition (s)", "timers_fire_s_threads", None, "ref")
    row("peak memory during the mix (MB; PG: server Pss)", "mix_peak_rss_mb", "pg_peak_pss_mb")
    row("disk bytes per event", "mix_disk_bytes_per_event", "pg_disk_bytes_per_event")
    wal = pg.get("pg_wal_bytes_per_event")
    rows.append({"figure": "  WAL bytes written per event (PG)", "unit": "B",
                 "higher_is_better": False, "closeloop": None,
                 "postgresql": wal["value"] if wal else None, "limit_reference": None,
                 "limit": None})
    open_keys = sorted({k.split("_")[1] for k in eng if k.startswith("open_")}, key=int)
    for n in open_keys:
        row(f"peak RSS with {int(n):,} open tickets (MB; PG: server Pss)", f"open_{n}_peak_rss_mb",
            "pg_open_peak_pss_mb" if int(n) == 100000 else None)
        row("  RSS per open ticket (B)", f"open_{n}_rss_bytes_per_ticket")
        row("  disk bytes per open ticket", f"open_{n}_disk_bytes_per_ticket",
            "pg_open_disk_bytes_per_ticket" if int(n) == 100000 else None)

    # The log against db_bench (log_bench), the DSL, the calendar.
    log = read(os.path.join(out, "log_bench.log"))
    for name in ("append, sync off", "append, sync on", "read, verified"):
        m = re.search(r"^\s+" + re.escape(name) + r"\s+([\d,]+)\s+([\d,]+)", log, re.M)
        rows.append({"figure": f"log {name}: records/s", "unit": "records/s",
                     "higher_is_better": True, "closeloop": number(m.group(1)) if m else None,
                     "postgresql": None, "limit_reference": "db_bench (log_bench)",
                     "limit": number(m.group(2)) if m else None})
    cal = read(os.path.join(out, "calendar_bench.log"))
    m = re.search(r"^AddWorkingDays\s+(\d+)\s+(\d+)", cal, re.M)
    rows.append({"figure": "AddWorkingDays calls/s", "unit": "calls/s", "higher_is_better": True,
                 "closeloop": number(m.group(1)) if m else None, "postgresql": None,
                 "limit_reference": "day-by-day loop", "limit": number(m.group(2)) if m else None})
    dsl = read(os.path.join(out, "dsl_bench.log"))
    m = re.search(r"^dsl_compile_lines_per_sec (\d+)", dsl, re.M)
    rows.append({"figure": "DSL compile: lines/s", "unit": "lines/s", "higher_is_better": True,
                 "closeloop": number(m.group(1)) if m else None, "postgresql": None,
                 "limit_reference": None, "limit": None})
    # The HTTP API (http_bench): each phase's requests/s and p99 against GET /healthz on the
    # same server with the same client (the HTTP stack's ceiling), events/s for batches; and
    # requests/s on a new connection per request (which avoids the keep-alive stall).
    http, _ = load(os.path.join(out, "http_bench.json"))
    for f in http.values():
        key = f["key"]
        fresh = "_fresh" in key  # a new connection per request: its req/s only
        if key.startswith("http_healthz") or not (
                key.endswith("_rps") or (key.endswith("_p99_ms") and not fresh) or
                (key.endswith("_events_per_s") and "publish100" in key and not fresh)):
            continue
        rows.append({"figure": "HTTP " + f["label"], "unit": f["unit"],
                     "higher_is_better": f["higher_is_better"], "closeloop": f["value"],
                     "postgresql": None, "limit_reference": f.get("reference"),
                     "limit": f.get("reference_value")})
    if not http:
        rows.append({"figure": "HTTP API (http_bench)", "unit": "req/s", "higher_is_better": True,
                     "closeloop": None, "postgresql": None, "limit_reference": None,
                     "limit": None, "note": "not measured: no http_bench.json in this run"})
    for key, label in (("dbbench_fillseq", "fillseq"), ("dbbench_fillrandom", "fillrandom"),
                       ("dbbench_readrandom", "readrandom")):
        f = eng.get(key)
        rows.append({"figure": f"machine limit: db_bench {label} ops/s", "unit": "ops/s",
                     "higher_is_better": True, "closeloop": None, "postgresql": None,
                     "limit_reference": "db_bench", "limit": f["value"] if f else None})

    def ratio(r, other):
        a, b = r["closeloop"], r[other]
        if not a or not b:
            return None
        return a / b if r["higher_is_better"] else b / a

    for r in rows:
        r["ratio_to_postgresql"] = ratio(r, "postgresql")
        r["ratio_to_limit"] = ratio(r, "limit")

    def fmt(v):
        if v is None:
            return "-"
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"

    def fr(v):
        return "-" if v is None else (f"{v:.2f}" if v < 100 else f"{v:,.0f}")

    info = machine()
    header = ("figure", "closeloop", "PostgreSQL", "vs PG", "machine limit", "vs limit")
    lines = [header] + [(r["figure"], fmt(r["closeloop"]) if r["closeloop"] is not None
                         else "not measured" if r.get("note") else "-",
                         fmt(r["postgresql"]), fr(r["ratio_to_postgresql"]),
                         fmt(r["limit"]) + (f" ({r['limit_reference']})" if r["limit_reference"]
                                            and r["limit"] is not None else ""),
                         fr(r["ratio_to_limit"])) for r in rows]
    w = [max(len(l[i]) for l in lines) for i in range(6)]
    print(f"closeloop bench, {info['date']}, commit {info['commit']}: {info['cpus']} cores "
          f"({info['cpu_model']}), {info['mem_total']}, load {' '.join(info['load_average'])}")
    print("ratios: closeloop's advantage (ours/theirs for rates, theirs/ours for times, memory, "
          "bytes); > 1 = closeloop ahead")
    for i, l in enumerate(lines):
        print("  " + l[0].ljust(w[0]) + "  " + "  ".join(l[k].rjust(w[k]) for k in range(1, 6)))
        if i == 0:
            print("  " + "-" * (sum(w) + 10))
    for r in rows:
        if r.get("note"):
            print(f"  ({r['figure']}: {r['note']})")
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("| " + " | ".join(header) + " |\n|---|" + "---:|" * 5 + "\n")
        for l in lines[1:]:
            f.write("| " + " | ".join(l) + " |\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"machine": info, "rows": rows, "engine_notes": eng_notes,
                   "pg_notes": pg_notes}, f, indent=2)
        f.write("\n")
    print(f"  (written: {out}/results.json, {out}/table.md; each bench's log in {out})")
    missing = [n for n, d in (("engine_bench", eng), ("pg_bench", pg)) if not d]
    if missing:
        print("report: no figures from " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
