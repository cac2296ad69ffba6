"""Word lists for invented names (enterprises, experts) and the chemical catalogue.

Used by generate.py only. Every enterprise and person the generator names is invented;
universities and public bodies named as employers or owners are real institutions.
"""

# Two-character brand words with their pinyin, combined into invented company names.
BRANDS = [
    ("瑞丰", "Ruifeng"), ("恒昌", "Hengchang"), ("宏远", "Hongyuan"), ("德润", "Derun"),
    ("康泰", "Kangtai"), ("鑫源", "Xinyuan"), ("华岳", "Huayue"), ("金桥", "Jinqiao"),
    ("永汇", "Yonghui"), ("博晟", "Bosheng"), ("嘉诚", "Jiacheng"), ("启航", "Qihang"),
    ("天衡", "Tianheng"), ("润禾", "Runhe"), ("恒瑞达", "Hengruida"), ("新扬", "Xinyang"),
    ("众鑫", "Zhongxin"), ("泓泰", "Hongtai"), ("中盛", "Zhongsheng"), ("弘毅", "Hongyi"),
    ("长泰", "Changtai"), ("宁扬", "Ningyang"), ("苏宁达", "Suningda"), ("江润", "Jiangrun"),
    ("秦岳", "Qinyue"), ("钟山源", "Zhongshanyuan"), ("石城", "Shicheng"), ("钧达", "Junda"),
    ("锦鸿", "Jinhong"), ("聚丰", "Jufeng"), ("昊天", "Haotian"), ("盈科", "Yingke"),
    ("祥和", "Xianghe"), ("华澄", "Huacheng"), ("友邦达", "Youbangda"), ("兆丰", "Zhaofeng"),
    ("益康", "Yikang"), ("远航", "Yuanhang"), ("卓越", "Zhuoyue"), ("盛世", "Shengshi"),
    ("中科晟", "Zhongkesheng"), ("龙蟠", "Longpan"), ("虎踞", "Huju"), ("青溪", "Qingxi"),
    ("白鹭洲", "Bailuzhou"), ("燕矶", "Yanji"), ("栖云", "Qiyun"), ("汤源", "Tangyuan"),
    ("淳源", "Chunyuan"), ("溧源", "Liyuan"), ("雄州", "Xiongzhou"), ("方山", "Fangshan"),
    ("扬中", "Yangzhong"), ("普惠", "Puhui"), ("东晟", "Dongsheng"), ("威尔", "Weier"),
    ("海川", "Haichuan"), ("优诺", "Younuo"), ("绿源", "Lvyuan"), ("清泉", "Qingquan"),
    ("凯德隆", "Kaidelong"), ("佳信", "Jiaxin"), ("华迪", "Huadi"), ("睿达", "Ruida"),
    ("同创", "Tongchuang"), ("安澜", "Anlan"), ("紫峰源", "Zifengyuan"), ("秣陵", "Moling"),
]

# Surnames and given-name characters for invented experts.
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"),
            ("杨", "Yang"), ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"),
            ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"),
            ("郭", "Guo"), ("何", "He"), ("高", "Gao"), ("林", "Lin"), ("罗", "Luo"),
            ("郑", "Zheng"), ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"),
            ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"), ("邓", "Deng"), ("曹", "Cao"),
            ("彭", "Peng"), ("曾", "Zeng"), ("蒋", "Jiang"), ("蔡", "Cai"), ("丁", "Ding")]
GIVEN = [("伟", "Wei"), ("芳", "Fang"), ("敏", "Min"), ("静", "Jing"), ("强", "Qiang"),
         ("磊", "Lei"), ("军", "Jun"), ("洋", "Yang"), ("勇", "Yong"), ("艳", "Yan"),
         ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("华", "Hua"),
         ("平", "Ping"), ("刚", "Gang"), ("建国", "Jianguo"), ("志远", "Zhiyuan"),
         ("海峰", "Haifeng"), ("晓东", "Xiaodong"), ("文博", "Wenbo"), ("立新", "Lixin"),
         ("春生", "Chunsheng"), ("振宇", "Zhenyu"), ("雪梅", "Xuemei"), ("国庆", "Guoqing"),
         ("宏伟", "Hongwei"), ("亚军", "Yajun"), ("慧", "Hui"), ("斌", "Bin"), ("昊", "Hao")]

# Chemicals stored or processed at major hazard sources: id, zh, en, flammable, toxic
# gas alarm thresholds in ppm (warning, alarm, critical) or None, pressurised storage.
CHEMICALS = [
    ("chlorine", "液氯", "Liquid chlorine", False, (1, 3, 10), True),
    ("ammonia", "液氨", "Liquid ammonia", True, (25, 50, 150), True),
    ("hydrogen_sulfide", "硫化氢", "Hydrogen sulfide", True, (5, 10, 20), True),
    ("carbon_monoxide", "一氧化碳", "Carbon monoxide", True, (24, 50, 200), True),
    ("benzene", "苯", "Benzene", True, (2, 6, 20), False),
    ("methanol", "甲醇", "Methanol", True, None, False),
    ("ethylene", "乙烯", "Ethylene", True, None, True),
    ("propylene", "丙烯", "Propylene", True, None, True),
    ("ethylene_oxide", "环氧乙烷", "Ethylene oxide", True, (1, 2, 10), True),
    ("acrylonitrile", "丙烯腈", "Acrylonitrile", True, (2, 4, 20), False),
    ("styrene", "苯乙烯", "Styrene", True, None, False),
    ("lpg", "液化石油气", "Liquefied petroleum gas", True, None, True),
    ("hydrogen", "氢气", "Hydrogen", True, None, True),
    ("toluene", "甲苯", "Toluene", True, None, False),
    ("vinyl_chloride", "氯乙烯", "Vinyl chloride", True, (1, 3, 10), True),
    ("phosgene", "光气", "Phosgene", False, (0.1, 0.3, 1), True),
    ("hydrogen_cyanide", "氰化氢", "Hydrogen cyanide", True, (2, 5, 10), False),
    ("acetone", "丙酮", "Acetone", True, None, False),
]

# Park product lines for chemical enterprise names: zh, en.
CHEM_LINES = [("化工", "Chemical"), ("新材料", "New Materials"), ("精细化工", "Fine Chemical"),
              ("石化", "Petrochemical"), ("化学", "Chemistry"), ("气体", "Industrial Gases"),
              ("树脂", "Resin"), ("涂料", "Coatings"), ("医药化工", "Pharmaceutical Chemical")]
