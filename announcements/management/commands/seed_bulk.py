"""Bulk published notices for the benchmark: `manage.py seed_bulk --notices N --rows R`.

Realistic Chinese data (districts, budget units, titles, project names, amounts) written with
bulk_create in batches, search fields included, so 100,000 notices × 8 rows take minutes, not
hours. Each run adds new institutions (one notice per institution and year, as the database
requires); it never touches existing data.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from django.utils.html import escape

from accounts.enums import InstitutionKind
from accounts.models import District, Institution
from announcements.enums import State
from announcements.models import Announcement
from public.cache import bump_public_cache
from public.search import grams_for, search_text_parts
from reservations.enums import ReservationOption
from reservations.models import Report, ReservedProject

YEARS = (2021, 2022, 2023, 2024, 2025)
PLACES = (
    "真如镇",
    "长风新村",
    "曹杨新村",
    "石泉路",
    "宜川路",
    "甘泉路",
    "万里",
    "长征镇",
    "桃浦镇",
    "江宁路",
    "南京西路",
    "静安寺",
    "曹家渡",
    "天目西路",
    "北站",
    "宝山路",
    "共和新路",
    "大宁路",
    "彭浦新村",
    "临汾路",
    "徐家汇",
    "湖南路",
    "天平路",
    "枫林路",
    "长桥",
    "田林",
    "虹梅路",
    "康健新村",
    "华泾镇",
    "凌云路",
    "新泾镇",
    "仙霞新村",
    "虹桥",
    "周家桥",
    "江苏路",
    "华阳路",
    "程家桥",
    "北新泾",
    "外滩",
    "南京东路",
    "豫园",
    "老西门",
    "五里桥",
    "打浦桥",
    "淮海中路",
    "瑞金二路",
    "欧阳路",
    "曲阳路",
    "广中路",
    "嘉兴路",
    "川北路",
    "北外滩",
    "四川北路",
    "定海路",
    "平凉路",
    "江浦路",
    "四平路",
    "控江路",
    "延吉新村",
    "殷行",
    "五角场",
    "新江湾城",
    "莘庄镇",
    "七宝镇",
    "浦江镇",
    "梅陇镇",
    "虹桥镇",
    "吴泾镇",
    "马桥镇",
    "华漕镇",
    "友谊路",
    "吴淞",
    "张庙",
    "罗店镇",
    "大场镇",
    "杨行镇",
    "月浦镇",
    "罗泾镇",
    "顾村镇",
    "高境镇",
    "新成路",
    "真新",
    "菊园新区",
    "安亭镇",
    "马陆镇",
    "南翔镇",
    "江桥镇",
    "外冈镇",
    "华亭镇",
    "陆家嘴",
    "潍坊新村",
    "塘桥",
    "上钢新村",
    "周家渡",
    "花木",
    "川沙新镇",
    "高桥镇",
    "北蔡镇",
    "张江镇",
    "唐镇",
    "石化",
    "朱泾镇",
    "枫泾镇",
    "张堰镇",
    "亭林镇",
    "岳阳",
    "永丰",
    "方松",
    "中山",
    "泗泾镇",
    "佘山镇",
    "夏阳",
    "盈浦",
    "香花桥",
    "朱家角镇",
    "练塘镇",
    "金泽镇",
    "赵巷镇",
    "徐泾镇",
    "华新镇",
    "南桥镇",
    "奉城镇",
    "庄行镇",
    "金汇镇",
    "四团镇",
    "城桥镇",
    "堡镇",
    "新河镇",
    "庙镇",
    "竖新镇",
    "长兴镇",
)
UNIT_KINDS = (
    "街道社区党群服务中心",
    "镇人民政府",
    "街道办事处",
    "社区卫生服务中心",
    "社区事务受理服务中心",
    "第一中学",
    "中心小学",
    "实验幼儿园",
    "初级中学",
    "文化活动中心",
    "城市运行管理中心",
    "市民驿站",
    "综合行政执法队",
    "敬老院",
    "社区学校",
    "图书馆分馆",
    "养护中心",
    "房屋管理所",
    "市场监督管理所",
)
DISTRICT_UNITS = (
    "卫生健康委员会",
    "教育局",
    "民政局",
    "体育局",
    "文化和旅游局",
    "绿化和市容管理局",
    "生态环境局",
    "城市管理行政执法局",
    "退役军人事务局",
    "档案馆",
    "图书馆",
    "人民医院",
    "中医医院",
    "疾病预防控制中心",
    "规划和自然资源局",
    "建设和管理委员会",
    "财政局",
    "审计局",
    "统计局",
    "司法局",
    "人力资源和社会保障局",
)
SUBJECTS = (
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
)
SUFFIXES = ("项目", "采购项目", "服务项目", "(第一包)", "(第二包)", "年度项目", "")
OPTIONS = [c for c, _label in ReservationOption.choices]
OPTION_LABELS = {
    "whole": "采购项目整体预留",
    "dedicated_lot": "设置专门采购包",
    "consortium": "要求以联合体形式参加",
    "subcontract": "要求合同分包",
}


def money(rng, low, high) -> Decimal:
    # Cents and sometimes the fen-precision sixth decimal of 万元, never a float.
    return Decimal(rng.randrange(int(low * 10000), int(high * 10000))) / Decimal(10000) + Decimal(
        rng.choice((0, 0, 0, rng.randrange(1, 99)))
    ) / Decimal(1000000)


def published_html(*, title, year, unit, rows, sme_total, small_total, date) -> str:
    share = (small_total * 100 / sme_total).quantize(Decimal("0.01")) if sme_total else Decimal("0")
    body = "".join(
        f"<tr><td>{r.position + 1}</td><td>{escape(r.name)}</td><td>{OPTION_LABELS[r.option]}</td>"
        f"<td>{r.ratio.normalize():f}</td><td>{r.sme_amount.normalize():f}</td>"
        f'<td><a href="{r.contract_url}">{r.contract_url}</a></td></tr>'
        for r in rows
    )
    return (
        f'<article class="notice-document"><h2 class="notice-title">{escape(title)}</h2>'
        "<p>根据《政府采购促进中小企业发展管理办法》(财库〔2020〕46号)要求,"
        f"现对本部门(单位){year}年面向中小企业预留项目执行情况公告如下:</p>"
        f"<p>本部门(单位){year}年预留项目面向中小企业采购共计{sme_total.normalize():f}万元,其中,"
        f"面向小微企业采购{small_total.normalize():f}万元,占{share}%。</p>"
        "<table><caption>面向中小企业预留项目明细</caption><thead><tr><th>序号</th><th>项目名称</th><th>预留选项</th>"
        "<th>预留比例(%)</th><th>面向中小企业采购金额(万元)</th><th>合同链接</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
        f'<p class="footer-lines">部门(单位)名称:{escape(unit)}<br>日期:{date:%Y年%m月%d日}</p></article>'
    )


class Command(BaseCommand):
    help = "Create N published notices with R rows each, fast, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=1000)
        parser.add_argument("--rows", type=int, default=8)
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--revoked-share", type=float, default=0.01)

    def handle(self, *args, notices, rows, batch, seed, revoked_share, **options):
        rng = random.Random(seed + Institution.objects.count())
        districts = list(District.objects.exclude(code="310000"))
        started = time.monotonic()
        done = 0
        serial = Institution.objects.count()
        while done < notices:
            size = min(batch, notices - done)
            with transaction.atomic():
                serial = self._batch(rng, districts, size, rows, revoked_share, serial)
            done += size
            self.stdout.write(f"{done}/{notices} notices ({time.monotonic() - started:.0f} s)")
        if connection.vendor == "postgresql":
            # Fresh statistics let the planner pick the search indexes (announcements.search).
            with connection.cursor() as cursor:
                for table in (
                    "announcements_announcement",
                    "reservations_reservedproject",
                    "reservations_report",
                    "accounts_institution",
                ):
                    # VACUUM (it also settles the GIN indexes) cannot run inside a transaction.
                    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                    cursor.execute(f"{verb} {table}")
        bump_public_cache()
        self.stdout.write(
            self.style.SUCCESS(f"Created {done} notices × {rows} rows in {time.monotonic() - started:.1f} s")
        )

    def _batch(self, rng, districts, size, rows_per, revoked_share, serial) -> int:
        now = timezone.now()
        # Each new institution files one notice for each of several years.
        institutions = []
        plan = []  # (institution index, year)
        while len(plan) < size:
            district = rng.choice(districts)
            serial += 1
            if district.code == "319900" or rng.random() < 0.25:
                name = (
                    f"上海市{'' if district.code == '319900' else district.name}{rng.choice(DISTRICT_UNITS)}"
                )
            else:
                name = f"上海市{district.name}{rng.choice(PLACES)}{rng.choice(UNIT_KINDS)}"
            name = f"{name}(第{serial}号)" if rng.random() < 0.02 else name
            institutions.append(Institution(name=name, district=district, kind=InstitutionKind.BUDGET_UNIT))
            years = rng.sample(YEARS, rng.randint(1, len(YEARS)))
            plan.extend((len(institutions) - 1, y) for y in years)
        plan = plan[:size]
        Institution.objects.bulk_create(institutions)

        reports = [
            Report(
                institution=institutions[i],
                year=year,
                competent_unit_name=institutions[i].name
                if rng.random() < 0.6
                else f"上海市{institutions[i].district.name}{rng.choice(DISTRICT_UNITS)}",
            )
            for i, year in plan
        ]
        row_objs, by_report = [], []
        for report, (_i, year) in zip(reports, plan, strict=True):
            mine = []
            for position in range(rows_per):
                subject, category = rng.choice(SUBJECTS)
                option = rng.choice(OPTIONS)
                sme = money(rng, 5, 400)
                small = min(sme, (sme * Decimal(rng.randint(40, 100)) / 100).quantize(Decimal("0.000001")))
                budget = (sme * Decimal(rng.randint(100, 300)) / 100).quantize(Decimal("0.000001"))
                mine.append(
                    ReservedProject(
                        position=position,
                        name=f"{year}年度{subject}{rng.choice(SUFFIXES)}",
                        code=f"SH{year}{rng.randrange(10**7):07d}",
                        category=category,
                        option=option,
                        ratio=Decimal(100)
                        if option == "whole"
                        else Decimal(rng.choice((30, 35, 40, 50, 60))),
                        budget_amount=budget,
                        sme_amount=sme,
                        small_micro_amount=small,
                        contract_url=f"https://www.zfcg.sh.gov.cn/site/detail?contractId={rng.randrange(10**12)}",
                    )
                )
            report.sme_total = sum((r.sme_amount for r in mine), Decimal(0))
            report.small_micro_total = sum((r.small_micro_amount for r in mine), Decimal(0))
            by_report.append(mine)
        Report.objects.bulk_create(reports)
        for report, mine in zip(reports, by_report, strict=True):
            for row in mine:
                row.report = report
                row_objs.append(row)
        ReservedProject.objects.bulk_create(row_objs, batch_size=5000)

        notices = []
        for report, mine, (i, year) in zip(reports, by_report, plan, strict=True):
            institution = institutions[i]
            title = f"{institution.name}{year}年面向中小企业预留项目执行情况公告"
            # Most notices from the last three years, a few within the NEW window.
            published_at = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
            if rng.random() < 0.01:
                published_at = now - timedelta(seconds=rng.randrange(3 * 86400))
            revoked = rng.random() < revoked_share
            parts = search_text_parts(
                title=title,
                unit=institution.name,
                competent_unit=report.competent_unit_name,
                project_names=[r.name for r in mine],
            )
            notices.append(
                Announcement(
                    institution=institution,
                    district=institution.district,
                    year=year,
                    report=report,
                    title=title,
                    state=State.REVOKED if revoked else State.PUBLISHED,
                    submitted_at=published_at - timedelta(days=2),
                    approved_at=published_at,
                    published_at=published_at,
                    revoked_at=published_at + timedelta(days=1) if revoked else None,
                    revoke_reason="数据填报有误,撤回后重新发布" if revoked else "",
                    published_html=published_html(
                        title=title,
                        year=year,
                        unit=report.competent_unit_name,
                        rows=mine,
                        sme_total=report.sme_total,
                        small_total=report.small_micro_total,
                        date=timezone.localdate(published_at),
                    ),
                    view_count=rng.randrange(500),
                    search_text="\n".join(parts),
                    search_grams=grams_for(parts),
                )
            )
        Announcement.objects.bulk_create(notices)
        return serial
