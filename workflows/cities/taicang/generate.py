#!/usr/bin/env python3
"""Generates Taicang's reference data as JSONL log records (closeloop publish input).

Taicang (太仓市, a county-level city of Suzhou) is closeloop's second shipped city (seed 004):
its towns, subdistricts and development zones (区镇), a city bureau with each 区镇's own work
safety office (区镇安监部门, the "3" of its 1+2+3 inspection regime), the port zone's chemical
park, and its enterprises at the seed's count. The national tables (hazard classes and which
kind of unit leads each, industries, sensors, incident types, materials) are Nanjing's
generator's, imported from workflows/reference; everything naming a place or a unit is here.

Deterministic: a fixed seed, ordered output, no clock. Run from anywhere:
    python3 workflows/cities/taicang/generate.py         # rewrites the *.jsonl beside this file
    python3 workflows/cities/taicang/generate.py --check # exits 1 if they are out of date
"""
import os
import random
import shutil
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
NATIONAL = os.path.join(HERE, "..", "..", "reference")
sys.path.insert(0, NATIONAL)
from generate import control, line, reference, write_or_check  # noqa: E402
from nanjing_enterprises import INDUSTRIES, OFFICERS, SCALES, Namer, colour  # noqa: E402
from nanjing_enterprises import risk_source, split_total  # noqa: E402
from nanjing_names import CHEM_LINES  # noqa: E402
from nanjing_resources import INCIDENT_TYPES, TEAM_CAPABILITIES, kit_items, person  # noqa: E402
from nanjing_units import HAZARD_CLASSES, KIND_ID  # noqa: E402

SEED = 20261207
SOURCE = "taicang-ems-admin"
VERSION = 1
ENTERPRISES_PER_PART = 60

# The seed's figures: 6,173 industrial and trade enterprises in the risk register; the
# shipped reference holds a sample (ENTERPRISES), and `serve --demo --city taicang --scale
# city` synthesises the rest (workflows/cities/taicang/demo.json). The port zone's chemical
# park holds the major hazard sources.
ENTERPRISES = 240
PARK_ENTERPRISES = 24
PARK_RISK_SOURCES = 96

# code, zh, en, centre (lat, lon), areas (片区) with grids each, industry mix.
# Real: the 区镇 names and approximate centres. Invented: the numbered areas (片区) under
# each, which stand for its villages and communities, and every grid.
TOWNS = [
    ("chengxiang", "城厢镇", "Chengxiang Town", (31.456, 121.100), 4,
     {"machinery": 8, "electronics": 6, "retail_mall": 4, "restaurant": 6, "construction": 4}),
    ("shaxi", "沙溪镇", "Shaxi Town", (31.555, 121.060), 3,
     {"textiles": 8, "machinery": 6, "food": 4, "scenic_area": 2, "building_materials": 3}),
    ("liuhe", "浏河镇", "Liuhe Town", (31.515, 121.270), 3,
     {"machinery": 6, "logistics": 5, "food": 4, "scenic_area": 2, "fuel_station": 2}),
    ("fuqiao", "浮桥镇", "Fuqiao Town", (31.610, 121.180), 3,
     {"metal_products": 6, "logistics": 6, "machinery": 5, "hazmat_transport": 3}),
    ("huangjing", "璜泾镇", "Huangjing Town", (31.640, 121.080), 3,
     {"textiles": 8, "metal_products": 4, "building_materials": 3, "fuel_station": 2}),
    ("shuangfeng", "双凤镇", "Shuangfeng Town", (31.520, 121.030), 3,
     {"machinery": 6, "food": 4, "textiles": 4, "building_materials": 3}),
    ("loudong", "娄东街道", "Loudong Subdistrict", (31.450, 121.140), 3,
     {"retail_mall": 5, "hotel": 4, "restaurant": 6, "construction": 3}),
    ("ludu", "陆渡街道", "Ludu Subdistrict", (31.500, 121.170), 3,
     {"machinery": 5, "logistics": 4, "construction": 3, "fuel_station": 2}),
    ("gangqu", "太仓港经济技术开发区", "Taicang Port Economic and Technological Development Zone",
     (31.620, 121.230), 4,
     {"logistics": 8, "hazmat_transport": 5, "waste_disposal": 3, "pharmaceutical": 3,
      "metal_products": 4, "gas_supply": 2}),
    ("gaoxin", "太仓高新技术产业开发区", "Taicang Hi-tech Industrial Development Zone",
     (31.430, 121.160), 4,
     {"machinery": 8, "electronics": 8, "pharmaceutical": 2, "construction": 3, "food": 2}),
]
CHEM_PARK = {"town": "gangqu", "areas": ["a01", "a02"], "lat": (31.600, 31.640),
             "lon": (121.200, 121.260), "id": "taicang_port_chemical"}

