"""Invented enterprises of the demo city, with the chemical park's major hazard sources.

Used by generate.py only. Figures echo the seed documents: 57 chemical enterprises in the
park with 331 major hazard sources (重大危险源) whose temperature, pressure, liquid-level,
combustible-gas and toxic-gas sensors are online.
"""
from nanjing_geo import CHEM_PARK, DISTRICTS
from nanjing_names import BRANDS, CHEM_LINES, CHEMICALS

PARK_ENTERPRISES = 57
PARK_RISK_SOURCES = 331

# code, zh, en, name term (zh, en), hazard classes
INDUSTRIES = {
    "chemical": ("化工", "Chemicals", ("化工", "Chemical"),
                 ["hazardous_chemicals", "fire_safety", "special_equipment", "hazardous_waste"]),
    "pharmaceutical": ("医药制造", "Pharmaceuticals", ("制药", "Pharmaceutical"),
                       ["hazardous_chemicals", "fire_safety", "hazardous_waste"]),
    "machinery": ("机械制造", "Machinery", ("机械制造", "Machinery Manufacturing"),
                  ["industrial_trade", "special_equipment", "fire_safety"]),
    "metal_products": ("金属制品", "Metal products", ("金属制品", "Metal Products"),
                       ["industrial_trade", "special_equipment"]),
    "building_materials": ("建材", "Building materials", ("建材", "Building Materials"),
                           ["industrial_trade", "special_equipment"]),
    "electronics": ("电子", "Electronics", ("电子科技", "Electronic Technology"),
                    ["industrial_trade", "fire_safety"]),
    "textiles": ("纺织", "Textiles", ("纺织", "Textile"), ["industrial_trade", "fire_safety"]),
    "food": ("食品加工", "Food processing", ("食品", "Food"),
             ["industrial_trade", "special_equipment", "fire_safety"]),
    "logistics": ("仓储物流", "Warehousing and logistics", ("物流", "Logistics"),
                  ["fire_safety", "special_equipment"]),
    "road_transport": ("道路客货运输", "Road transport", ("运输", "Transport"),
                       ["road_transport"]),
    "hazmat_transport": ("危险货物运输", "Hazardous goods transport",
                         ("危险品运输", "Hazardous Goods Transport"),
                         ["road_transport", "hazardous_chemicals"]),
    "construction": ("建筑施工", "Construction", ("建设工程", "Construction Engineering"),
                     ["construction", "special_equipment"]),
    "gas_supply": ("燃气供应", "Gas supply", ("燃气", "Gas"), ["gas", "special_equipment"]),
    "fuel_station": ("成品油零售", "Fuel stations", ("石油销售", "Petroleum Sales"),
                     ["hazardous_chemicals", "fire_safety"]),
    "retail_mall": ("商业综合体", "Shopping centres", ("商业管理", "Commercial Management"),
                    ["fire_safety", "special_equipment", "gas"]),
    "hotel": ("住宿", "Hotels", ("酒店管理", "Hotel Management"), ["fire_safety", "gas"]),
    "restaurant": ("餐饮", "Restaurants", ("餐饮管理", "Catering Management"),
                   ["gas", "fire_safety"]),
    "scenic_area": ("旅游景区", "Scenic areas", ("旅游发展", "Tourism Development"),
                    ["tourism_venue", "fire_safety", "special_equipment"]),
    "waste_disposal": ("危废处置", "Hazardous waste disposal",
                       ("环保科技", "Environmental Technology"), ["hazardous_waste"]),
    "fireworks": ("烟花爆竹批发", "Fireworks wholesale", ("烟花爆竹", "Fireworks"),
                  ["fireworks"]),
    "quarry": ("非煤矿山", "Quarrying", ("矿业", "Mining"), ["mining", "civil_explosives"]),
}

