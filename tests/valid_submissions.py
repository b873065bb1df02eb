"""Valid submissions drawn from the whole space templates.md allows, written as real files.

Independent of the project's own samples and registry: the template headers are copied from
templates.md, region history is parsed from python-stdnum's loc.dat, codes are built from their
standards (GB 32100 USCC, GB 11643 resident ID). Every file comes with what a correct reader must
read back (`Table.expected`), and `mutate` breaks exactly one rule and says where it must be reported.

Everything is driven by a `random.Random`, so the bench uses seeds and the tests wrap it in Hypothesis:
`submissions()` is a strategy of seeds mapped through `generate`.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import random
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import stdnum
import xlsxwriter
import xlwt
from stdnum.cn import ric
from stdnum.cn import uscc as stdnum_uscc

# --- code tables ----------------------------------------------------------------------------------

LOC_DAT = Path(stdnum.__file__).parent / "cn" / "loc.dat"
DEV_ZONES = ("410671", "410690")  # 鹤壁's statistical codes: region codes, never ID address codes
PROVINCES = ("41", "65")  # 河南, 新疆: every county of these is drawn as a region code
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
Span = tuple[int | None, int | None]


@functools.cache
def loc() -> dict[str, list[Span]]:
    """Code → the year spans it was in force, from loc.dat lines like
    `  0611 county="[1983-2000]郊区,[2001-]淇滨区"` under `41 province="河南省"`; no bracket: always."""
    spans: dict[str, list[Span]] = {}
    province = None
    for line in LOC_DAT.read_text(encoding="utf-8").splitlines():
        if m := re.match(r'(\d{2}) province=', line):
            province = m[1]
        elif m := re.match(r'\s+(\d{4}) county="(.*)"', line):
            out = []
            for part in m[2].split(","):
                b = re.match(r"\[(\d*)-(\d*)\]", part)
                out.append((int(b[1]) if b and b[1] else None, int(b[2]) if b and b[2] else None))
            spans[province + m[1]] = out
    return spans


def in_force(code: str, first: int, last: int) -> bool:
    """Whether the code was in force at some time in the years first..last."""
    return any((a is None or a <= last) and (b is None or b >= first) for a, b in loc().get(code, ()))


@functools.cache
def county_codes() -> tuple[str, ...]:
    return tuple(c for c in loc() if not c.endswith("00"))


@functools.cache
def region_codes(year: int, cities: bool = False) -> tuple[str, ...]:
    """County codes of PROVINCES in force in `year` plus the development zones; with `cities`, the
    city codes too (a bureau's finance table or frame may cover a city)."""
    out = [c for c in loc() if c[:2] in PROVINCES and (cities or not c.endswith("00")) and not c.endswith("0000")
           and in_force(c, year, year)]
    return tuple(out) + DEV_ZONES


@functools.cache
def never_existed() -> tuple[str, ...]:
    """Six-digit codes under real cities that GB/T 2260 never used (nor the region seed)."""
    seed = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "regions.csv"
    known = set(loc()) | {r["region_code"] for r in csv.DictReader(seed.open(encoding="utf-8"))}
    cities = sorted({c[:4] for c in loc() if c[:2] in PROVINCES})
    return tuple(f"{c}{n:02d}" for c in cities for n in range(60, 100) if f"{c}{n:02d}" not in known)


def uscc(rng: random.Random) -> str:
    """GB 32100: registration authority and category (2 chars), a region code, 9 chars, check char."""
    head = rng.choice(USCC_ALPHABET) + rng.choice(USCC_ALPHABET) if rng.random() < 0.4 else rng.choice(("91", "92", "93", "52", "12", "11"))
    region = rng.choice(tuple(loc()))
    mode = rng.random()
    if mode < 0.35:  # anything the alphabet allows
        body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    else:  # mostly digits with a letter or none: the strings that look like numbers ("…E448801280")
        body = [rng.choice("0123456789") for _ in range(9)]
        if mode < 0.85:
            body[rng.randrange(9)] = rng.choice("ABCDEFGHJKLMNPQRTUWXY" + "EEEE")
        body = "".join(body)
    code = head + region + body
    return code + stdnum_uscc.calc_check_digit(code)


def id_under(rng: random.Random, code: str, year: int) -> str:
    """A resident ID with address code `code` (in force at some time up to `year`), born before or
    in the code's first year."""
    start = min((a or 1955) for a, _ in loc()[code])
    end = max((b or year) for _, b in loc()[code])
    born = rng.randrange(max(1955, min(start, 2012) - 15), min(max(1955, start), end, 2012) + 1)
    body = f"{code}{born}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")


def digit_uscc(rng: random.Random) -> str:
    while not (code := uscc(rng)).isdigit():
        pass
    return code


def resident_id(rng: random.Random, year: int, born: tuple[int, int] = (1955, 2012)) -> str:
    """GB 11643: an address code in force at some time between birth and the period's year (a number
    is issued where one lives then, so the code may be newer than the birth), birth date, sequence."""
    first, last = born[0], min(born[1], year)
    birth = dt.date(first, 1, 1) + dt.timedelta(days=rng.randrange((dt.date(last, 12, 31) - dt.date(first, 1, 1)).days))
    codes = county_codes()
    if rng.random() < 0.3:  # prefer a code created after the birth year
        newer = [c for c in rng.sample(codes, 200) if all(a is not None and a > birth.year for a, _ in loc()[c])
                 and in_force(c, birth.year, year)]
        code = newer[0] if newer else None
    else:
        code = None
    while code is None or not in_force(code, birth.year, year):
        code = rng.choice(codes)
    body = f"{code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    number = body + ric.calc_check_digit(body + "0")
    return number[:-1] + "x" if number.endswith("X") and rng.random() < 0.4 else number


# --- the templates (templates.md), as field name, header, type, required ------------------------------

@dataclass(frozen=True)
class F:
    name: str
    header: str  # the template header without its unit
    type: str  # code10 text pii id uscc region enum flag int num money date period month year subcode
    required: bool = True
    unit: str | None = None  # money: the field's unit
    values: tuple[str, ...] = ()


def _f(name, header, type_, required=True, unit=None, values=()):
    return F(name, header, type_, required, unit, tuple(values.split("/")) if isinstance(values, str) else values)