# Unit names, Taicang's: kind -> (zh, en). Ecology and environment and planning report to
# Suzhou's bureaus, whose Taicang branches these are.
CITY_UNITS = {
    "emergency_management": ("太仓市应急管理局", "Taicang Emergency Management Bureau"),
    "fire_rescue": ("太仓市消防救援大队", "Taicang Fire and Rescue Brigade"),
    "market_regulation": ("太仓市市场监督管理局", "Taicang Administration for Market Regulation"),
    "housing_construction": ("太仓市住房和城乡建设局",
                             "Taicang Housing and Urban-Rural Development Bureau"),
    "urban_management": ("太仓市城市管理局", "Taicang Urban Management Bureau"),
    "transport": ("太仓市交通运输局", "Taicang Transport Bureau"),
    "ecology_environment": ("苏州市太仓生态环境局", "Suzhou Taicang Ecology and Environment Bureau"),
    "public_security": ("太仓市公安局", "Taicang Public Security Bureau"),
    "water_affairs": ("太仓市水务局", "Taicang Water Affairs Bureau"),
    "planning_resources": ("苏州市自然资源和规划局太仓分局",
                           "Suzhou Natural Resources and Planning Bureau, Taicang Branch"),
    "education": ("太仓市教育局", "Taicang Education Bureau"),
    "commerce": ("太仓市商务局", "Taicang Commerce Bureau"),
    "culture_tourism": ("太仓市文体广电和旅游局", "Taicang Culture, Sports and Tourism Bureau"),
    "health": ("太仓市卫生健康委员会", "Taicang Health Commission"),
    "industry_it": ("太仓市工业和信息化局", "Taicang Industry and Information Technology Bureau"),
    "agriculture": ("太仓市农业农村局", "Taicang Agriculture and Rural Affairs Bureau"),
}


def dept(id_, zh, en, level, district, parent, kind):
    return {"id": id_, "name_zh": zh, "name_en": en, "level": level, "district": district,
            "jurisdiction": district, "parent": parent, "head": id_ + ".head", "kind": kind}


def zone(zh):
    return zh.endswith("开发区")


def departments():
    out = [dept("tc.awb", "太仓市安全生产委员会办公室", "Taicang Work Safety Committee Office",
                "city", "", "", "safety_office"),
           dept("tc.jw", "太仓市纪委监委",
                "Taicang Commission for Discipline Inspection and Supervision",
                "city", "", "", "discipline")]
    for kind, (zh, en) in CITY_UNITS.items():
        out.append(dept("tc." + KIND_ID[kind], zh, en, "city", "", "tc.awb", kind))
    for code, zh, en, _, _, _ in TOWNS:
        base = "tc." + code
        out.append(dept(base + ".awb", zh + "安全生产委员会办公室",
                        en + " Work Safety Committee Office", "district", code, "tc.awb",
                        "safety_office"))
        out.append(dept(base + ".jw", zh + ("纪检监察工委" if zone(zh) else "纪委"),
                        en + " Discipline Inspection Committee", "district", code, "tc.jw",
                        "discipline"))
        # 区镇安监部门: the town's own work safety office, the zones' safety bureaus.
        out.append(dept(base + ".emb", zh + ("安全生产监督管理局" if zone(zh) else "安全生产监督管理办公室"),
                        en + " Work Safety Supervision Office", "district", code, base + ".awb",
                        "emergency_management"))
        if code == CHEM_PARK["town"]:
            out.append(dept(base + ".chempark", "太仓港区化工园区管理办公室",
                            "Taicang Port Chemical Park Administration", "district", code,
                            base + ".awb", "park_admin"))
    return out


def area_centre(town, i):
    lat, lon = town[3]
    dx = [1, 0, -1, 0, 0.7, -0.7][(i - 1) % 6]
    dy = [0, 1, 0, -1, 0.7, 0.7][(i - 1) % 6]
    return round(lat + 0.012 * dy, 5), round(lon + 0.014 * dx, 5)


