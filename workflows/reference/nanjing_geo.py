"""Nanjing's districts and streets (real names), with approximate centres.

Used by generate.py only. Coordinates are approximate WGS-84 centres good enough for
"nearest team / expert" demos; they are not survey data.
"""

# code, name_zh, name_en, centre (lat, lon), half-size of the box enterprises are placed in
# (degrees lat, degrees lon), streets: (code, name_zh, name_en, type, lat, lon, grids)
# type is "street" (街道) or "town" (镇). grids = how many grids the demo gives the street.
DISTRICTS = [
    ("xuanwu", "玄武区", "Xuanwu District", (32.048, 118.812), (0.025, 0.035), [
        ("meiyuan", "梅园新村街道", "Meiyuan Xincun Subdistrict", "street", 32.046, 118.800, 6),
        ("xinjiekou", "新街口街道", "Xinjiekou Subdistrict", "street", 32.041, 118.786, 8),
        ("xuanwumen", "玄武门街道", "Xuanwumen Subdistrict", "street", 32.068, 118.790, 5),
        ("suojincun", "锁金村街道", "Suojincun Subdistrict", "street", 32.080, 118.818, 5),
        ("hongshan", "红山街道", "Hongshan Subdistrict", "street", 32.090, 118.800, 6),
        ("xiaolingwei", "孝陵卫街道", "Xiaolingwei Subdistrict", "street", 32.030, 118.860, 7),
        ("xuanwuhu", "玄武湖街道", "Xuanwuhu Subdistrict", "street", 32.060, 118.805, 4),
    ]),
    ("qinhuai", "秦淮区", "Qinhuai District", (32.015, 118.805), (0.025, 0.035), [
        ("fuzimiao", "夫子庙街道", "Fuzimiao Subdistrict", "street", 32.020, 118.790, 6),
        ("zhonghuamen", "中华门街道", "Zhonghuamen Subdistrict", "street", 32.005, 118.780, 5),
        ("shuangtang", "双塘街道", "Shuangtang Subdistrict", "street", 32.010, 118.775, 5),
        ("hongwulu", "洪武路街道", "Hongwulu Subdistrict", "street", 32.035, 118.793, 6),
        ("yueyahu", "月牙湖街道", "Yueyahu Subdistrict", "street", 32.030, 118.825, 5),
        ("guanghualu", "光华路街道", "Guanghualu Subdistrict", "street", 32.015, 118.835, 7),
        ("honghua", "红花街道", "Honghua Subdistrict", "street", 31.995, 118.815, 8),
    ]),
    ("jianye", "建邺区", "Jianye District", (32.010, 118.730), (0.030, 0.030), [
        ("nanyuan", "南苑街道", "Nanyuan Subdistrict", "street", 32.015, 118.752, 6),
        ("xinglong", "兴隆街道", "Xinglong Subdistrict", "street", 31.995, 118.735, 7),
        ("mochouhu", "莫愁湖街道", "Mochouhu Subdistrict", "street", 32.035, 118.750, 5),
        ("shazhou", "沙洲街道", "Shazhou Subdistrict", "street", 31.990, 118.720, 6),
        ("shuangzha", "双闸街道", "Shuangzha Subdistrict", "street", 31.975, 118.725, 6),
        ("jiangxinzhou", "江心洲街道", "Jiangxinzhou Subdistrict", "street", 32.020, 118.695, 4),
    ]),
    ("gulou", "鼓楼区", "Gulou District", (32.075, 118.760), (0.030, 0.030), [
        ("ninghailu", "宁海路街道", "Ninghailu Subdistrict", "street", 32.058, 118.765, 5),
        ("huaqiaolu", "华侨路街道", "Huaqiaolu Subdistrict", "street", 32.045, 118.776, 5),
        ("hunanlu", "湖南路街道", "Hunanlu Subdistrict", "street", 32.068, 118.780, 6),
        ("zhongyangmen", "中央门街道", "Zhongyangmen Subdistrict", "street", 32.088, 118.785, 5),
        ("mufushan", "幕府山街道", "Mufushan Subdistrict", "street", 32.110, 118.770, 6),
        ("jiangdong", "江东街道", "Jiangdong Subdistrict", "street", 32.050, 118.740, 6),
        ("baotaqiao", "宝塔桥街道", "Baotaqiao Subdistrict", "street", 32.100, 118.750, 5),
    ]),
    ("pukou", "浦口区", "Pukou District", (32.060, 118.620), (0.070, 0.080), [
        ("jiangpu", "江浦街道", "Jiangpu Subdistrict", "street", 32.065, 118.625, 8),
        ("qiaolin", "桥林街道", "Qiaolin Subdistrict", "street", 31.945, 118.560, 7),
        ("tangquan", "汤泉街道", "Tangquan Subdistrict", "street", 32.090, 118.540, 5),
        ("xingdian", "星甸街道", "Xingdian Subdistrict", "street", 32.110, 118.500, 5),
        ("yongning", "永宁街道", "Yongning Subdistrict", "street", 32.140, 118.610, 5),
        ("dingshan", "顶山街道", "Dingshan Subdistrict", "street", 32.100, 118.660, 6),
        ("yanjiang", "沿江街道", "Yanjiang Subdistrict", "street", 32.095, 118.705, 6),
    ]),
    ("qixia", "栖霞区", "Qixia District", (32.115, 118.900), (0.045, 0.080), [
        ("yaohua", "尧化街道", "Yaohua Subdistrict", "street", 32.125, 118.860, 6),
        ("maqun", "马群街道", "Maqun Subdistrict", "street", 32.055, 118.900, 12),
        ("maigaoqiao", "迈皋桥街道", "Maigaoqiao Subdistrict", "street", 32.110, 118.810, 6),
        ("yanziji", "燕子矶街道", "Yanziji Subdistrict", "street", 32.140, 118.820, 5),
        ("xianlin", "仙林街道", "Xianlin Subdistrict", "street", 32.110, 118.920, 7),
        ("qixia", "栖霞街道", "Qixia Subdistrict", "street", 32.155, 118.955, 5),
        ("longtan", "龙潭街道", "Longtan Subdistrict", "street", 32.160, 119.040, 7),
    ]),
    ("yuhuatai", "雨花台区", "Yuhuatai District", (31.975, 118.750), (0.030, 0.040), [
        ("yuhua", "雨花街道", "Yuhua Subdistrict", "street", 31.995, 118.775, 5),
        ("saihongqiao", "赛虹桥街道", "Saihongqiao Subdistrict", "street", 31.998, 118.760, 5),
        ("xishanqiao", "西善桥街道", "Xishanqiao Subdistrict", "street", 31.960, 118.720, 6),
        ("banqiao", "板桥街道", "Banqiao Subdistrict", "street", 31.930, 118.660, 6),
        ("tiexinqiao", "铁心桥街道", "Tiexinqiao Subdistrict", "street", 31.960, 118.765, 6),
        ("meishan", "梅山街道", "Meishan Subdistrict", "street", 31.935, 118.710, 4),
    ]),
    ("jiangning", "江宁区", "Jiangning District", (31.900, 118.840), (0.090, 0.110), [
        ("dongshan", "东山街道", "Dongshan Subdistrict", "street", 31.945, 118.840, 9),
        ("moling", "秣陵街道", "Moling Subdistrict", "street", 31.890, 118.810, 8),
        ("tangshan", "汤山街道", "Tangshan Subdistrict", "street", 32.055, 119.040, 6),
        ("chunhua", "淳化街道", "Chunhua Subdistrict", "street", 31.960, 118.970, 5),
        ("lukou", "禄口街道", "Lukou Subdistrict", "street", 31.740, 118.870, 6),
        ("jiangning", "江宁街道", "Jiangning Subdistrict", "street", 31.830, 118.630, 5),
        ("guli", "谷里街道", "Guli Subdistrict", "street", 31.850, 118.720, 5),
        ("hushu", "湖熟街道", "Hushu Subdistrict", "street", 31.830, 118.960, 5),
        ("qilin", "麒麟街道", "Qilin Subdistrict", "street", 32.020, 118.930, 6),
    ]),
    ("liuhe", "六合区", "Liuhe District", (32.330, 118.830), (0.090, 0.110), [
        ("xiongzhou", "雄州街道", "Xiongzhou Subdistrict", "street", 32.340, 118.840, 8),
        ("longchi", "龙池街道", "Longchi Subdistrict", "street", 32.310, 118.860, 6),
        ("chengqiao", "程桥街道", "Chengqiao Subdistrict", "street", 32.400, 118.780, 5),
        ("jinniuhu", "金牛湖街道", "Jinniuhu Subdistrict", "street", 32.470, 118.930, 5),
        ("hengliang", "横梁街道", "Hengliang Subdistrict", "street", 32.380, 118.960, 5),
        ("longpao", "龙袍街道", "Longpao Subdistrict", "street", 32.280, 118.990, 4),
        ("changlu", "长芦街道", "Changlu Subdistrict", "street", 32.245, 118.790, 10),
        ("getang", "葛塘街道", "Getang Subdistrict", "street", 32.255, 118.740, 7),
    ]),
    ("lishui", "溧水区", "Lishui District", (31.650, 119.030), (0.080, 0.080), [
        ("yongyang", "永阳街道", "Yongyang Subdistrict", "street", 31.655, 119.025, 8),
        ("zhetang", "柘塘街道", "Zhetang Subdistrict", "street", 31.715, 118.980, 6),
        ("shiqiu", "石湫街道", "Shiqiu Subdistrict", "street", 31.640, 118.900, 5),
        ("dongping", "东屏街道", "Dongping Subdistrict", "street", 31.700, 119.100, 5),
        ("honglan", "洪蓝街道", "Honglan Subdistrict", "street", 31.580, 119.030, 5),
        ("baima", "白马镇", "Baima Town", "town", 31.610, 119.170, 4),
    ]),
    ("gaochun", "高淳区", "Gaochun District", (31.330, 118.920), (0.070, 0.090), [
        ("chunxi", "淳溪街道", "Chunxi Subdistrict", "street", 31.325, 118.880, 8),
        ("gubai", "古柏街道", "Gubai Subdistrict", "street", 31.350, 118.930, 5),
        ("qiqiao", "漆桥街道", "Qiqiao Subdistrict", "street", 31.410, 118.990, 4),
        ("gucheng", "固城街道", "Gucheng Subdistrict", "street", 31.290, 118.930, 5),
        ("dongba", "东坝街道", "Dongba Subdistrict", "street", 31.290, 119.040, 4),
        ("yaxi", "桠溪街道", "Yaxi Subdistrict", "street", 31.380, 119.090, 4),
    ]),
]

# The chemical park: Nanjing Jiangbei New Materials Science Park (南京江北新材料科技园),
# along the Yangtze in Changlu and Getang, Liuhe. Chemical enterprises with major hazard
# sources are placed inside this box.
CHEM_PARK = {"district": "liuhe", "streets": ["changlu", "getang"],
             "lat": (32.225, 32.270), "lon": (118.730, 118.820)}
