#!/usr/bin/env python3
"""Generates Nanjing's reference data as JSONL log records (closeloop publish input).

Deterministic: a fixed seed, ordered output, no clock. Run from anywhere:
    python3 workflows/reference/generate.py        # rewrites the *.jsonl beside this file
    python3 workflows/reference/generate.py --check # exits 1 if the files are out of date
The build never runs it: the generated files are committed.
"""
import json
import os
import random
import sys

sys.dont_write_bytecode = True  # keep the source folder clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nanjing_geo import CHEM_PARK, DISTRICTS  # noqa: E402
from nanjing_resources import experts, material_depots, plans, rescue_teams  # noqa: E402
from nanjing_enterprises import enterprises  # noqa: E402
from nanjing_dispatch import add_quantities, add_road_metres, adjust_experts  # noqa: E402
from nanjing_units import HAZARD_CLASSES, KIND_ID, MEMBER_UNITS  # noqa: E402

SEED = 20261122
SOURCE = "nanjing-ems-admin"
VERSION = 1
ENTERPRISES_PER_PART = 60
OUT_DIR = os.path.dirname(os.path.abspath(__file__))
MAX_LINE = 1 << 20
URBAN = {"xuanwu", "qinhuai", "jianye", "gulou"}  # no agriculture bureau in the demo


def short_zh(name_zh):
    return name_zh[:-1] if name_zh.endswith("区") else name_zh


def short_en(name_en):
    return name_en.replace(" District", "")


def dept(id_, zh, en, level, district, jurisdiction, parent, kind):
    return {"id": id_, "name_zh": zh, "name_en": en, "level": level, "district": district,
            "jurisdiction": jurisdiction, "parent": parent, "head": id_ + ".head",
            "kind": kind}


def departments():
    out = [
        dept("nj.awb", "南京市安全生产委员会办公室", "Nanjing Work Safety Committee Office",
             "city", "", "", "", "safety_office"),
        dept("nj.jw", "南京市纪委监委",
             "Nanjing Commission for Discipline Inspection and Supervision",
             "city", "", "", "", "discipline"),
    ]
    for kind, (zh, en), _, _ in MEMBER_UNITS:
        out.append(dept("nj." + KIND_ID[kind], zh, en, "city", "", "", "nj.awb", kind))
    for code, d_zh, d_en, _, _, streets in DISTRICTS:
        base = "nj." + code
        fill = {"d": d_zh, "D": d_en, "s": short_zh(d_zh), "S": short_en(d_en)}
        out.append(dept(base + ".awb", d_zh + "安全生产委员会办公室",
                        d_en + " Work Safety Committee Office",
                        "district", code, code, "nj.awb", "safety_office"))
        out.append(dept(base + ".jw", "南京市" + d_zh + "纪委监委",
                        d_en + " Commission for Discipline Inspection and Supervision",
                        "district", code, code, "nj.jw", "discipline"))
        for kind, _, (pzh, pen), vertical in MEMBER_UNITS:
            if kind == "agriculture" and code in URBAN:
                continue
            kid = KIND_ID[kind]
            parent = "nj." + kid if vertical else base + ".awb"
            out.append(dept(base + "." + kid, pzh.format(**fill), pen.format(**fill),
                            "district", code, code, parent, kind))
        if code == CHEM_PARK["district"]:
            out.append(dept(base + ".chempark", "南京江北新材料科技园安全生产监督管理局",
                            "Nanjing Jiangbei New Materials Science Park Work Safety Bureau",
                            "district", code, code, base + ".awb", "park_admin"))
        for s_code, s_zh, s_en, _, _, _, _ in streets:
            out.append(dept(f"{base}.{s_code}.office", s_zh + "安全生产办公室",
                            s_en + " Work Safety Office", "street", code, f"{code}.{s_code}",
                            base + ".awb", "street_office"))
    return out