def jurisdictions():
    out = []
    for town in TOWNS:
        code, zh, en, (lat, lon), areas, _ = town
        out.append({"code": code, "name_zh": zh, "name_en": en, "level": "district",
                    "parent": "", "kind": "zone" if zone(zh) else "town",
                    "location": {"lat": lat, "lon": lon}})
        for a in range(1, areas + 1):
            a_lat, a_lon = area_centre(town, a)
            path = f"{code}.a{a:02d}"
            out.append({"code": path, "name_zh": f"{zh}第{a}片区", "name_en": f"{en} Area {a}",
                        "level": "street", "parent": code, "kind": "area",
                        "location": {"lat": a_lat, "lon": a_lon}})
            for g in range(1, 4):
                out.append({"code": f"{path}.g{g:02d}", "name_zh": f"{zh}第{a}片区第{g}网格",
                            "name_en": f"{en} Area {a} Grid {g}", "level": "grid",
                            "parent": path, "kind": "enterprise" if g == 3 else "emergency",
                            "location": {"lat": round(a_lat + 0.003 * (g - 2), 5),
                                         "lon": round(a_lon + 0.002 * (2 - g), 5)}})
    return out


def hazard_classes():
    return [{"id": h, "name_zh": zh, "name_en": en, "description": desc, "lead_kind": lead}
            for h, zh, en, desc, lead, _ in HAZARD_CLASSES]


def unit(kind, code):
    """The 区镇's own unit for work safety supervision, the city bureau for every other kind."""
    return f"tc.{code}.emb" if kind == "emergency_management" else "tc." + KIND_ID[kind]


def routing_rows(depts):
    ids = {d["id"] for d in depts}
    rows = []
    for code, *_ in TOWNS:
        for h, _, _, _, lead, assist in HAZARD_CLASSES:
            if h == "other":
                continue
            assist_ids = [unit(k, code) for k in assist]
            if h == "hazardous_chemicals" and code == CHEM_PARK["town"]:
                assist_ids.insert(0, f"tc.{code}.chempark")
            for x in [unit(lead, code)] + assist_ids:
                assert x in ids, x
            rows.append({"match": [{"key": "category", "value": h},
                                   {"key": "district", "value": code}],
                         "lead": unit(lead, code), "assist": assist_ids})
        rows.append({"match": [{"key": "district", "value": code}],
                     "lead": f"tc.{code}.awb", "assist": []})
    return rows


def enterprise(rng, namer, eid, industry, town, grid, location, scale, col, key, term=None):
    _, _, default_term, classes = INDUSTRIES[industry]
    zh, en = namer.name(*(term or default_term))
    lo, hi = OFFICERS[scale]
    return {"id": eid, "name_zh": zh, "name_en": en, "district": town, "jurisdiction": grid,
            "industry": industry, "scale": scale, "risk_colour": col, "key_enterprise": key,
            "safety_officers": rng.randint(lo, hi), "location": location,
            "hazard_classes": classes, "risk_sources": []}


def enterprises(rng):
    namer = Namer(rng, "太仓", "Taicang")
    out = []
    counts = split_total(rng, PARK_ENTERPRISES, PARK_RISK_SOURCES, 2, 8)
    rs_no = 0
    for i, n_sources in enumerate(counts):
        area = CHEM_PARK["areas"][i % len(CHEM_PARK["areas"])]
        loc = {"lat": round(rng.uniform(*CHEM_PARK["lat"]), 5),
               "lon": round(rng.uniform(*CHEM_PARK["lon"]), 5)}
        scale = rng.choices(["large", "medium", "small"], [30, 50, 20])[0]
        e = enterprise(rng, namer, f"ENT-{len(out) + 1:05d}", "chemical", CHEM_PARK["town"],
                       f"{CHEM_PARK['town']}.{area}.g03", loc, scale, colour(rng, True), True,
                       CHEM_LINES[i % len(CHEM_LINES)])
        e["safety_officers"] = max(e["safety_officers"], 3)
        e["park"] = CHEM_PARK["id"]
        for k in range(n_sources):
            rs_no += 1
            e["risk_sources"].append(risk_source(rng, f"RS-{rs_no:04d}", k + 1))
        out.append(e)
    for town in TOWNS:
        code, _, _, _, areas, mix = town
        for industry, n in mix.items():
            for _ in range(n):
                a = rng.randint(1, areas)
                a_lat, a_lon = area_centre(town, a)
                loc = {"lat": round(a_lat + rng.uniform(-0.006, 0.006), 5),
                       "lon": round(a_lon + rng.uniform(-0.006, 0.006), 5)}
                scale = rng.choices(SCALES, [10, 30, 40, 20])[0]
                col = colour(rng, industry in ("pharmaceutical", "hazmat_transport"))
                key = col in ("red", "orange") or scale == "large" or industry in (
                    "hazmat_transport", "waste_disposal")
                grid = f"{code}.a{a:02d}.g{rng.randint(1, 3):02d}"
                out.append(enterprise(rng, namer, f"ENT-{len(out) + 1:05d}", industry, code,
                                      grid, loc, scale, col, key))
    assert len(out) <= ENTERPRISES, len(out)
    return out