LEVELS = "中职/技工院校/高职专科/职业本科"
TEMPLATES: dict[str, tuple[str, list[F]]] = {
    "school_info": ("学校信息", [
        _f("school_code", "学校标识码", "code10"), _f("school_name", "学校名称", "text"), _f("region_code", "所在地区划代码", "region"),
        _f("school_level", "办学层次", "enum", values=LEVELS), _f("period", "报告期", "period"),
        _f("enrolled_students", "在校生数", "int"), _f("staff_quota", "编制员额", "int"), _f("total_teaching_hours", "总课时", "num"),
        _f("practical_teaching_hours", "实践性教学课时", "num"), _f("contact_name", "填报人", "pii", False),
        _f("contact_phone", "联系电话", "pii", False)]),
    "teachers": ("教师名册", [
        _f("teacher_id", "教师工号", "pii"), _f("teacher_name", "姓名", "pii", False), _f("id_number", "身份证号", "id", False),
        _f("is_professional", "是否专业课教师", "flag"), _f("is_dual_qualified", "是否双师型", "flag"),
        _f("employment_type", "用工类型", "enum", values="专任/兼职"), _f("source_enterprise_uscc", "来源企业统一社会信用代码", "uscc", False),
        _f("practice_days_12m", "近12个月企业实践天数", "int"), _f("practice_days_24m", "近24个月企业实践天数", "int"),
        _f("is_integrated", "是否一体化教师", "flag", False)]),
    "apprentices": ("学徒制学生", [
        _f("student_id", "学号", "pii"), _f("student_name", "姓名", "pii", False), _f("id_number", "身份证号", "id", False),
        _f("major", "专业", "text"), _f("apprenticeship_type", "学徒制类型", "enum", values="现代学徒制/企业新型学徒制"),
        _f("enterprise_uscc", "合作企业统一社会信用代码", "uscc"), _f("agreement_date", "三方协议签订日期", "date"),
        _f("status", "状态", "enum", values="在读/结业/退出")]),
    "graduate_destinations": ("毕业生去向", [
        _f("student_id", "学号", "pii"), _f("student_name", "姓名", "pii", False), _f("id_number", "身份证号", "id", False),
        _f("graduation_year", "毕业年份", "year"), _f("destination_type", "去向类型", "enum", values="就业/升学/入伍/自主创业/未就业"),
        _f("employer_uscc", "就业单位统一社会信用代码", "uscc", False), _f("employer_region_code", "就业单位所在地区划代码", "region", False),
        _f("employer_type", "单位性质", "enum", False, values="企业/机关事业单位/其他"), _f("survey_date", "调查日期", "date")]),
    "cooperations": ("校企合作", [
        _f("enterprise_uscc", "合作企业统一社会信用代码", "uscc"), _f("enterprise_name", "合作企业名称", "text"),
        _f("cooperation_type", "合作形式", "enum", values="订单培养/现代学徒制/共建实训基地/产业学院/职教集团/技术研发/教师实践基地/其他"),
        _f("start_date", "开始日期", "date"), _f("end_date", "结束日期", "date", False)]),
    "enterprise_returns": ("企业参与职业教育情况表", [
        _f("uscc", "统一社会信用代码", "uscc"), _f("enterprise_name", "企业名称", "text"), _f("region_code", "所在地区划代码", "region"),
        _f("period", "报告期", "period", False), _f("employees", "职工总数", "int"), _f("wage_bill", "工资总额", "money", unit="万元"),
        _f("training_fund_extracted", "职工教育经费提取额", "money", unit="万元"),
        _f("training_fund_frontline", "一线职工教育培训支出", "money", unit="万元"), _f("internship_posts", "提供实习岗位数", "int"),
        _f("apprentices", "在岗学徒数", "int"), _f("in_vocational_group", "是否参与职教集团", "flag"),
        _f("enterprise_size", "企业规模", "enum", values="大型/中型/小型/微型"), _f("hiring_plan", "年度招用计划人数", "int"),
        _f("secondary_vocational_hires", "招录中职毕业生人数", "int")]),
    "above_scale_enterprises": ("规模以上企业名录", [
        _f("uscc", "统一社会信用代码", "uscc"), _f("enterprise_name", "企业名称", "text"), _f("region_code", "所在地区划代码", "region"),
        _f("industry_code", "行业代码", "text"), _f("period", "报告期", "period", False)]),
    "certified_enterprises": ("产教融合型企业名单", [
        _f("uscc", "统一社会信用代码", "uscc"), _f("enterprise_name", "企业名称", "text"), _f("region_code", "所在地区划代码", "region"),
        _f("level", "认定级别", "enum", values=("国家", "省", "市(州)", "县")), _f("certified_on", "认定日期", "date"),
        _f("valid_until", "有效期至", "date", False), _f("period", "报告期", "period", False)]),
    "carriers": ("产教融合载体名录", [
        _f("carrier_id", "载体编号", "text"), _f("carrier_type", "载体类型", "enum", values="产业学院/实训基地/职教集团/技能大师工作室/职业体验中心"),
        _f("carrier_name", "载体名称", "text"), _f("region_code", "所在地区划代码", "region"),
        _f("level", "级别", "enum", values="国家级/省级/市级/县级"), _f("is_high_level", "是否高水平", "flag"),
        _f("lead_school_code", "牵头学校标识码", "code10", False), _f("lead_uscc", "牵头企业统一社会信用代码", "uscc", False),
        _f("established_on", "成立日期", "date"), _f("closed_on", "撤销日期", "date", False), _f("period", "报告期", "period", False)]),
    "education_finance": ("教育经费情况表", [
        _f("region_code", "所在地区划代码", "region"), _f("fiscal_year", "年度", "year"), _f("coverage", "口径", "enum", values="本级/全辖"),
        _f("local_surcharge_collected", "地方教育附加征收额", "money", unit="万元"),
        _f("local_surcharge_to_ve", "地方教育附加用于职业教育额", "money", unit="万元"),
        _f("edu_surcharge_collected", "教育费附加征收额", "money", unit="万元"),
        _f("edu_surcharge_to_ve", "教育费附加用于职业教育额", "money", unit="万元"),
        _f("secondary_per_student_funding", "中职生均公用经费", "money", False, unit="元"),
        _f("higher_per_student_appropriation", "高职生均财政拨款", "money", False, unit="元")]),
    "reporting_frame": ("填报单位名录", [
        _f("submitter_code", "填报单位代码", "subcode"), _f("submitter_name", "名称", "text"),
        _f("kind", "报表类型", "enum", values="school_workbook/enterprise_return/above_scale_register/certified_enterprises/carriers/education_finance"),
        _f("region_code", "所在地区划代码", "region"), _f("school_level", "办学层次", "enum", False, values=LEVELS),
        _f("affiliation", "隶属关系", "enum", False, values="市属/县属/民办/企业办"), _f("contact_name", "联系人", "pii", False),
        _f("contact_phone", "联系电话", "pii", False), _f("email", "电子邮箱", "pii", False), _f("from_period", "起报期", "month"),
        _f("to_period", "止报期", "month", False)]),
}
KINDS = {  # kind → its tables; the school workbook is the only one with several sheets
    "school_workbook": ["school_info", "teachers", "apprentices", "graduate_destinations", "cooperations"],
    "enterprise_return": ["enterprise_returns"], "above_scale_register": ["above_scale_enterprises"],
    "certified_enterprises": ["certified_enterprises"], "carriers": ["carriers"], "education_finance": ["education_finance"],
    "reporting_frame": ["reporting_frame"],
}
KIND_TITLES = {"school_workbook": "职业院校产教融合数据报表", "enterprise_return": "企业参与职业教育情况表", "above_scale_register": "规模以上企业名录",
               "certified_enterprises": "产教融合型企业名单", "carriers": "产教融合载体名录", "education_finance": "教育经费情况表"}