def jurisdictions():
    out = []
    for code, d_zh, d_en, (lat, lon), _, streets in DISTRICTS:
        out.append({"code": code, "name_zh": d_zh, "name_en": d_en, "level": "district",
                    "parent": "", "kind": "district", "location": {"lat": lat, "lon": lon}})
        for s_code, s_zh, s_en, s_type, s_lat, s_lon, grids in streets:
            path = f"{code}.{s_code}"
            out.append({"code": path, "name_zh": s_zh, "name_en": s_en, "level": "street",
                        "parent": code, "kind": s_type,
                        "location": {"lat": s_lat, "lon": s_lon}})
            in_park = code == CHEM_PARK["district"] and s_code in CHEM_PARK["streets"]
            for g in range(1, grids + 1):
                # 安监格 (enterprise grids) cover industry: half the park streets' grids, the
                # last grid of other large streets; the rest are 应急格 (emergency grids).
                enterprise = (in_park and g > grids // 2) or (grids >= 6 and g == grids)
                # Grids sit on a small ring around the street centre, 0.4-0.8 km out.
                ring = 0.004 + 0.004 * ((g - 1) % 2)
                dx = [1, 0, -1, 0, 0.7, -0.7, 0.7, -0.7][(g - 1) % 8]
                dy = [0, 1, 0, -1, 0.7, 0.7, -0.7, -0.7][(g - 1) % 8]
                out.append({"code": f"{path}.g{g:02d}", "name_zh": f"{s_zh}第{g}网格",
                            "name_en": f"{s_en} Grid {g}", "level": "grid", "parent": path,
                            "kind": "enterprise" if enterprise else "emergency",
                            "location": {"lat": round(s_lat + ring * dy, 5),
                                         "lon": round(s_lon + ring * dx, 5)}})
    return out


def hazard_classes():
    return [{"id": h, "name_zh": zh, "name_en": en, "description": desc, "lead_kind": lead}
            for h, zh, en, desc, lead, _ in HAZARD_CLASSES]


def routing_rows(depts):
    """Hazard class x district -> district unit of the lead kind (+ assisting units).

    Class "other" has no row of its own: it falls through to the district's row
    (safety-committee office), and a ticket with no known district to the table fallback.
    """
    ids = {d["id"] for d in depts}
    rows = []
    for code, *_ in DISTRICTS:
        base = "nj." + code
        for h, _, _, _, lead, assist in HAZARD_CLASSES:
            if h == "other":
                continue
            lead_id = f"{base}.{KIND_ID[lead]}"
            assist_ids = [f"{base}.{KIND_ID[k]}" for k in assist]
            if h == "hazardous_chemicals" and code == CHEM_PARK["district"]:
                assist_ids.insert(0, base + ".chempark")
            for x in [lead_id] + assist_ids:
                assert x in ids, x
            rows.append({"match": [{"key": "category", "value": h},
                                   {"key": "district", "value": code}],
                         "lead": lead_id, "assist": assist_ids})
        rows.append({"match": [{"key": "district", "value": code}],
                     "lead": base + ".awb", "assist": []})
    return rows


def control(body_type, body, source=SOURCE):
    return {"source": source, "body_type": body_type, "body": body}


def reference(table, content, source=SOURCE, version=VERSION):
    return control("ReferenceDataUpdated", {
        "table_name": table, "version": version,
        "content_json": json.dumps(content, ensure_ascii=False, separators=(",", ":"))},
        source)


def line(record):
    text = json.dumps(record, ensure_ascii=False, separators=(", ", ": "))
    if len(text.encode()) >= MAX_LINE:
        raise SystemExit(f"{record['body'].get('table_name')}: line over 1 MiB; use more parts")
    return text + "\n"


def build():
    rng = random.Random(SEED)
    depts = departments()
    juris = jurisdictions()
    files = {
        "departments.jsonl": [reference("departments", {"items": depts})],
        "jurisdictions.jsonl": [reference("jurisdictions", {"items": juris})],
        "hazard_classes.jsonl": [reference("hazard_classes", {"items": hazard_classes()})],
        "hazard_routing.jsonl": [control("RoutingTableUpdated", {
            "table_name": "hazard_routing", "version": VERSION,
            "rows": routing_rows(depts), "fallback": "nj.awb"})],
    }
    ents = enterprises(rng, juris)
    parts = [ents[i:i + ENTERPRISES_PER_PART] for i in range(0, len(ents), ENTERPRISES_PER_PART)]
    files["enterprises.jsonl"] = [
        reference("enterprises", {"part": i + 1, "parts": len(parts), "items": p})
        for i, p in enumerate(parts)]
    teams, depots, pool, all_plans = rescue_teams(rng), material_depots(rng), experts(rng), plans()
    dispatch_rng = random.Random(SEED + 16)  # its own stream: the draws above stay as they were
    add_road_metres(dispatch_rng, teams, ents)
    add_road_metres(dispatch_rng, depots, ents)
    adjust_experts(dispatch_rng, pool, ents)
    add_quantities(all_plans)
    files["rescue_teams.jsonl"] = [reference("rescue_teams", {"items": teams})]
    files["material_depots.jsonl"] = [reference("material_depots", {"items": depots})]
    files["experts.jsonl"] = [reference("experts", {"items": pool})]
    files["plans.jsonl"] = [reference("plans", {"items": all_plans})]
    return {name: "".join(line(r) for r in records) for name, records in files.items()}


def write_or_check(files, out_dir):
    """Writes `files` (name -> text) into out_dir, or with --check lists those that differ."""
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in files.items():
        path = os.path.join(out_dir, name)
        if check:
            with open(path, encoding="utf-8") as f:
                if f.read() != text:
                    stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(write_or_check(build(), OUT_DIR))
