"""Rescue teams, material depots, experts and contingency plans (the incident loop).

Used by generate.py only. Public bodies are real institutions of Nanjing; team strengths,
stock and people are invented. Seed figures: 30 fire stations and 373 professional teams
city-wide, a city reserve centre of 18,000 m³, 967 experts on "金陵应急宝".
"""
from nanjing_geo import DISTRICTS
from nanjing_names import GIVEN, SURNAMES

INCIDENT_TYPES = [
    "fire", "explosion", "hazardous_chemical_leak", "gas_leak", "flood", "waterlogging",
    "geological_disaster", "building_collapse", "special_equipment_accident",
    "road_traffic_accident", "mine_accident", "forest_fire", "earthquake",
    "environmental_pollution", "crowd_incident",
]

TEAM_CAPABILITIES = {
    "fire_rescue": ["fire", "explosion", "building_collapse", "road_traffic_accident",
                    "special_equipment_accident", "gas_leak", "hazardous_chemical_leak",
                    "flood", "waterlogging", "earthquake"],
    "hazmat": ["hazardous_chemical_leak", "explosion", "fire", "environmental_pollution"],
    "flood": ["flood", "waterlogging"],
    "forest_fire": ["forest_fire"],
    "geological": ["geological_disaster", "building_collapse", "earthquake"],
    "mine_rescue": ["mine_accident", "geological_disaster"],
    "medical": INCIDENT_TYPES,
    "gas_repair": ["gas_leak", "explosion"],
    "special_equipment": ["special_equipment_accident"],
    "power_repair": ["flood", "waterlogging", "earthquake", "building_collapse"],
    "social": ["flood", "waterlogging", "earthquake", "geological_disaster", "crowd_incident"],
}

MATERIALS = {  # item id: (zh, unit)
    "sandbag": ("编织袋(防汛沙袋)", "条"), "life_jacket": ("救生衣", "件"),
    "rubber_boat": ("冲锋舟", "艘"), "water_pump": ("排涝泵", "台"),
    "generator": ("发电机组", "台"), "tent": ("救灾帐篷", "顶"), "quilt": ("棉被", "床"),
    "folding_bed": ("折叠床", "张"), "foam_concentrate": ("泡沫灭火剂", "吨"),
    "absorbent_boom": ("吸油(化学品)围栏", "米"), "chemical_suit": ("重型防化服", "套"),
    "breathing_apparatus": ("正压式空气呼吸器", "套"), "gas_detector": ("便携式气体检测仪", "台"),
    "lighting_tower": ("移动照明灯塔", "台"), "chainsaw": ("油锯", "台"),
    "fire_beater": ("风力灭火机", "台"), "drinking_water": ("饮用水", "箱"),
    "instant_food": ("方便食品", "箱"), "plugging_kit": ("堵漏器材", "套"),
}

DEPOT_KITS = {
    "general": ["tent", "quilt", "folding_bed", "generator", "lighting_tower",
                "drinking_water", "instant_food", "life_jacket"],
    "flood": ["sandbag", "life_jacket", "rubber_boat", "water_pump", "generator",
              "lighting_tower"],
    "hazmat": ["foam_concentrate", "absorbent_boom", "chemical_suit", "breathing_apparatus",
               "gas_detector", "plugging_kit"],
    "forest_fire": ["fire_beater", "chainsaw", "drinking_water", "instant_food"],
}


def street_point(rng, district, street=None, spread=0.01):
    for code, _, _, _, _, streets in DISTRICTS:
        if code == district:
            s = next(x for x in streets if x[0] == street) if street else rng.choice(streets)
            return s, {"lat": round(s[4] + rng.uniform(-spread, spread), 5),
                       "lon": round(s[5] + rng.uniform(-spread, spread), 5)}
    raise KeyError(district)