MONEY = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
COUNT_UNITS = {"enrolled_students": "人", "staff_quota": "人", "total_teaching_hours": "课时", "practical_teaching_hours": "课时",
               "practice_days_12m": "天", "practice_days_24m": "天", "employees": "人", "internship_posts": "个", "apprentices": "人",
               "hiring_plan": "人", "secondary_vocational_hires": "名"}
QUALIFIERS = ("合作", "企业", "单位", "统一", "社会")
# A parent over two children in a two-row header: the header is parent + child or child + parent.
SPLITS = {"practice_days_12m": ("企业实践天数", "近12个月", "suffix"), "practice_days_24m": ("企业实践天数", "近24个月", "suffix"),
          "total_teaching_hours": ("课时", "总", "suffix"), "practical_teaching_hours": ("课时", "实践性教学", "suffix"),
          "local_surcharge_collected": ("地方教育附加", "征收额", "prefix"), "local_surcharge_to_ve": ("地方教育附加", "用于职业教育额", "prefix"),
          "edu_surcharge_collected": ("教育费附加", "征收额", "prefix"), "edu_surcharge_to_ve": ("教育费附加", "用于职业教育额", "prefix")}
# How often two layouts appear (both valid; set to 0 to look past them): a header whose every cell is
# merged over two rows, and a money unit written on a merged parent ("地方教育附加(万元)" over "征收额").
TALL_HEADER = 0.2
PARENT_UNIT = 0.3
SYNONYMS = {"is_dual_qualified": ("双师素质教师",)}  # named in templates.md

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹香月"
         "莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚"
         "苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽")
CITIES = {"41": ["郑州", "开封", "洛阳", "鹤壁", "新乡", "安阳", "许昌", "南阳"], "65": ["乌鲁木齐", "克拉玛依", "昌吉", "伊犁", "喀什", "阿克苏"]}
TRADES = ["机械", "电子", "纺织", "食品", "化工", "建材", "物流", "汽车零部件", "光电", "新材料", "软件", "电力设备"]
MAJORS = ["机电一体化技术", "数控技术", "电子商务", "护理", "汽车运用与维修", "会计事务", "计算机应用", "工业机器人技术", "学前教育", "物流管理"]


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _company(rng, province):
    return f"{rng.choice(CITIES[province])}{rng.choice('华宏盛鑫泰丰恒瑞通达')}{rng.choice('华宏盛鑫泰丰恒瑞通达')}{rng.choice(TRADES)}有限公司"