# Enterprises per district outside the park: industry -> count.
MIX = {
    "xuanwu": {"retail_mall": 5, "hotel": 5, "restaurant": 5, "construction": 3,
               "scenic_area": 2, "electronics": 2},
    "qinhuai": {"retail_mall": 4, "hotel": 4, "restaurant": 6, "construction": 3,
                "scenic_area": 3, "electronics": 2},
    "jianye": {"retail_mall": 5, "hotel": 4, "restaurant": 4, "construction": 5,
               "logistics": 2, "fuel_station": 2},
    "gulou": {"retail_mall": 4, "hotel": 4, "restaurant": 5, "construction": 4,
              "logistics": 2, "fuel_station": 2, "scenic_area": 1},
    "pukou": {"machinery": 5, "building_materials": 3, "logistics": 4, "construction": 4,
              "food": 3, "fuel_station": 3, "quarry": 2, "gas_supply": 2, "scenic_area": 2},
    "qixia": {"machinery": 5, "electronics": 4, "logistics": 4, "pharmaceutical": 3,
              "construction": 4, "hazmat_transport": 3, "waste_disposal": 2, "gas_supply": 2,
              "fuel_station": 3, "scenic_area": 2},
    "yuhuatai": {"electronics": 6, "machinery": 4, "construction": 4, "logistics": 3,
                 "restaurant": 3, "fuel_station": 2, "road_transport": 2},
    "jiangning": {"machinery": 7, "electronics": 6, "pharmaceutical": 3, "food": 4,
                  "construction": 5, "logistics": 4, "metal_products": 3, "quarry": 2,
                  "road_transport": 2, "scenic_area": 2, "waste_disposal": 2},
    "liuhe": {"machinery": 4, "metal_products": 4, "building_materials": 3, "food": 3,
              "hazmat_transport": 4, "quarry": 2, "fireworks": 2, "waste_disposal": 2,
              "road_transport": 1},
    "lishui": {"machinery": 4, "textiles": 3, "food": 4, "building_materials": 3,
               "quarry": 2, "fireworks": 2, "construction": 2, "scenic_area": 2},
    "gaochun": {"textiles": 4, "food": 4, "machinery": 3, "building_materials": 2,
                "fireworks": 2, "quarry": 2, "scenic_area": 3},
}

SCALES = ["large", "medium", "small", "micro"]
OFFICERS = {"large": (6, 20), "medium": (2, 6), "small": (1, 2), "micro": (0, 1)}


class Namer:
    """Unique invented names: brand x product line, never repeated."""

    def __init__(self, rng, city_zh="南京", city_en="Nanjing"):
        self.rng = rng
        self.used = set()
        self.city_zh, self.city_en = city_zh, city_en

    def name(self, term_zh, term_en):
        for _ in range(1000):
            b_zh, b_en = self.rng.choice(BRANDS)
            zh = f"{self.city_zh}{b_zh}{term_zh}有限公司"
            if zh not in self.used:
                self.used.add(zh)
                return zh, f"{self.city_en} {b_en} {term_en} Co., Ltd."
        raise SystemExit("ran out of names for " + term_zh)


def colour(rng, chemical):
    weights = [15, 35, 35, 15] if chemical else [3, 12, 35, 50]
    return rng.choices(["red", "orange", "yellow", "blue"], weights)[0]


def split_total(rng, n, total, low, high):
    """n integers in [low, high] summing to total, deterministic for a given rng."""
    counts = [low] * n
    while sum(counts) < total:
        i = rng.randrange(n)
        if counts[i] < high:
            counts[i] += 1
    return counts


def sensor(sid, measure, unit, position, warning, alarm, critical, low_alarm=None):
    s = {"id": sid, "measure": measure, "unit": unit, "position_zh": position}
    if low_alarm is not None:
        s["low_alarm"] = low_alarm
    s.update({"warning": warning, "alarm": alarm, "critical": critical})
    return s


def risk_source(rng, rs_id, index):
    kind, kind_zh = rng.choice([("tank_farm", "储罐区"), ("process_unit", "生产装置"),
                                ("warehouse", "仓库"), ("tank_farm", "储罐区")])
    chems = rng.sample(CHEMICALS, rng.choice([1, 1, 2]))
    grade = rng.choices([1, 2, 3, 4], [10, 25, 35, 30])[0]
    sensors, n = [], 0

    def add(tag, *args, **kw):
        nonlocal n
        n += 1
        sensors.append(sensor(f"{rs_id}-{tag}{n:02d}", *args, **kw))

    pressurised = any(c[5] for c in chems)
    if kind == "process_unit":
        t = rng.choice([120, 160, 180, 220, 260])
        add("TE", "temperature", "°C", "反应器出口", t, t + 20, t + 45)
        p = rng.choice([0.6, 1.0, 1.6, 2.5])
        add("PT", "pressure", "MPa", "反应器顶部", p, round(p * 1.1, 2), round(p * 1.25, 2))
    else:
        if kind == "tank_farm":
            add("LT", "liquid_level", "%", "储罐液位", 80, 85, 90, low_alarm=10)
        add("TE", "temperature", "°C", "储存区温度", 35, 40, 50)
        if pressurised:
            p = rng.choice([0.8, 1.2, 1.6])
            add("PT", "pressure", "MPa", "储罐压力", p, round(p * 1.1, 2), round(p * 1.2, 2))
    for c in chems:
        if c[3]:
            add("GAS", "combustible_gas", "%LEL", c[1] + "泄漏检测", 20, 25, 50)
        if c[4]:
            w, a, cr = c[4]
            add("TOX", "toxic_gas", "ppm", c[1] + "有毒气体检测", w, a, cr)
    return {"id": rs_id, "name_zh": f"{'、'.join(c[1] for c in chems)}{kind_zh}{index}",
            "name_en": f"{' / '.join(c[2] for c in chems)} {kind.replace('_', ' ')} {index}",
            "kind": kind, "grade": grade, "chemicals": [c[0] for c in chems],
            "sensors": sensors}