def rescue_teams(rng):
    out = []

    def team(name_zh, name_en, type_, district, department, members, street=None, equip=()):
        _, loc = street_point(rng, district, street, 0.006)
        out.append({"id": f"TEAM-{len(out) + 1:03d}", "name_zh": name_zh, "name_en": name_en,
                    "type": type_, "capabilities": TEAM_CAPABILITIES[type_],
                    "district": district, "location": loc, "members": members,
                    "department": department, "equipment": list(equip)})

    for code, d_zh, d_en, _, _, streets in DISTRICTS:
        for s in sorted(rng.sample(streets, 2)):
            team(f"南京市消防救援支队{s[1].replace('街道', '').replace('镇', '')}消防救援站",
                 f"Nanjing Fire and Rescue {s[2].split(' ')[0]} Station", "fire_rescue", code,
                 f"nj.{code}.fire", rng.randint(25, 45), s[0],
                 ["水罐消防车", "抢险救援车", "举高喷射消防车"])
    team("南京市消防救援支队特勤一站", "Nanjing Fire and Rescue Special Service Station 1",
         "fire_rescue", "gulou", "nj.fire", 60, "jiangdong",
         ["重型抢险救援车", "化学洗消车", "举高喷射消防车"])
    team("国家危险化学品应急救援南京队", "National Hazardous Chemicals Emergency Rescue Nanjing Team",
         "hazmat", "liuhe", "nj.emb", 150, "changlu",
         ["大功率泡沫消防车", "防化洗消车", "远程供水系统", "侦检车"])
    team("江北新材料科技园专职消防队", "Jiangbei New Materials Park Full-time Fire Brigade",
         "hazmat", "liuhe", "nj.liuhe.chempark", 80, "getang", ["泡沫消防车", "气防车"])
    for code, d_zh, d_en, _, _, _ in DISTRICTS:
        team(f"{d_zh}防汛抢险队", f"{d_en} Flood Emergency Team", "flood", code,
             f"nj.{code}.water", rng.randint(40, 120), equip=["冲锋舟", "排涝泵车"])
    for code, hill in (("pukou", "tangquan"), ("qixia", "qixia"), ("jiangning", "tangshan"),
                       ("lishui", "dongping"), ("gaochun", "yaxi")):
        d = next(x for x in DISTRICTS if x[0] == code)
        team(f"{d[1]}森林消防专业队", f"{d[2]} Forest Firefighting Team", "forest_fire", code,
             f"nj.{code}.emb", rng.randint(30, 60), hill, ["风力灭火机", "高压水泵"])
    team("南京市地质灾害应急抢险队", "Nanjing Geological Hazard Emergency Team", "geological",
         "jiangning", "nj.plan", 45, "dongshan", ["钻探设备", "边坡监测仪"])
    team("南京市矿山救护队", "Nanjing Mine Rescue Team", "mine_rescue", "jiangning", "nj.emb",
         55, "tangshan", ["矿山救护车", "氧气呼吸器"])
    team("南京市急救中心", "Nanjing Emergency Medical Centre", "medical", "gulou", "nj.health",
         120, "hunanlu", ["负压救护车", "移动ICU"])
    for code in ("jiangning", "pukou", "liuhe", "lishui"):
        d = next(x for x in DISTRICTS if x[0] == code)
        team(f"南京市急救中心{d[1]}分中心", f"Nanjing Emergency Medical Centre {d[2]} Branch",
             "medical", code, f"nj.{code}.health", rng.randint(20, 40), equip=["救护车"])
    for code, area_zh, area_en in (("qinhuai", "城南", "South"), ("qixia", "城东", "East"),
                                   ("pukou", "江北", "Jiangbei")):
        team(f"南京市燃气应急抢修队({area_zh})", f"Nanjing Gas Emergency Repair Team ({area_en})",
             "gas_repair", code, "nj.cgj", rng.randint(20, 35), equip=["燃气抢修车", "检漏仪"])
    team("南京市特种设备应急处置队", "Nanjing Special Equipment Emergency Team",
         "special_equipment", "gulou", "nj.amr", 25, equip=["电梯救援工具组"])
    team("南京市电力应急抢修队", "Nanjing Power Emergency Repair Team", "power_repair",
         "qinhuai", "nj.miit", 60, equip=["应急发电车", "抢修车"])
    team("金陵志愿应急救援队", "Jinling Volunteer Rescue Team", "social", "jianye", "", 90,
         equip=["橡皮艇", "无人机"])
    team("石城社会救援队", "Shicheng Community Rescue Team", "social", "jiangning", "", 60,
         equip=["冲锋舟", "破拆工具"])
    return out


def kit_items(rng, kits, scale):
    """A depot's stock: every item of its kits once, in kit order, 5-40 x scale of each."""
    items = []
    for kit in kits:
        for item in DEPOT_KITS[kit]:
            if any(i["item"] == item for i in items):
                continue
            zh, unit = MATERIALS[item]
            items.append({"item": item, "name_zh": zh, "unit": unit,
                          "quantity": rng.randint(5, 40) * scale})
    return items


