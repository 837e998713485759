"""Word lists for `seed_bulk`: real Shanghai places, the kinds of budget units that file notices,
what they buy, and common Chinese names for their staff."""

PLACES = """
真如镇 长风新村 曹杨新村 石泉路 宜川路 甘泉路 万里 长征镇 桃浦镇 江宁路 南京西路 静安寺
曹家渡 天目西路 北站 宝山路 共和新路 大宁路 彭浦新村 临汾路 徐家汇 湖南路 天平路 枫林路
长桥 田林 虹梅路 康健新村 华泾镇 凌云路 新泾镇 仙霞新村 虹桥 周家桥 江苏路 华阳路 程家桥
北新泾 外滩 南京东路 豫园 老西门 五里桥 打浦桥 淮海中路 瑞金二路 欧阳路 曲阳路 广中路
嘉兴路 川北路 北外滩 四川北路 定海路 平凉路 江浦路 四平路 控江路 延吉新村 殷行 五角场
新江湾城 莘庄镇 七宝镇 浦江镇 梅陇镇 虹桥镇 吴泾镇 马桥镇 华漕镇 友谊路 吴淞 张庙 罗店镇
大场镇 杨行镇 月浦镇 罗泾镇 顾村镇 高境镇 新成路 真新 菊园新区 安亭镇 马陆镇 南翔镇
江桥镇 外冈镇 华亭镇 陆家嘴 潍坊新村 塘桥 上钢新村 周家渡 花木 川沙新镇 高桥镇 北蔡镇
张江镇 唐镇 石化 朱泾镇 枫泾镇 张堰镇 亭林镇 岳阳 永丰 方松 中山 泗泾镇 佘山镇 夏阳
盈浦 香花桥 朱家角镇 练塘镇 金泽镇 赵巷镇 徐泾镇 华新镇 南桥镇 奉城镇 庄行镇 金汇镇
四团镇 城桥镇 堡镇 新河镇 庙镇 竖新镇 长兴镇
""".split()
# Units under a street or town: 上海市<district><place><kind>.
UNIT_KINDS = """
街道社区党群服务中心 镇人民政府 街道办事处 社区卫生服务中心 社区事务受理服务中心 第一中学
中心小学 实验幼儿园 初级中学 文化活动中心 城市运行管理中心 市民驿站 综合行政执法队 敬老院
社区学校 图书馆分馆 养护中心 房屋管理所 市场监督管理所
""".split()
# District-level units: 上海市<district><unit>. No 财政局: the finance bureau reviews, it is not
# one of the budget units here.
DISTRICT_UNITS = """
卫生健康委员会 教育局 民政局 体育局 文化和旅游局 绿化和市容管理局 生态环境局
城市管理行政执法局 退役军人事务局 档案馆 图书馆 人民医院 中医医院 疾病预防控制中心
规划和自然资源局 建设和管理委员会 审计局 统计局 司法局 人力资源和社会保障局
""".split()
# What is bought, with its project category.
SUBJECTS = [
    ("办公楼物业管理", "services"),
    ("保洁服务", "services"),
    ("食堂餐饮服务", "services"),
    ("安保服务", "services"),
    ("绿化养护", "services"),
    ("办公设备", "goods"),
    ("计算机设备", "goods"),
    ("信息系统运维", "services"),
    ("网络安全服务", "services"),
    ("档案数字化加工", "services"),
    ("空调维保", "services"),
    ("电梯维保", "services"),
    ("校舍修缮工程", "works"),
    ("道路维修工程", "works"),
    ("医疗设备", "goods"),
    ("图书采购", "goods"),
    ("印刷服务", "services"),
    ("公务车辆租赁", "services"),
    ("会议服务", "services"),
    ("办公家具", "goods"),
    ("教学设备", "goods"),
    ("实验室设备", "goods"),
    ("消防设施维保", "services"),
    ("宣传品制作", "services"),
    ("法律顾问服务", "services"),
    ("财务审计服务", "services"),
    ("课后服务", "services"),
    ("社区养老服务", "services"),
    ("垃圾分类宣传服务", "services"),
    ("公共卫生间保洁", "services"),
    ("监控系统改造工程", "works"),
    ("外立面修缮工程", "works"),
    ("雨污水管道改造工程", "works"),
    ("体育器材", "goods"),
    ("办公用品", "goods"),
    ("被服采购", "goods"),
    ("药品配送服务", "services"),
    ("心理咨询服务", "services"),
    ("社区健康管理服务", "services"),
    ("智慧社区平台建设", "services"),
    ("河道保洁养护", "services"),
]
SUFFIXES = ("项目", "采购项目", "服务项目", "(第一包)", "(第二包)", "年度项目", "")
SURNAMES = """
王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林
罗 高 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 沈 陆 顾 蒋
""".split()
GIVEN_NAMES = """
伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英
华 慧 建华 文 玲 晨 婷 雪 斌 颖 浩 佳 志强 海燕 晓东 文静 子涵
""".split()