def near(rng, code, spread=0.01):
    lat, lon = next(t[3] for t in TOWNS if t[0] == code)
    return {"lat": round(lat + rng.uniform(-spread, spread), 5),
            "lon": round(lon + rng.uniform(-spread, spread), 5)}


def rescue_teams(rng):
    out = []

    def team(zh, en, type_, code, department, members, equip):
        out.append({"id": f"TEAM-{len(out) + 1:03d}", "name_zh": zh, "name_en": en,
                    "type": type_, "capabilities": TEAM_CAPABILITIES[type_], "district": code,
                    "location": near(rng, code, 0.006), "members": members,
                    "department": department, "equipment": equip})

    for code, zh, en, *_ in TOWNS:
        team(f"太仓市消防救援大队{zh}消防救援站", f"Taicang Fire and Rescue, {en} Station",
             "fire_rescue", code, "tc.fire", rng.randint(20, 35), ["水罐消防车", "抢险救援车"])
        team(f"{zh}专职消防队", f"{en} Full-time Fire Brigade", "fire_rescue", code,
             f"tc.{code}.emb", rng.randint(10, 20), ["水罐消防车"])
    team("太仓港区危险化学品应急救援队", "Taicang Port Hazmat Rescue Team", "hazmat", "gangqu",
         "tc.gangqu.chempark", 60, ["泡沫消防车", "气防车", "堵漏器材"])
    team("太仓市防汛抢险队", "Taicang Flood Rescue Team", "flood", "liuhe", "tc.water", 80,
         ["冲锋舟", "排涝泵车"])
    team("太仓市急救中心", "Taicang Emergency Medical Centre", "medical", "chengxiang",
         "tc.health", 40, ["救护车"])
    team("太仓市燃气抢修队", "Taicang Gas Repair Team", "gas_repair", "loudong", "tc.cgj", 25,
         ["燃气抢修车", "检漏仪"])
    return out


def material_depots(rng):
    out = []

    def depot(zh, en, level, code, department, kits, scale):
        items = kit_items(rng, kits, scale)
        out.append({"id": f"DEPOT-{len(out) + 1:03d}", "name_zh": zh, "name_en": en,
                    "level": level, "district": code, "location": near(rng, code, 0.006),
                    "department": department, "items": items})

    depot("太仓市应急物资储备库", "Taicang Emergency Materials Reserve", "city", "chengxiang",
          "tc.emb", ["general", "flood", "hazmat"], 30)
    depot("太仓港区危化品应急物资库", "Taicang Port Hazmat Depot", "district", "gangqu",
          "tc.gangqu.chempark", ["hazmat"], 15)
    for code, zh, en, *_ in TOWNS:
        depot(f"{zh}应急物资储备点", f"{en} Emergency Materials Point", "district", code,
              f"tc.{code}.emb", ["general", "flood"], 4)
    return out


EMPLOYERS = [
    ("太仓市应急管理局", "Taicang Emergency Management Bureau",
     ["safety_management", "emergency_management"], "company"),
    ("太仓市第一人民医院", "Taicang First People's Hospital", ["medical_rescue"], "medical"),
    ("太仓港区化工园区管理办公室", "Taicang Port Chemical Park Administration",
     ["chemical_process", "instrumentation", "equipment"], "company"),
    ("太仓市特种设备检验所", "Taicang Special Equipment Inspection Institute",
     ["special_equipment"], "company"),
    ("西交利物浦大学太仓校区", "Xi'an Jiaotong-Liverpool University, Taicang",
     ["structural", "fire_protection"], "university"),
]
QUALIFICATIONS = {
    "university": [("教授", "Professor"), ("副教授", "Associate professor")],
    "medical": [("主任医师", "Chief physician")],
    "company": [("高级工程师", "Senior engineer"), ("注册安全工程师", "Registered safety engineer")],
}