def place(rng, juris_by_parent, district, street, lat, lon, box):
    """A point near the street centre, kept inside the district box, and a grid."""
    d_lat, d_lon, half_lat, half_lon = box
    la = min(max(lat + rng.uniform(-0.012, 0.012), d_lat - half_lat), d_lat + half_lat)
    lo = min(max(lon + rng.uniform(-0.012, 0.012), d_lon - half_lon), d_lon + half_lon)
    grids = juris_by_parent[f"{district}.{street}"]
    ent_grids = [g for g in grids if g["kind"] == "enterprise"] or grids
    grid = rng.choice(ent_grids)["code"]
    return {"lat": round(la, 5), "lon": round(lo, 5)}, grid


def enterprise(eid, namer, industry, district, jurisdiction, location, scale, col, key, rng,
               term=None):
    _, _, default_term, classes = INDUSTRIES[industry]
    zh, en = namer.name(*(term or default_term))
    lo, hi = OFFICERS[scale]
    return {"id": eid, "name_zh": zh, "name_en": en, "district": district,
            "jurisdiction": jurisdiction, "industry": industry, "scale": scale,
            "risk_colour": col, "key_enterprise": key,
            "safety_officers": rng.randint(lo, hi), "location": location,
            "hazard_classes": classes, "risk_sources": []}


def enterprises(rng, juris):
    namer = Namer(rng)
    by_parent = {}
    for j in juris:
        by_parent.setdefault(j["parent"], []).append(j)
    out = []
    # The park first: 57 chemical enterprises, 331 major hazard sources between them.
    counts = split_total(rng, PARK_ENTERPRISES, PARK_RISK_SOURCES, 2, 12)
    rs_no = 0
    for i, n_sources in enumerate(counts):
        lat = round(rng.uniform(*CHEM_PARK["lat"]), 5)
        lon = round(rng.uniform(*CHEM_PARK["lon"]), 5)
        street = "changlu" if lon > 118.77 else "getang"
        grids = [g for g in by_parent[f"liuhe.{street}"] if g["kind"] == "enterprise"]
        line_zh, line_en = CHEM_LINES[i % len(CHEM_LINES)]
        scale = rng.choices(["large", "medium", "small"], [30, 50, 20])[0]
        e = enterprise(f"ENT-{len(out) + 1:05d}", namer, "chemical", "liuhe",
                       rng.choice(grids)["code"], {"lat": lat, "lon": lon}, scale,
                       colour(rng, True), True, rng, term=(line_zh, line_en))
        e["safety_officers"] = max(e["safety_officers"], 3)
        e["park"] = "jiangbei_new_materials"
        for k in range(n_sources):
            rs_no += 1
            e["risk_sources"].append(risk_source(rng, f"RS-{rs_no:04d}", k + 1))
        out.append(e)
    for code, _, _, centre, half, streets in DISTRICTS:
        box = (centre[0], centre[1], half[0], half[1])
        for industry, n in MIX[code].items():
            for _ in range(n):
                s = rng.choice(streets)
                if industry in ("quarry", "fireworks"):  # keep them out of the park streets
                    s = rng.choice([x for x in streets if x[0] not in CHEM_PARK["streets"]])
                location, grid = place(rng, by_parent, code, s[0], s[4], s[5], box)
                scale = rng.choices(SCALES, [10, 30, 40, 20])[0]
                col = colour(rng, industry in ("pharmaceutical", "hazmat_transport"))
                key = col in ("red", "orange") or scale == "large" or industry in (
                    "quarry", "fireworks", "hazmat_transport", "waste_disposal")
                out.append(enterprise(f"ENT-{len(out) + 1:05d}", namer, industry, code, grid,
                                      location, scale, col, key, rng))
    return out