def material_depots(rng):
    out = []

    def depot(name_zh, name_en, level, district, department, kits, scale, street=None):
        _, loc = street_point(rng, district, street, 0.006)
        items = kit_items(rng, kits, scale)
        out.append({"id": f"DEPOT-{len(out) + 1:03d}", "name_zh": name_zh, "name_en": name_en,
                    "level": level, "district": district, "location": loc,
                    "department": department, "items": items})

    depot("南京市应急物资储备中心", "Nanjing Emergency Materials Reserve Centre", "city",
          "jiangning", "nj.emb", ["general", "flood", "hazmat"], 100, "dongshan")
    for code, d_zh, d_en, _, _, _ in DISTRICTS:
        depot(f"{d_zh}应急物资储备库", f"{d_en} Emergency Materials Depot", "district", code,
              f"nj.{code}.emb", ["general", "flood"], 10)
    for code, street, zh, en in (("jianye", "jiangxinzhou", "江心洲", "Jiangxinzhou"),
                                 ("qixia", "longtan", "龙潭", "Longtan"),
                                 ("pukou", "yanjiang", "浦口沿江", "Pukou Riverside")):
        depot(f"南京市防汛物资仓库({zh})", f"Nanjing Flood Materials Store ({en})", "city", code,
              "nj.water", ["flood"], 50, street)
    depot("江北新材料科技园危化品应急物资库", "Jiangbei New Materials Park Hazmat Depot", "district",
          "liuhe", "nj.liuhe.chempark", ["hazmat"], 20, "changlu")
    for code, street in (("pukou", "tangquan"), ("jiangning", "tangshan")):
        d = next(x for x in DISTRICTS if x[0] == code)
        depot(f"{d[1]}森林防火物资库", f"{d[2]} Forest Fire Materials Depot", "district", code,
              f"nj.{code}.emb", ["forest_fire"], 5, street)
    return out


# Employer, English, district, specialities, kind (university | medical | company)
EMPLOYERS = [
    ("南京工业大学", "Nanjing Tech University", "pukou",
     ["chemical_process", "safety_management", "fire_protection"], "university"),
    ("东南大学", "Southeast University", "xuanwu",
     ["structural", "electrical", "road_transport"], "university"),
    ("河海大学", "Hohai University", "gulou", ["hydrology", "geology", "structural"], "university"),
    ("南京理工大学", "Nanjing University of Science and Technology", "xuanwu",
     ["explosives", "chemical_process", "safety_management"], "university"),
    ("南京大学", "Nanjing University", "qixia", ["geology", "hazardous_waste",
                                              "emergency_management"], "university"),
    ("江苏省特种设备安全监督检验研究院", "Jiangsu Special Equipment Safety Supervision Inspection Institute",
     "gulou", ["special_equipment"], "company"),
    ("南京市急救中心", "Nanjing Emergency Medical Centre", "gulou", ["emergency_medicine"], "medical"),
    ("南京石城化工设计院有限公司", "Nanjing Shicheng Chemical Design Institute Co., Ltd.", "liuhe",
     ["chemical_process", "instrumentation", "equipment", "electrical"], "company"),
    ("南京钟山安全评价有限公司", "Nanjing Zhongshan Safety Assessment Co., Ltd.", "jianye",
     ["safety_management", "fire_protection", "electrical"], "company"),
    ("南京江润燃气工程有限公司", "Nanjing Jiangrun Gas Engineering Co., Ltd.", "qinhuai", ["gas"],
     "company"),
    ("南京秦岳岩土工程勘察有限公司", "Nanjing Qinyue Geotechnical Survey Co., Ltd.", "jiangning",
     ["geology", "mining", "structural"], "company"),
    ("南京雄州矿山安全技术有限公司", "Nanjing Xiongzhou Mine Safety Technology Co., Ltd.", "liuhe",
     ["mining", "explosives"], "company"),
    ("南京绿源环境工程有限公司", "Nanjing Lvyuan Environmental Engineering Co., Ltd.", "qixia",
     ["hazardous_waste"], "company"),
    ("南京龙蟠交通工程咨询有限公司", "Nanjing Longpan Traffic Engineering Consulting Co., Ltd.",
     "yuhuatai", ["road_transport"], "company"),
    ("南京宏远消防技术服务有限公司", "Nanjing Hongyuan Fire Technology Service Co., Ltd.", "gulou",
     ["fire_protection"], "company"),
]