def _date(rng, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def period_end(period: str) -> dt.date:
    y, m = int(period[:4]), int(period[5:])
    return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def _money(rng, high: int, decimals: int = 2) -> Decimal:
    return Decimal(rng.randrange(high * 10**decimals)).scaleb(-decimals).normalize() + 0


# --- logical rows: what each table holds, every rule of templates.md respected --------------------

def rows_for(rng: random.Random, table: str, period: str, ctx: dict, n: int | None = None) -> list[dict]:
    year, end = int(period[:4]), period_end(period)
    prov = ctx["province"]
    region = lambda: rng.choice(region_codes(year))  # noqa: E731
    if table == "school_info":
        total = _money(rng, 6000, 1)
        return [{"school_code": ctx["school_code"], "school_name": ctx["school_name"], "region_code": ctx["region"],
                 "school_level": rng.choice(LEVELS.split("/")), "period": period, "enrolled_students": rng.randrange(0, 30000),
                 "staff_quota": rng.randrange(0, 2000), "total_teaching_hours": total,
                 "practical_teaching_hours": total if rng.random() < 0.1 else (total * Decimal(rng.randrange(101)) / 100).quantize(Decimal("0.1")),
                 "contact_name": _name(rng), "contact_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"}]
    # a school sheet may be empty (header only); a return or register lists at least one row
    if n is None:
        n = rng.choice((0, 1, 2, 3, 5, 8)) if table in KINDS["school_workbook"] else rng.randrange(1, 9)
    out = []
    for i in range(n):
        if table == "teachers":
            professional = rng.random() < 0.7
            part_time = rng.random() < 0.3
            d12 = rng.randrange(0, 367)
            out.append({"teacher_id": rng.choice((f"T{i + 1:04d}", f"{year - rng.randrange(30)}{i + 1:03d}", f"JS-{i + 1}")),
                        "teacher_name": _name(rng), "id_number": resident_id(rng, year, (1955, year - 20)), "is_professional": professional,
                        "is_dual_qualified": professional and rng.random() < 0.5, "employment_type": "兼职" if part_time else "专任",
                        "source_enterprise_uscc": uscc(rng) if part_time or rng.random() < 0.1 else None,
                        "practice_days_12m": d12, "practice_days_24m": rng.randrange(d12, min(731, d12 + 366) + 1),
                        "is_integrated": rng.random() < 0.3})
        elif table == "apprentices":
            out.append({"student_id": f"{year - rng.randrange(3)}{ctx['school_code'][-4:]}{i + 1:04d}", "student_name": _name(rng),
                        "id_number": resident_id(rng, year, (max(1955, year - 40), min(2012, year - 14))), "major": rng.choice(MAJORS),
                        "apprenticeship_type": rng.choice(("现代学徒制", "企业新型学徒制")), "enterprise_uscc": uscc(rng),
                        "agreement_date": _date(rng, dt.date(year - 3, 1, 1), end), "status": rng.choice(("在读", "结业", "退出"))})
        elif table == "graduate_destinations":
            dest = rng.choice(("就业", "就业", "升学", "入伍", "自主创业", "未就业"))
            etype = rng.choice(("企业", "企业", "机关事业单位", "其他")) if dest == "就业" else None
            out.append({"student_id": f"G{year}{i + 1:05d}", "student_name": _name(rng),
                        "id_number": resident_id(rng, year, (max(1955, year - 40), min(2012, year - 14))),
                        "graduation_year": rng.choice((year, year - 1, year - 1, rng.randrange(2000, year + 1))), "destination_type": dest,
                        "employer_uscc": uscc(rng) if etype == "企业" else None,
                        "employer_region_code": region() if dest in ("就业", "自主创业") else None, "employer_type": etype,
                        "survey_date": _date(rng, dt.date(year - 1, 1, 1), end)})
        elif table == "cooperations":
            start = _date(rng, dt.date(year - 6, 1, 1), end + dt.timedelta(days=200))  # may begin after period end
            out.append({"enterprise_uscc": uscc(rng), "enterprise_name": _company(rng, prov),
                        "cooperation_type": rng.choice(TEMPLATES["cooperations"][1][2].values),
                        "start_date": start, "end_date": rng.choice((None, start, _date(rng, start, start + dt.timedelta(days=2000))))})
        elif table == "enterprise_returns":
            extracted = _money(rng, 500)
            out.append({"uscc": uscc(rng), "enterprise_name": _company(rng, prov), "region_code": region(), "period": period,
                        "employees": rng.randrange(0, 50000), "wage_bill": _money(rng, 100000), "training_fund_extracted": extracted,
                        "training_fund_frontline": (extracted * Decimal(rng.randrange(101)) / 100).quantize(Decimal("0.01")),
                        "internship_posts": rng.randrange(300), "apprentices": rng.randrange(200), "in_vocational_group": rng.random() < 0.4,
                        "enterprise_size": rng.choice(("大型", "中型", "小型", "微型")), "hiring_plan": rng.randrange(2000),
                        "secondary_vocational_hires": rng.randrange(500)})
        elif table == "above_scale_enterprises":
            out.append({"uscc": uscc(rng), "enterprise_name": _company(rng, prov), "region_code": region(),
                        "industry_code": rng.choice("ABCDEFGHIJKLMNOPQRST") + f"{rng.randrange(100):02d}", "period": period})
        elif table == "certified_enterprises":
            on = _date(rng, dt.date(year - 5, 1, 1), end)
            out.append({"uscc": uscc(rng), "enterprise_name": _company(rng, prov), "region_code": region(),
                        "level": rng.choice(("国家", "省", "市(州)", "县")), "certified_on": on,
                        "valid_until": rng.choice((None, on.replace(year=on.year + 3) if on.month != 2 or on.day != 29 else on)), "period": period})
        elif table == "carriers":
            on = _date(rng, dt.date(2005, 1, 1), end)
            out.append({"carrier_id": f"ZT{year}-{i + 1:03d}", "carrier_type": rng.choice(TEMPLATES["carriers"][1][1].values),
                        "carrier_name": f"{rng.choice(CITIES[prov])}{rng.choice(TRADES)}产教融合{rng.choice(('实训基地', '产业学院', '工作室'))}{i + 1}",
                        "region_code": region(), "level": rng.choice(("国家级", "省级", "市级", "县级")), "is_high_level": rng.random() < 0.3,
                        "lead_school_code": rng.choice((None, ctx["school_code"])), "lead_uscc": rng.choice((None, uscc(rng))),
                        "established_on": on, "closed_on": rng.choice((None, None, _date(rng, on, on + dt.timedelta(days=3000)))), "period": period})
        elif table == "education_finance":
            collected, other = _money(rng, 90000), _money(rng, 90000)
            out.append({"region_code": ctx["finance_regions"][i], "fiscal_year": year - rng.randrange(3), "coverage": rng.choice(("本级", "全辖")),
                        "local_surcharge_collected": collected,
                        "local_surcharge_to_ve": (collected * Decimal(rng.randrange(101)) / 100).quantize(Decimal("0.01")),
                        "edu_surcharge_collected": other, "edu_surcharge_to_ve": (other * Decimal(rng.randrange(101)) / 100).quantize(Decimal("0.01")),
                        "secondary_per_student_funding": rng.choice((None, _money(rng, 20000))),
                        "higher_per_student_appropriation": rng.choice((None, _money(rng, 40000)))})
        elif table == "reporting_frame":
            kind = rng.choice(("school_workbook", "enterprise_return", "carriers", "education_finance"))
            code = {"school_workbook": f"{rng.randrange(1, 5)}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else f"0{rng.randrange(10**8, 10**9)}",
                    "enterprise_return": uscc(rng)}.get(kind, region())
            start = f"{year - rng.randrange(4)}-{rng.randrange(1, 13):02d}"
            stop = rng.choice((None, f"{int(start[:4]) + rng.randrange(1, 4)}-{start[5:]}"))
            out.append({"submitter_code": code, "submitter_name": ctx["school_name"] if kind == "school_workbook" else _company(rng, prov),
                        "kind": kind, "region_code": region(), "school_level": rng.choice(LEVELS.split("/")) if kind == "school_workbook" else None,
                        "affiliation": rng.choice((None, "市属", "县属", "民办", "企业办")), "contact_name": rng.choice((None, _name(rng))),
                        "contact_phone": f"0392-{rng.randrange(10**7):07d}", "email": f"user{rng.randrange(10**4)}@example.cn",
                        "from_period": start, "to_period": stop})
    for r in out:  # optional values left blank now and then
        for f in TEMPLATES[table][1]:
            if (not f.required and f.type != "flag" and r.get(f.name) is not None and rng.random() < 0.15
                    and f.name not in ("source_enterprise_uscc", "employer_uscc", "employer_region_code", "employer_type")):
                r[f.name] = None
    if table == "reporting_frame":  # one row per submitter and kind
        out = list({(r["submitter_code"], r["kind"]): r for r in out}.values())
    return out


# --- cells: how a value may be written, and what must be read back ---------------------------------

FULL = str.maketrans("0123456789,.-()", "０１２３４５６７８９，．－（）")
EMPTY = (None, "", "—", "/", "无", "N/A")


def full_width(s: str) -> str:
    return s.translate(FULL)


def _number_text(rng, d: Decimal | int) -> str:
    s = rng.choice(("{:f}", "{:,f}")).format(Decimal(d)) if isinstance(d, Decimal) else rng.choice(("{}", "{:,}")).format(d)
    return full_width(s) if rng.random() < 0.2 else s


def encode(rng: random.Random, f: F, value, fmt: str, unit: str | None = None):
    """A cell as a submitter might write `value` of field `f` (`unit`: the money unit of the header)."""
    excel = fmt != "csv"
    pick = lambda *options: rng.choice(options)  # noqa: E731
    if value is None:
        return pick(*EMPTY)
    t = f.type
    if t in ("text", "uscc", "pii"):
        if t == "pii" and excel and value.isdigit() and len(value) < 15 and rng.random() < 0.4:
            return int(value)  # a phone or staff number typed into a number cell
        return value
    if t == "id":
        return value
    if t in ("code10", "region", "subcode"):
        if value.isdigit() and len(value) <= 10 and rng.random() < 0.4:
            return int(value) if excel else value.lstrip("0")  # a short code that lost its leading zeros
        return value
    if t == "enum":
        return pick(value, value, f" {value} ", value.replace("(", "（").replace(")", "）"))
    if t == "flag":
        options = [("是", "否"), ("Y", "N"), ("√", "×"), ("1", "0")] + ([(1, 0), (True, False)] if excel else [])
        return pick(*options)[0 if value else 1]
    if t == "int":
        return pick(value, float(value), str(value), _number_text(rng, value)) if excel else pick(str(value), _number_text(rng, value))
    if t in ("num", "money"):
        d = value if t == "num" else value * MONEY[f.unit] / MONEY[unit]
        d = d.normalize() + 0  # no exponent: 1.2E+3 → 1200
        return pick(float(d), float(d), _number_text(rng, d)) if excel else _number_text(rng, d)
    if t == "date":
        texts = (value.isoformat(), f"{value.year}.{value.month}.{value.day}", f"{value.year}年{value.month}月{value.day}日",
                 f"{value.year}/{value.month}/{value.day}")
        return pick(value, value, (value - dt.date(1899, 12, 30)).days, *texts) if excel else pick(*texts)
    if t in ("period", "month"):
        y, m = int(value[:4]), int(value[5:])
        texts = (value, f"{y}年{m}月", f"{y}.{m:02d}", f"{y}年{m:02d}月")
        return pick(dt.date(y, m, 1), *texts) if excel else pick(*texts)
    if t == "year":
        return pick(value, str(value), f"{value}年") if excel else pick(str(value), f"{value}年")
    raise ValueError(t)


def expected(f: F, value, key: bytes) -> dict:
    """What a correct reader returns for `value` of `f`, by warehouse column."""
    from ingestion.pii import pseudonymise  # the hash is the project's API, not a generator

    if f.type == "pii":
        return {f"{f.name}_hash": None if value is None else pseudonymise(key, value)}
    if f.type == "id":
        return {f"{f.name}_hash": None if value is None else pseudonymise(key, value.upper()), f"{f.name}_valid": None if value is None else True}
    if f.type in ("uscc", "region"):
        return {f.name: value, f"{f.name}_valid": None if value is None else True}
    if f.type in ("num", "money"):
        return {f.name: None if value is None else float(value)}
    if f.type == "flag" and value is None:
        return {f.name: False}  # an absent 是否一体化教师 means 否
    return {f.name: value}


# --- headers ------------------------------------------------------------------------------------

def _core(header: str) -> str:
    for q in QUALIFIERS:
        header = header.replace(q, "")
    return header


def header_text(rng: random.Random, f: F, fields: list[F], unit: str | None, cosmetic: bool = True) -> str:
    """The header of `f` as a submitter writes it: a synonym or qualifiers dropped (only when no
    other column of the sheet has the same core term), a unit, spaces, widths, line breaks."""
    h = f.header
    r = rng.random()
    if f.name in SYNONYMS and r < 0.3:
        h = rng.choice(SYNONYMS[f.name])
    elif r < 0.5 and any(q in h for q in QUALIFIERS) and sum(_core(g.header) == _core(h) for g in fields) == 1:
        for q in QUALIFIERS:
            if q in h and rng.random() < 0.6:
                h = h.replace(q, "", 1)
        if any(h == g.header for g in fields if g is not f) or len(h) < 2:
            h = f.header
    if unit:
        h += rng.choice(("({})", "（{}）", "【{}】", "(单位：{})")).format(unit)
    elif f.name in COUNT_UNITS and rng.random() < 0.2:
        h += rng.choice(("({})", "（{}）")).format(COUNT_UNITS[f.name])
    return style(rng, h) if cosmetic else h


def style(rng: random.Random, h: str) -> str:
    if rng.random() < 0.2:
        h = full_width(h)
    elif rng.random() < 0.1:
        h = h.translate(str.maketrans("（）", "()"))
    if rng.random() < 0.2 and len(h) > 2:
        at = rng.randrange(1, len(h))
        h = h[:at] + rng.choice(("\n", "\r\n", " ", "　", "  ")) + h[at:]
    if rng.random() < 0.15:
        h = rng.choice((" ", "  ", "　")) + h + rng.choice(("", " ", "*"))
    return h


# --- a sheet as a person lays it out ----------------------------------------------------------------

@dataclass
class Column:
    field: F
    text: str  # the header cell as written
    unit: str | None = None  # money: the unit the values are written in
    parent: str | None = None  # two-row header: the merged cell above
    whole: str = ""  # the header as one cell, had it no parent


@dataclass
class Table:
    key: str
    name: str  # the sheet's name as written (CSV: the file's name)
    columns: list[Column]
    cells: list[list]  # data rows, as written
    values: list[dict]  # data rows, logical values
    titles: list[str] = field(default_factory=list)
    unit_line: str | None = None  # "单位：万元" above the header
    seq: bool = False  # a 序号 column in front
    blank_cols: frozenset = frozenset()  # a blank column before these column positions
    blank_rows: frozenset = frozenset()  # a blank row before these data rows
    two_row: bool = False
    vertical: bool = True  # two-row header: single headers merged over both rows (else the upper cell is blank)
    total: str | None = None
    footnote: str | None = None
    hidden: bool = False
    order: int = 0  # sheets of lower order come first (an instructions sheet in front)

    def layout(self, fmt: str) -> tuple[list[list], list[tuple], list[int]]:
        """(rows, merges (r0, c0, r1, c1, value), the spreadsheet row number of each data row)."""
        pos, c = [], 1 if self.seq else 0
        for i in range(len(self.columns)):
            c += i in self.blank_cols
            pos.append(c)
            c += 1
        width = c
        rows: list[list] = []
        merges: list[tuple] = []
        for t in self.titles:
            if fmt != "csv" and width > 1 and rng_free_merge(t):
                merges.append((len(rows), 0, len(rows), width - 1, t))
            rows.append([t] + [None] * (width - 1))
        if self.unit_line:
            rows.append([None] * (width - 1) + [self.unit_line])
        top = len(rows)
        if self.two_row:
            upper, lower = [None] * width, [None] * width
            for col, p in zip(self.columns, pos):
                lower[p] = col.text
                upper[p] = col.parent
                if col.parent is None and self.vertical:
                    upper[p] = col.text
                    merges.append((top, p, top + 1, p, col.text))
            groups: dict[str, list[int]] = {}
            for col, p in zip(self.columns, pos):
                if col.parent is not None:
                    groups.setdefault(col.parent, []).append(p)
            for parent, ps in groups.items():
                if len(ps) > 1:
                    merges.append((top, min(ps), top, max(ps), parent))
            if self.seq:
                upper[0] = lower[0] = "序号"
                merges.append((top, 0, top + 1, 0, "序号"))
            rows += [upper, lower]
        else:
            head = [None] * width
            for col, p in zip(self.columns, pos):
                head[p] = col.text
            if self.seq:
                head[0] = "序号"
            rows.append(head)
        numbers = []
        for i, cells in enumerate(self.cells):
            if i in self.blank_rows:
                rows.append([None] * width)
            row = [None] * width
            if self.seq:
                row[0] = i + 1
            for cell, p in zip(cells, pos):
                row[p] = cell
            rows.append(row)
            numbers.append(len(rows) + (_breaks(rows[:-1]) if fmt == "csv" else 0))
        if self.total:
            row = [None] * width
            row[0] = self.total
            for col, p in zip(self.columns, pos):
                if col.field.type == "int" and p != 0:
                    row[p] = sum(v[col.field.name] or 0 for v in self.values)
            rows.append(row)
        if self.footnote:
            rows.append([None] * width)
            rows.append([self.footnote] + [None] * (width - 1))
        return rows, merges, numbers


def _breaks(rows: list[list]) -> int:
    """Line breaks inside the cells of `rows`: in a CSV the reader numbers a row by the line of the
    file it begins on (the project's choice, tests/ingestion/test_corpus.py), not by record."""
    return sum(len(re.findall(r"\r\n|\r|\n", c)) for row in rows for c in row if isinstance(c, str))


def rng_free_merge(title: str) -> bool:
    """Titles are merged across the table when they are long (a stable choice, not a random one)."""
    return len(title) % 2 == 0


@dataclass
class Submission:
    kind: str
    fmt: str
    period: str
    filename: str
    tables: list[Table]
    extra: list[Table] = field(default_factory=list)  # sheets that are not data: hidden copies, lists, instructions
    encoding: str | None = None  # CSV only
    mess: list[str] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.filename
        sheets = self.tables + self.extra if self.fmt != "csv" else self.tables
        order = sorted(sheets, key=lambda t: (t.hidden, t.order))  # a hidden sheet is never first
        laid = [(t, *t.layout(self.fmt)) for t in order]
        {"xlsx": _write_xlsx, "xls": _write_xls, "csv": self._write_csv}[self.fmt](path, laid)
        return path

    def _write_csv(self, path: Path, laid) -> None:
        (_, rows, _, _), = laid
        text = "".join(_csv_line([_csv_text(c) for c in row]) for row in rows)
        enc = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030"}[self.encoding]
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:  # a character GBK lacks: the sender would have saved as UTF-8
            self.encoding, data = "utf-8-bom", text.encode("utf-8-sig")
        path.write_bytes(data)

    def expected_rows(self, key: bytes) -> dict[str, list[dict]]:
        """Table → the rows a correct reader returns (non-personal values, hashes, verdicts, provenance)."""
        out = {}
        school = next((t.values[0]["school_code"] for t in self.tables if t.key == "school_info"), None)
        for t in self.tables:
            fields = TEMPLATES[t.key][1]
            _, _, numbers = t.layout(self.fmt)
            rows = []
            for v, n in zip(t.values, numbers):
                row = {"source_sheet": t.name, "source_row": n}
                for f in fields:
                    present = any(c.field is f for c in t.columns)
                    value = v[f.name] if present else None
                    if f.name == "period" and value is None:
                        value = self.period  # a blank or absent 报告期 is the collection period
                    row |= expected(f, value, key)
                if school and t.key != "school_info":
                    row["school_code"] = school
                rows.append(row)
            out[t.key] = rows
        return out


def _csv_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _csv_line(cells: list[str]) -> str:
    buf = []
    w = csv.writer(_Sink(buf), lineterminator="\r\n")
    w.writerow(cells)
    return "".join(buf)


class _Sink:
    def __init__(self, buf):
        self.write = buf.append


def _write_xlsx(path: Path, laid) -> None:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False})
    day, month = wb.add_format({"num_format": "yyyy-mm-dd"}), wb.add_format({"num_format": "yyyy-mm"})
    wrap = wb.add_format({"text_wrap": True})
    for t, rows, merges, _ in laid:
        ws = wb.add_worksheet(t.name)
        if t.hidden:
            ws.hide()
        merged = {(r, c) for r0, c0, r1, c1, _ in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r0, c0, r1, c1, value in merges:
            ws.merge_range(r0, c0, r1, c1, value, wrap)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or (r, c) in merged:
                    continue
                if isinstance(cell, bool):
                    ws.write_boolean(r, c, cell)
                elif isinstance(cell, (int, float)):
                    ws.write_number(r, c, cell)
                elif isinstance(cell, dt.date):
                    ws.write_datetime(r, c, dt.datetime(cell.year, cell.month, cell.day), month if cell.day == 1 else day)
                else:
                    ws.write_string(r, c, cell)
    wb.close()


def _write_xls(path: Path, laid) -> None:
    wb = xlwt.Workbook(encoding="utf-8")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for t, rows, merges, _ in laid:
        ws = wb.add_sheet(t.name, cell_overwrite_ok=True)
        ws.visibility = 1 if t.hidden else 0
        merged = {(r, c) for r0, c0, r1, c1, _ in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        for r0, c0, r1, c1, value in merges:
            ws.write_merge(r0, r1, c0, c1, value)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None or (r, c) in merged:
                    continue
                ws.write(r, c, cell, day) if isinstance(cell, dt.date) else ws.write(r, c, cell)
    wb.save(str(path))


# --- a whole submission ---------------------------------------------------------------------------

FORMATS = {"school_workbook": ("xlsx", "xls")}
SINGLE_FORMATS = ("xlsx", "xls", "csv")
ENCODINGS = ("utf-8", "utf-8-bom", "gbk", "gb18030")


def random_period(rng: random.Random) -> str:
    y = rng.randrange(2016, 2027)
    return f"{y}-{rng.randrange(1, 12 if y == 2026 else 13):02d}"


def generate(rng: random.Random, kind: str | None = None, fmt: str | None = None, period: str | None = None,
             n: int = 0) -> Submission:
    """One valid submission; `n` numbers the file name within a batch."""
    kind = kind or rng.choice(list(KINDS) + ["school_workbook", "school_workbook", "enterprise_return"])
    fmt = fmt or rng.choice(FORMATS.get(kind, SINGLE_FORMATS))
    period = period or random_period(rng)
    ctx = context(rng, period)
    sub = Submission(kind, fmt, period, f"{n:04d}_{kind}.{fmt}", [])
    if fmt == "csv":
        sub.encoding = rng.choice(ENCODINGS)
    for key in KINDS[kind]:
        sub.tables.append(_table(rng, key, period, ctx, fmt, sub))
    if fmt != "csv":
        if len(sub.tables) > 1 and rng.random() < 0.5:
            rng.shuffle(sub.tables)
            sub.mess.append("sheets reordered")
        if rng.random() < 0.3:  # last month's copy of a sheet, hidden
            copy = _table(rng, rng.choice(KINDS[kind]), _previous(period), ctx, fmt, sub, log=False)
            copy.name, copy.hidden = (copy.name + "(上月)")[:31], True
            sub.extra.append(copy)
            sub.mess.append("hidden copy of last month")
        if rng.random() < 0.3:
            sub.extra.append(Table("_", "下拉选项", [], [], [], titles=["是", "否", "专任", "兼职"], hidden=True))
            sub.mess.append("hidden list sheet")
        if rng.random() < 0.2:
            note = Table("_", "填表说明", [], [], [], titles=[f"{KIND_TITLES.get(kind, '填报单位名录')}填表说明", "请按模板填写，不要删除表头。",
                                                              "日期请填写如2026-10-08的格式。"])
            note.order = -1
            sub.extra.append(note)
            sub.mess.append("instructions sheet")
    return sub


def _previous(period: str) -> str:
    y, m = int(period[:4]), int(period[5:])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


def _table(rng, key, period, ctx, fmt, sub, log=True) -> Table:
    sheet, fields = TEMPLATES[key]
    values = rows_for(rng, key, period, ctx)
    mess = sub.mess if log else []
    # an optional column may be left out, unless a rule needs it (兼职 ⇒ 来源企业代码; 就业 ⇒ 单位代码、区划)
    keep = {"employer_uscc", "employer_region_code", "employer_type"}
    if any(v.get("employment_type") == "兼职" for v in values):
        keep.add("source_enterprise_uscc")
    present = [f for f in fields if f.required or f.name in keep or rng.random() < 0.75]
    money = [f for f in present if f.type == "money"]
    table_unit = rng.choice(list(MONEY)) if money and rng.random() < 0.3 else None
    columns = []
    for f in present:
        unit = (table_unit or rng.choice(("万元", "万元", "元", "千元", "亿元"))) if f.type == "money" else None
        text = header_text(rng, f, fields, None if table_unit else unit)
        columns.append(Column(f, text, unit, whole=text))
    t = Table(key, sheet, columns, [], values)
    if table_unit:
        t.unit_line = rng.choice(("单位：{}", "金额单位：{}", "（单位：{}）")).format(table_unit)
        mess.append(f"table unit {table_unit}")
    if fmt != "csv" and rng.random() < 0.35:
        t.two_row, t.vertical = True, rng.random() < 0.7
        for c in columns:
            if c.field.name in SPLITS and rng.random() < 0.7:
                parent, child, where = SPLITS[c.field.name]
                if c.unit and not table_unit and rng.random() < PARENT_UNIT:
                    parent += f"({c.unit})"  # the unit on the merged parent, for all its children
                    text = child
                else:
                    text = child + (f"({c.unit})" if c.unit and not table_unit else "")
                c.parent, c.text = style(rng, parent), style(rng, text)
        # a group label over a run of whole headers ("基本情况" over 学校标识码 | 学校名称)
        if rng.random() < 0.5 and len(columns) > 3:
            a = rng.randrange(len(columns) - 2)
            label = rng.choice(("基本情况", "填报信息", "其中", "情况"))
            for c in columns[a:a + rng.randrange(2, 4)]:
                if c.parent is None:
                    c.parent = label
        _adjacent_parents(columns)
        if any(c.parent for c in columns):
            mess.append("two-row merged header")
        elif t.vertical and rng.random() < TALL_HEADER:
            mess.append("tall header (every header cell merged over two rows)")
        else:
            t.two_row = False
    t.cells = [[encode(rng, c.field, v[c.field.name], fmt, c.unit) for c in columns] for v in values]
    name_options = [sheet, sheet, f"Sheet{KINDS[sub.kind].index(key) + 1}", f"{sheet}（{period[:4]}年{int(period[5:])}月）", f" {sheet} "]
    t.name = rng.choice(name_options)
    if fmt == "csv":
        t.name = sub.filename
    if rng.random() < 0.5:
        t.titles = [rng.choice((f"{ctx['school_name']}{period[:4]}年{int(period[5:])}月{sheet}", f"{sheet}", f"{KIND_TITLES.get(sub.kind, sheet)}"))]
        if rng.random() < 0.4:
            t.titles.append(f"（{period[:4]}年{int(period[5:])}月）")
        mess.append("title rows")
    t.seq = rng.random() < 0.3
    if not t.two_row and rng.random() < 0.25:
        t.blank_cols = frozenset(rng.sample(range(1, len(columns)), min(2, len(columns) - 1)))
        mess.append("blank columns")
    if values and rng.random() < 0.25:
        t.blank_rows = frozenset(rng.sample(range(len(values)), 1))
        mess.append("blank rows")
    if values and key != "school_info" and rng.random() < 0.3:
        t.total = rng.choice(("合计", "总计", "合  计", "全市合计"))
        mess.append("total row")
    if rng.random() < 0.3:
        t.footnote = rng.choice(("填表人：张三　　审核人：李四", "填表人:王五  审核人:赵六  填报日期：2026年11月3日", "审核人：刘七"))
        mess.append("footnote")
    return t


def _adjacent_parents(columns: list[Column]) -> None:
    """A merged parent spans adjacent columns only: where a parent's run is interrupted, the later
    columns lose it and get their whole header back."""
    seen: dict[str, int] = {}
    for i, c in enumerate(columns):
        if c.parent is None:
            continue
        last = seen.get(c.parent)
        if last is not None and last != i - 1:
            c.parent, c.text = None, c.whole
            continue
        seen[c.parent] = i


# --- one rule broken ---------------------------------------------------------------------------------

MUTATIONS = ("uscc_check", "id_check", "id_address", "region_never", "practical_gt_total", "dual_not_professional",
             "duplicate_teacher_id", "wrong_period", "long_code_as_number")


def _cells_of(sub: Submission, types: tuple[str, ...]) -> list[tuple[Table, int, int]]:
    return [(t, i, j) for t in sub.tables for j, c in enumerate(t.columns) if c.field.type in types
            for i, v in enumerate(t.values) if v[c.field.name] is not None]


def applicable(sub: Submission) -> list[str]:
    tables = {t.key: t for t in sub.tables}
    out = []
    if _cells_of(sub, ("uscc",)):
        out += ["uscc_check", "long_code_as_number"]
    if _cells_of(sub, ("id",)):
        out += ["id_check", "id_address", "long_code_as_number"]
    if _cells_of(sub, ("region",)):
        out.append("region_never")
    if "school_info" in tables:
        out.append("practical_gt_total")
    if "teachers" in tables and tables["teachers"].values:
        out.append("dual_not_professional")
    if "teachers" in tables and len(tables["teachers"].values) >= 2:
        out.append("duplicate_teacher_id")
    if any(c.field.type == "period" and cells[j] not in EMPTY for t in sub.tables for j, c in enumerate(t.columns) for cells in t.cells):
        out.append("wrong_period")
    return sorted(set(out), key=MUTATIONS.index)


def mutate(sub: Submission, rng: random.Random, which: str | None = None) -> tuple[Submission, str, set[tuple[str, int, str]]]:
    """A copy of `sub` with exactly one rule broken: (copy, mutation, {(sheet, row, template header)}
    where it must be reported). The layout is unchanged, so row numbers are those of `sub`."""
    which = which or rng.choice(applicable(sub))
    sub = replace(sub, tables=[replace(t, cells=[list(r) for r in t.cells], values=[dict(v) for v in t.values]) for t in sub.tables],
                  mess=list(sub.mess))
    numbers = lambda t: t.layout(sub.fmt)[2]  # noqa: E731
    at = lambda t, name: next(j for j, c in enumerate(t.columns) if c.field.name == name)  # noqa: E731
    template = lambda t, j: t.columns[j].field.header + (f"({t.columns[j].field.unit})" if t.columns[j].field.unit else "")  # noqa: E731

    def one(types):
        t, i, j = rng.choice(_cells_of(sub, types))
        return t, i, j, t.values[i][t.columns[j].field.name]

    if which == "uscc_check":
        t, i, j, v = one(("uscc",))
        t.cells[i][j] = v[:-1] + rng.choice(USCC_ALPHABET.replace(v[-1], ""))
    elif which in ("id_check", "id_address"):
        t, i, j, v = one(("id",))
        if which == "id_check":
            t.cells[i][j] = v[:-1] + rng.choice("0123456789X".replace(v[-1].upper(), ""))
        else:
            body = rng.choice(never_existed()) + v[6:17]
            t.cells[i][j] = body + ric.calc_check_digit(body + "0")
    elif which == "region_never":
        t, i, j, v = one(("region",))
        t.cells[i][j] = rng.choice(never_existed())
    elif which == "long_code_as_number":
        t, i, j, v = one(("uscc", "id"))
        digits = digit_uscc(rng) if t.columns[j].field.type == "uscc" else v if v[-1].isdigit() else v[:-1] + "0"
        shown = f"{float(digits):.5E}"  # what Excel shows: 9.14106E+17
        t.cells[i][j] = float(digits) if sub.fmt != "csv" and rng.random() < 0.5 else shown
    elif which == "practical_gt_total":
        t = next(t for t in sub.tables if t.key == "school_info")
        i, j = 0, at(t, "practical_teaching_hours")
        total = t.values[0]["total_teaching_hours"]
        t.cells[0][j] = float(total + rng.choice((Decimal("0.5"), Decimal(1), Decimal(100))))
    elif which == "dual_not_professional":
        t = next(t for t in sub.tables if t.key == "teachers")
        i, j = rng.randrange(len(t.values)), at(t, "is_dual_qualified")
        t.cells[i][at(t, "is_professional")], t.cells[i][j] = "否", "是"
    elif which == "duplicate_teacher_id":
        t = next(t for t in sub.tables if t.key == "teachers")
        a, b = rng.sample(range(len(t.values)), 2)
        j = at(t, "teacher_id")
        t.cells[b][j] = t.values[a]["teacher_id"]
        return sub, which, {(t.name, numbers(t)[a], "教师工号"), (t.name, numbers(t)[b], "教师工号")}
    elif which == "wrong_period":
        y, m = int(sub.period[:4]), int(sub.period[5:])
        wrong = f"{y}-{m - 1 if m > 1 else 2:02d}"  # same year: region codes are judged in the same year
        where = set()
        for t in sub.tables:
            cols = [j for j, c in enumerate(t.columns) if c.field.type == "period"]
            for j in cols:
                for i in range(len(t.values)):
                    if t.cells[i][j] not in EMPTY:
                        t.cells[i][j] = wrong
                    where.add((t.name, numbers(t)[i], "报告期"))
        return sub, which, where
    sub.mess.append(f"mutation {which}")
    return sub, which, {(t.name, numbers(t)[i], template(t, j))}


def batch(rng: random.Random, size: int, **kw) -> list[Submission]:
    """`size` submissions with file names unique within the batch."""
    return [generate(rng, n=n, **kw) for n in range(size)]


def submissions(size: int = 1):
    """Hypothesis strategy: a seed mapped to a batch of `size` valid submissions (the seed is printed
    on failure, and `batch(random.Random(seed), size)` rebuilds them)."""
    from hypothesis import strategies as st

    return st.integers(0, 2**32 - 1).map(lambda seed: (seed, batch(random.Random(seed), size)))


def refill(sub: Submission, rng: random.Random, key: str, values: list[dict]) -> None:
    """Give table `key` of `sub` these rows, written as its columns write them."""
    t = next(t for t in sub.tables if t.key == key)
    t.values = values
    t.cells = [[encode(rng, c.field, v[c.field.name], sub.fmt, c.unit) for c in t.columns] for v in values]
    t.blank_rows = frozenset()


def context(rng: random.Random, period: str) -> dict:
    """The school and places one submission is about (what `rows_for` draws on)."""
    year = int(period[:4])
    province = rng.choice(PROVINCES)
    return {"province": province, "region": rng.choice([c for c in region_codes(year) if c[:2] == province]),
            "school_code": f"{rng.randrange(1, 5)}{rng.randrange(10**9):09d}" if rng.random() < 0.8 else f"0{rng.randrange(10**8, 10**9)}",
            "school_name": f"{rng.choice(CITIES[province])}{rng.choice(('职业技术学院', '工业职业技术学院', '技师学院', '中等职业学校', '职业中专'))}",
            "finance_regions": rng.sample(region_codes(year, cities=True), 8)}


# --- checking what a reader made of a submission ---------------------------------------------------

def locations(problems) -> set[tuple]:
    """(sheet, row, column) of each problem (ingestion.parsed.Problem)."""
    return {(p.sheet, p.row, p.column) for p in problems}


def differences(sub: Submission, parsed, key: bytes) -> list[str]:
    """How the rows a reader returned differ from what `sub` holds: empty when read back exactly."""
    if parsed.kind != {"reporting_frame": "reporting_frame"}.get(sub.kind, sub.kind):
        return [f"kind {parsed.kind!r}, expected {sub.kind!r}"]
    out = []
    for table, rows in sub.expected_rows(key).items():
        sheet = parsed.sheets.get(table)
        got = sheet.rows if sheet else []
        if len(got) != len(rows):
            out.append(f"{table}: {len(got)} rows read, {len(rows)} written")
            continue
        for want, have in zip(rows, got):
            for k, v in want.items():
                if have.get(k, "<absent>") != v or type(have.get(k)) is not type(v) and v is not None and not isinstance(v, float):
                    out.append(f"{table} row {want['source_row']} {k}: read {have.get(k, '<absent>')!r}, written {v!r}")
    return out
