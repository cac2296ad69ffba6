"""What one-step dispatch needs beyond the resources themselves (docs/reference-data.md):
road distances, the plans' quantities, and the experts' availability, employers and
declared conflicts. Added to the generated tables after they are drawn, with a random
stream of its own, so the teams, depots and experts themselves stay as they were.

The figures are illustrative, like the rest of the demo city: a city loads its GIS's road
distances and its expert pool's registrations.
"""
import math
import random

# The road distances a GIS would export: from every team's and depot's base to every
# enterprise of the chemical park within this reach, as the straight line times a detour
# factor (roads along the Yangtze and the park's own grid). Other places have none: the
# engine then measures the straight line, and says so.
ROAD_REACH_M = 60000
DETOUR = (1.18, 1.55)

# How much one dispatch under a plan asks of each item (city figures, in the depots' units).
PER_DISPATCH = {
    "foam_concentrate": 12, "absorbent_boom": 40, "chemical_suit": 30, "plugging_kit": 6,
    "breathing_apparatus": 20, "gas_detector": 8, "sandbag": 2000, "water_pump": 6,
    "rubber_boat": 4, "life_jacket": 60, "tent": 40, "lighting_tower": 4, "generator": 4,
    "drinking_water": 200, "instant_food": 200, "quilt": 200, "folding_bed": 100,
    "fire_beater": 50, "chainsaw": 10,
}


def metres(a, b):
    """Great-circle distance in metres (the engine's formula, rounded the same way)."""
    r = 6371008.8
    p1, p2 = math.radians(a["lat"]), math.radians(b["lat"])
    dp, dl = p2 - p1, math.radians(b["lon"] - a["lon"])
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def add_road_metres(rng, bases, ents):
    park = [e for e in ents if e.get("park")]
    for b in bases:
        road = {}
        for e in park:
            m = metres(b["location"], e["location"])
            if m <= ROAD_REACH_M:
                road[e["id"]] = int(round(m * rng.uniform(*DETOUR), -1))
        if road:
            b["road_metres"] = dict(sorted(road.items()))


def add_quantities(plans):
    for p in plans:
        p["material_quantities"] = {m: PER_DISPATCH[m] for m in p["materials"] if m in PER_DISPATCH}


def adjust_experts(rng, experts, ents):
    """Availability, employers and conflicts of the expert pool."""
    by_id = {e["id"]: e for e in ents}
    plant = by_id["ENT-00002"]  # 鑫源新材料, in the park: the scenario tests' plant
    shicheng = [x for x in experts if x["employer"] == "南京石城化工设计院有限公司"]
    # A plant's own engineer on the city's list: never sent to judge their employer.
    own = next(x for x in shicheng if "chemical_process" in x["specialities"])
    own.update({"employer": plant["name_zh"], "employer_en": plant["name_en"],
                "employer_enterprise": plant["id"], "district": plant["district"],
                "location": dict(plant["location"])})
    # The design institute designed plants of the park: a declared conflict with those.
    designed = [e["id"] for e in ents if e.get("park")][:12]
    for x in shicheng:
        if x is not own and "instrumentation" in x["specialities"]:
            x["conflicts"] = sorted(set(designed[:4]) | {plant["id"]})
            break
    # Absences: some of the institute's experts away in March 2026; across the pool, a
    # summer leave for one in eleven and an assignment elsewhere for one in seventeen.
    march = [x for x in shicheng if x is not own and "conflicts" not in x]
    march[0]["unavailable"] = [{"from": "2026-02-23T00:00:00+08:00",
                                "to": "2026-03-14T00:00:00+08:00", "kind": "leave",
                                "note": "年休假"}]
    march[1]["unavailable"] = [{"from": "2026-02-16T00:00:00+08:00",
                                "to": "2026-04-11T00:00:00+08:00", "kind": "off_duty",
                                "note": "援疆"}]
    for i, x in enumerate(experts):
        if "unavailable" in x:
            continue
        if i % 11 == 5:
            day = 1 + rng.randrange(20)
            x["unavailable"] = [{"from": f"2026-07-{day:02d}T00:00:00+08:00",
                                 "to": f"2026-08-{day:02d}T00:00:00+08:00", "kind": "leave",
                                 "note": "暑期休假"}]
        elif i % 17 == 3:
            x["unavailable"] = [{"from": "2026-09-01T00:00:00+08:00",
                                 "to": "2026-12-01T00:00:00+08:00", "kind": "off_duty",
                                 "note": "外派"}]
    # 安代表: safety experts resident at the park's key plants, each at three of them.
    resident = [x for x in experts if "safety_management" in x["specialities"]
                and "employer_enterprise" not in x][:6]
    keys = [e["id"] for e in ents if e.get("park") and e["key_enterprise"]]
    for i, x in enumerate(resident):
        x["resident_at"] = sorted(keys[3 * i:3 * i + 3])