QUALIFICATIONS = {
    "university": [("教授", "Professor"), ("副教授", "Associate professor")],
    "medical": [("主任医师", "Chief physician"), ("副主任医师", "Associate chief physician")],
    "company": [("正高级工程师", "Professor-level senior engineer"),
                ("高级工程师", "Senior engineer"),
                ("注册安全工程师", "Registered safety engineer")],
}


def person(rng, used):
    """An invented name not in `used` (then added): ((surname zh, en), (given zh, en))."""
    while True:
        (s_zh, s_en), (g_zh, g_en) = rng.choice(SURNAMES), rng.choice(GIVEN)
        if s_zh + g_zh not in used:
            used.add(s_zh + g_zh)
            return (s_zh, s_en), (g_zh, g_en)


def experts(rng, count=150):
    out, used = [], set()
    centres = {code: c for code, _, _, c, _, _ in DISTRICTS}
    for i in range(count):
        (s_zh, s_en), (g_zh, g_en) = person(rng, used)
        emp_zh, emp_en, district, specs, kind = EMPLOYERS[i % len(EMPLOYERS)]
        k = min(len(specs), rng.choice([1, 1, 2, 2, 3]))
        q_zh, q_en = rng.choice(QUALIFICATIONS[kind])
        lat, lon = centres[district]
        out.append({"id": f"EXP-{i + 1:04d}", "name_zh": s_zh + g_zh,
                    "name_en": f"{s_en} {g_en}", "specialities": sorted(rng.sample(specs, k)),
                    "qualification_zh": q_zh, "qualification_en": q_en,
                    "employer": emp_zh, "employer_en": emp_en, "district": district,
                    "location": {"lat": round(lat + rng.uniform(-0.02, 0.02), 5),
                                 "lon": round(lon + rng.uniform(-0.02, 0.02), 5)}})
    return out


LOCAL = ["general"]
CITY = ["large", "major", "especially_major"]
ALL_LEVELS = ["general", "large", "major", "especially_major"]


def plan(pid, zh, en, tier, district, types, levels, lead, members, teams, materials,
         specs, n_experts):
    return {"id": pid, "name_zh": zh, "name_en": en, "tier": tier, "district": district,
            "incident_types": types, "levels": levels, "lead_department": lead,
            "member_departments": members, "team_types": teams, "materials": materials,
            "expert_specialities": specs, "expert_count": n_experts}