def experts(rng, count=40):
    out, used = [], set()
    for i in range(count):
        (s_zh, s_en), (g_zh, g_en) = person(rng, used)
        emp_zh, emp_en, specs, kind = EMPLOYERS[i % len(EMPLOYERS)]
        q_zh, q_en = rng.choice(QUALIFICATIONS[kind])
        code = TOWNS[i % len(TOWNS)][0]
        out.append({"id": f"EXP-{i + 1:04d}", "name_zh": s_zh + g_zh, "name_en": f"{s_en} {g_en}",
                    "specialities": sorted(rng.sample(specs, min(len(specs), 2))),
                    "qualification_zh": q_zh, "qualification_en": q_en, "employer": emp_zh,
                    "employer_en": emp_en, "district": code, "location": near(rng, code, 0.02)})
    return out


def plans():
    production = ["fire", "explosion", "hazardous_chemical_leak", "gas_leak",
                  "special_equipment_accident", "building_collapse", "road_traffic_accident"]

    def plan(pid, zh, en, tier, code, types, levels, lead, members, teams, mats, specs, n):
        return {"id": pid, "name_zh": zh, "name_en": en, "tier": tier, "district": code,
                "incident_types": types, "levels": levels, "lead_department": lead,
                "member_departments": members, "team_types": teams, "materials": mats,
                "expert_specialities": specs, "expert_count": n}

    every = ["general", "large", "major", "especially_major"]
    out = [plan("PLAN-TC-00", "太仓市突发事件总体应急预案", "Taicang Master Emergency Plan",
                "city_overall", "", INCIDENT_TYPES, every, "tc.emb",
                ["tc.fire", "tc.psb", "tc.health"], ["fire_rescue", "medical"],
                ["tent", "drinking_water"], ["emergency_management"], 2),
           plan("PLAN-TC-01", "太仓市危险化学品事故应急预案",
                "Taicang Hazardous Chemical Accident Emergency Plan", "city_special", "",
                ["hazardous_chemical_leak", "explosion"], ["large", "major", "especially_major"],
                "tc.emb", ["tc.fire", "tc.eco", "tc.health"], ["hazmat", "fire_rescue"],
                ["foam_concentrate", "chemical_suit", "plugging_kit"], ["chemical_process"], 3),
           plan("PLAN-TC-02", "太仓市防汛防台应急预案", "Taicang Flood and Typhoon Emergency Plan",
                "city_special", "", ["flood", "waterlogging"], ["large", "major"], "tc.water",
                ["tc.emb", "tc.cgj"], ["flood", "fire_rescue"], ["sandbag", "water_pump"],
                ["hydrology"], 1)]
    for code, zh, en, *_ in TOWNS:
        out.append(plan(f"PLAN-{code.upper()}-01", f"{zh}生产安全事故应急预案",
                        f"{en} Production Safety Accident Emergency Plan", "district_special",
                        code, production, ["general"], f"tc.{code}.emb", ["tc.fire"],
                        ["fire_rescue", "medical"], ["breathing_apparatus", "gas_detector"],
                        ["safety_management"], 1))
    return out


def build():
    rng = random.Random(SEED)
    depts = departments()

    def ref(table, content):
        return reference(table, content, SOURCE, VERSION)

    files = {
        "jurisdictions.jsonl": [ref("jurisdictions", {"items": jurisdictions()})],
        "departments.jsonl": [ref("departments", {"items": depts})],
        "hazard_classes.jsonl": [ref("hazard_classes", {"items": hazard_classes()})],
        "hazard_routing.jsonl": [control("RoutingTableUpdated", {
            "table_name": "hazard_routing", "version": VERSION,
            "rows": routing_rows(depts), "fallback": "tc.awb"}, SOURCE)],
    }
    ents = enterprises(rng)
    parts = [ents[i:i + ENTERPRISES_PER_PART] for i in range(0, len(ents), ENTERPRISES_PER_PART)]
    files["enterprises.jsonl"] = [
        ref("enterprises", {"part": i + 1, "parts": len(parts), "items": p})
        for i, p in enumerate(parts)]
    files["rescue_teams.jsonl"] = [ref("rescue_teams", {"items": rescue_teams(rng)})]
    files["material_depots.jsonl"] = [ref("material_depots", {"items": material_depots(rng)})]
    files["experts.jsonl"] = [ref("experts", {"items": experts(rng)})]
    files["plans.jsonl"] = [ref("plans", {"items": plans()})]
    out = {name: "".join(line(r) for r in records) for name, records in files.items()}
    # The same national calendar as Nanjing's (the State Council's holidays and make-up days).
    with open(os.path.join(NATIONAL, "calendars.jsonl"), encoding="utf-8") as f:
        out["calendars.jsonl"] = f.read()
    return out


if __name__ == "__main__":
    sys.exit(write_or_check(build(), HERE))