def plans():
    out = [plan("PLAN-NJ-00", "南京市突发事件总体应急预案", "Nanjing Master Emergency Plan",
                "city_overall", "", INCIDENT_TYPES, ALL_LEVELS, "nj.emb",
                ["nj.fire", "nj.psb", "nj.health"], ["fire_rescue", "medical"],
                ["tent", "drinking_water"], ["emergency_management"], 2)]
    city = [
        ("危险化学品事故", "Hazardous Chemical Accidents", ["hazardous_chemical_leak", "explosion"],
         "nj.emb", ["nj.fire", "nj.eco", "nj.health", "nj.psb"], ["hazmat", "fire_rescue",
         "medical"], ["foam_concentrate", "absorbent_boom", "chemical_suit", "plugging_kit"],
         ["chemical_process", "instrumentation", "equipment"], 3),
        ("火灾事故", "Fire Accidents", ["fire"], "nj.fire", ["nj.emb", "nj.health", "nj.psb"],
         ["fire_rescue", "medical"], ["breathing_apparatus", "foam_concentrate"],
         ["fire_protection", "structural"], 2),
        ("燃气事故", "Gas Accidents", ["gas_leak"], "nj.cgj", ["nj.fire", "nj.amr", "nj.psb"],
         ["gas_repair", "fire_rescue"], ["gas_detector"], ["gas"], 2),
        ("防汛防旱", "Flood and Drought", ["flood", "waterlogging"], "nj.water",
         ["nj.emb", "nj.cgj", "nj.transport", "nj.plan"], ["flood", "fire_rescue", "power_repair"],
         ["sandbag", "water_pump", "rubber_boat", "life_jacket"], ["hydrology"], 2),
        ("地质灾害", "Geological Hazards", ["geological_disaster"], "nj.plan", ["nj.emb", "nj.housing"],
         ["geological", "fire_rescue"], ["tent", "lighting_tower"], ["geology"], 2),
        ("特种设备事故", "Special Equipment Accidents", ["special_equipment_accident"], "nj.amr",
         ["nj.fire", "nj.health"], ["special_equipment", "fire_rescue"], ["lighting_tower"],
         ["special_equipment"], 2),
        ("道路交通事故", "Road Traffic Accidents", ["road_traffic_accident"], "nj.psb",
         ["nj.transport", "nj.health", "nj.fire"], ["fire_rescue", "medical"], ["lighting_tower"],
         ["road_transport"], 1),
        ("建设工程安全事故", "Construction Accidents", ["building_collapse"], "nj.housing",
         ["nj.fire", "nj.health", "nj.emb"], ["fire_rescue", "geological", "medical"],
         ["lighting_tower", "generator"], ["structural"], 2),
        ("非煤矿山事故", "Non-coal Mine Accidents", ["mine_accident"], "nj.emb",
         ["nj.plan", "nj.health"], ["mine_rescue", "medical"], ["breathing_apparatus"],
         ["mining", "explosives"], 2),
        ("森林火灾", "Forest Fires", ["forest_fire"], "nj.emb", ["nj.fire", "nj.plan"],
         ["forest_fire", "fire_rescue"], ["fire_beater", "chainsaw"], ["fire_protection"], 1),
        ("地震", "Earthquakes", ["earthquake"], "nj.emb", ["nj.housing", "nj.health", "nj.fire"],
         ["fire_rescue", "geological", "medical", "social"], ["tent", "quilt", "folding_bed"],
         ["structural", "geology"], 3),
        ("突发环境事件", "Environmental Emergencies", ["environmental_pollution"], "nj.eco",
         ["nj.emb", "nj.water"], ["hazmat"], ["absorbent_boom"], ["hazardous_waste"], 2),
        ("大型群众性活动安全事故", "Mass Gathering Incidents", ["crowd_incident"], "nj.psb",
         ["nj.culture", "nj.health"], ["medical", "social"], ["lighting_tower"],
         ["emergency_management"], 1),
    ]
    for i, (zh, en, types, lead, members, teams, mats, specs, n) in enumerate(city, 1):
        out.append(plan(f"PLAN-NJ-{i:02d}", f"南京市{zh}应急预案", f"Nanjing {en} Emergency Plan",
                        "city_special", "", types, CITY, lead, members, teams, mats, specs, n))
    production = ["fire", "explosion", "hazardous_chemical_leak", "gas_leak",
                  "special_equipment_accident", "building_collapse", "road_traffic_accident"]
    for code, d_zh, d_en, _, _, _ in DISTRICTS:
        b = f"nj.{code}"
        out.append(plan(f"PLAN-{code.upper()}-01", f"{d_zh}生产安全事故应急预案",
                        f"{d_en} Production Safety Accident Emergency Plan", "district_special",
                        code, production, LOCAL, f"{b}.emb", [f"{b}.fire", f"{b}.health"],
                        ["fire_rescue", "medical"], ["breathing_apparatus", "gas_detector"],
                        ["safety_management", "fire_protection"], 1))
        out.append(plan(f"PLAN-{code.upper()}-02", f"{d_zh}防汛防旱应急预案",
                        f"{d_en} Flood and Drought Emergency Plan", "district_special", code,
                        ["flood", "waterlogging"], LOCAL, f"{b}.water", [f"{b}.emb", f"{b}.cgj"],
                        ["flood"], ["sandbag", "water_pump"], ["hydrology"], 1))
    out.append(plan("PLAN-LIUHE-03", "南京江北新材料科技园危险化学品事故应急预案",
                    "Jiangbei New Materials Park Hazardous Chemical Accident Emergency Plan",
                    "district_special", "liuhe", ["hazardous_chemical_leak", "explosion", "fire"],
                    ["general", "large"], "nj.liuhe.chempark",
                    ["nj.liuhe.emb", "nj.liuhe.fire", "nj.liuhe.eco"], ["hazmat", "fire_rescue"],
                    ["foam_concentrate", "chemical_suit", "plugging_kit"],
                    ["chemical_process", "instrumentation"], 2))
    for code in ("pukou", "qixia", "jiangning", "lishui", "gaochun"):
        d = next(x for x in DISTRICTS if x[0] == code)
        out.append(plan(f"PLAN-{code.upper()}-03", f"{d[1]}森林火灾应急预案",
                        f"{d[2]} Forest Fire Emergency Plan", "district_special", code,
                        ["forest_fire"], LOCAL, f"nj.{code}.emb", [f"nj.{code}.fire"],
                        ["forest_fire"], ["fire_beater"], ["fire_protection"], 1))
    return out
