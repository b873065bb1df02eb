"""bulletin.html: the month's 统计公报, one self-contained page (no script, no network) a bureau can forward.

It opens with what a reader wants first: a paragraph written from the data for each jurisdiction with
targets (value, change since last month, distance to target and deadline, 已受理/应报); then each target
with its trend and its counties against it; then one compact table per jurisdiction (indicators by
region), revised figures marked in place with their previous value, provisional values and withheld
small cells marked with a footnote, and no internal code (each 口径 in words). It prints to A4.

Chinese text is set in an installed CJK font through CSS fallbacks (Noto Sans CJK SC first, as Debian's
fonts-noto-cjk installs it, then the usual Windows and macOS fonts). A Content-Security-Policy forbids
every fetch, so the page shows the same thing with or without a network.
"""
from __future__ import annotations

from html import escape

from chanjiao import labels
from chanjiao.publication.charts import bar_chart, trend_chart
from chanjiao.publication.content import Content
from chanjiao.publication.csv_files import WITHHELD
from chanjiao.publication.notes import aims_outside
from ingestion import regions

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em auto; max-width: 960px; color: #1f2933; line-height: 1.6; padding: 0 1em; }
h1 { font-size: 1.7em; text-align: center; margin-bottom: .2em; } .meta { text-align: center; color: #52606d; font-size: .9em; }
h2 { border-bottom: 2px solid #2f5597; padding-bottom: .2em; margin-top: 1.8em; font-size: 1.25em; }
h3 { font-size: 1.05em; margin: 1.2em 0 .3em; }
p.lead { text-indent: 2em; margin-bottom: .3em; } ul.points { margin-top: 0; } ul.points li { margin: .15em 0; }
table { border-collapse: collapse; margin: .8em 0; font-size: .88em; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .3em 0; }
th, td { border: 1px solid #c8d1dc; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #ddebf7; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: #1a7f37; font-weight: bold; } .not_met { color: #c62828; font-weight: bold; } .no_data { color: #52606d; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; border: 1px solid #e3e8ee; padding: .5em; break-inside: avoid; } figcaption { font-size: .85em; color: #3e4c59; }
svg.chart text { font-family: inherit; font-size: 11px; fill: #3e4c59; }
svg.chart .axis { stroke: #9aa5b1; } svg.chart .series { fill: none; stroke: #2f5597; stroke-width: 2; }
svg.chart .point { fill: #2f5597; } svg.chart .bar { fill: #5b8bd0; }
svg.chart .target-line { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .target-line.reference { stroke: #b7791f; } svg.chart .target-label { fill: #c62828; }
.note { color: #52606d; font-size: .88em; } .provisional { color: #8a5a00; font-size: .85em; margin-left: .2em; }
.revised { color: #8a5a00; font-size: .8em; display: block; } .withheld { font-weight: bold; }
article.target { break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 10.5pt; } h2 { break-after: avoid; } @page { size: A4; margin: 15mm; } }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
WITHHELD_NOTE = "填报单位少于规定数(或为防止推算而一并隐去), 依统计保密规定不予公布"
PROVISIONAL_NOTE = "初步数, 该地区尚有应报单位的报送未受理, 或省级数据仅由部分地市汇总, 数值可能变动"
COMPARATOR = {">=": "不低于", ">": "高于", "between": "介于"}


def _num(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer() or unit in ("%", "元"):
        return f"{value:,.2f}{unit}"
    return f"{value:,.0f}{unit}"


def _month(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def _level(t: dict, unit: str) -> str:
    if t["comparator"] == "between":
        return f"{t['value']:g}{unit}–{t['upper']:g}{unit}"
    return f"{t['value']:g}{unit}"


def _target_words(t: dict, unit: str) -> str:
    """e.g. 2025年目标不低于70%; 参考水平高于10%."""
    by = f"{t['by']}年" if t["by"] and t["by"] != "unknown" else ""
    return f"{by}{labels.TARGET_KIND.get(t['kind'], t['kind'])}{COMPARATOR.get(t['comparator'], t['comparator'])}{_level(t, unit)}"


def _change(now: float | None, before: float | None, unit: str) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    if abs(delta) < 0.005:
        return "与上月持平"
    word = "提高" if delta > 0 else "下降"
    if unit == "%":
        return f"比上月{word}{abs(delta):.2f}个百分点"
    return f"比上月{'增加' if delta > 0 else '减少'}{_num(abs(delta), unit)}"


def _previous(points: list[tuple[str, float | None]], period: str) -> float | None:
    earlier = [value for p, value in points if p < period]
    return earlier[-1] if earlier else None


def _variant_history(content: Content, region: str, indicator: str, t: dict) -> list[tuple[str, float | None]]:
    points = {h["period"]: h["variant_value"] for h in content.history
              if h["jurisdiction_code"] == region and h["indicator_code"] == indicator and h["kind"] == t["kind"]
              and h["variant_code"] == t["variant"] and h["comparator"] == t["comparator"] and h["lower"] == t["value"]
              and (h["by_year"] or None) == (t["by"] or None)}
    return sorted(points.items())


def _distance(t: dict, unit: str) -> str:
    value = t["variant_value"]
    if t["status"] == "met":
        return "已达到目标"
    if t["status"] != "not_met" or value is None:
        return ""
    gap = (t["value"] if t["comparator"] != "between" or value < t["value"] else t["upper"]) - value
    if abs(gap) < 0.005:
        return f"恰为{_level(t, unit)}，目标须{COMPARATOR.get(t['comparator'], t['comparator'])}此值"
    amount = f"{abs(gap):.2f}个百分点" if unit == "%" else _num(abs(gap), unit)
    return f"距目标{'差' if gap > 0 else '超出'}{amount}"


def _coverage(v: dict) -> str:
    return f"已受理/应报 {v['coverage']['accepted']}/{v['coverage']['expected']}" if v["coverage"] else "未设报送名录"


def _sentence(content: Content, v: dict, t: dict) -> str:
    """One target in one sentence, from the data."""
    name, unit = v["indicator_name"], v["unit"]
    variant = labels.variant_text(t["variant"])
    subject = f"{name}（{variant}口径）" if variant else name
    if v.get("withheld"):
        return f"{subject}：{WITHHELD}（{WITHHELD_NOTE}）。"
    if t["status"] == "no_data" or t["variant_value"] is None:
        reason = "本期无在用报送，无法评判" if t["status"] == "no_data" else labels.TARGET_STATUS.get(t["status"], t["status"])
        return f"{subject}：{reason}（{_target_words(t, unit)}）。"
    change = _change(t["variant_value"], _previous(_variant_history(content, v["region"], v["indicator"], t), content.period), unit)
    deadline = "，目标期限已过" if t["deadline_state"] == "past_due" else ""
    status = labels.TARGET_STATUS.get(t["status"], t["status"])
    parts = [f"{subject}为{_num(t['variant_value'], unit)}", change, f"{_target_words(t, unit)}，{status}" + deadline, _distance(t, unit),
             _coverage(v) + ("，为初步数" if v.get("provisional") else "")]
    return "，".join(p for p in parts if p) + "。"


def _jurisdictions(content: Content) -> list[str]:
    """Regions with targets of their own, most targets first: the bulletin is theirs."""
    counts: dict[str, int] = {}
    for v in content.values:
        if v["targets"]:
            counts[v["region"]] = counts.get(v["region"], 0) + len(v["targets"])
    return sorted(counts, key=lambda r: (-counts[r], r))


def _headline(content: Content, region: str) -> str:
    rows = [v for v in content.values if v["region"] == region]
    targets = [(v, t) for v in rows for t in v["targets"] if t["kind"] == "target"]
    tally = {s: sum(1 for _, t in targets if t["status"] == s) for s in ("met", "not_met", "no_data")}
    other = len(targets) - sum(tally.values())
    name = rows[0]["region_name"]
    opening = (f"{_month(content.period)}，{name}{len(targets)}项产教融合量化目标中，{tally['met']}项达标，{tally['not_met']}项未达标，"
               f"{tally['no_data']}项本期无数据" + (f"，{other}项无法计算" if other else "") + "。")
    sentences = [_sentence(content, v, t) for v, t in targets]
    items = "".join(f"<li>{escape(s)}</li>" for s in sentences)
    return (f'<section class="headline" id="h{escape(region)}"><h2>{escape(name)}：总体情况</h2>'
            f'<p class="lead">{escape(opening)}</p><ul class="points">{items}</ul></section>')


def _children(content: Content, region: str) -> list[dict]:
    seen, out = set(), []
    for v in content.values:
        if regions.parent(v["region"]) == region and v["region"] not in seen:
            seen.add(v["region"])
            out.append(v)
    return sorted(out, key=lambda v: v["region"])


def _target_article(content: Content, v: dict, t: dict) -> str:
    unit = v["unit"]
    variant = labels.variant_text(t["variant"])
    title = f"{v['region_name']} {v['indicator_name']}" + (f"（{variant}口径）" if variant else "")
    kind = "reference" if t["kind"] == "reference" else "target"
    lines = [(f"{labels.TARGET_KIND.get(t['kind'], t['kind'])}{_level(t, unit)}", t["value"], kind)]
    if t["comparator"] == "between" and t["upper"] is not None:
        lines = [(f"下限{t['value']:g}", t["value"], kind), (f"上限{t['upper']:g}", t["upper"], kind)]
    attrs = {"indicator": v["indicator"], "region": v["region"], "target-kind": t["kind"], "variant": t["variant"], "by": str(t["by"] or "")}
    history = _variant_history(content, v["region"], v["indicator"], t)
    trend = trend_chart(f"{title}：逐月走势", [p for p, _ in history], [value for _, value in history], lines, unit, attrs)
    figures = [f"<figure>{trend}<figcaption>逐月走势（{escape(_target_words(t, unit))}）</figcaption></figure>"]
    counties = _children(content, v["region"])
    if counties and v["region_level"] == "city" and t["status"] != "no_data":
        bars = []
        for c in counties:
            value = content.variants.get((v["indicator"], t["variant"], c["region"]))
            withheld = (v["indicator"], t["variant"], c["region"]) in content.variants and value is None
            bars.append((c["region_name"], value, f"{WITHHELD}（不予公布）" if withheld else "无数据"))
        chart = bar_chart(f"{title}：各县（区）对照", bars, lines, unit, {**attrs, "chart": "counties"})
        figures.append(f"<figure>{chart}<figcaption>各县（区）按本目标口径计算，对照市级目标（县区不继承市级目标，仅作参考）</figcaption></figure>")
    status = t["status"] or ""
    return (f'<article class="target"><h3>{escape(title)}</h3><p>{escape(_sentence(content, v, t))} '
            f'<span class="{escape(status)}">{escape(labels.TARGET_STATUS.get(status, status))}</span></p>'
            f'<div class="charts">{"".join(figures)}</div><p class="note">依据：{escape(labels.source_text(t["source"]))}</p></article>')


def _cell(v: dict | None, revised: dict[tuple[str, str], str]) -> str:
    if v is None:
        return '<td class="num">—</td>'
    if v.get("withheld"):
        return f'<td class="num"><span class="withheld">{WITHHELD}</span><sup>注</sup></td>'
    if v["status"] == "no_data":
        return '<td class="num no_data">无数据</td>'
    text = _num(v["value"], v["unit"]) if v["value"] is not None else "无法计算"
    if v.get("provisional"):
        text += '<span class="provisional">(初步)</span>'
    if (v["indicator"], v["region"]) in revised:
        text += f'<span class="revised">修订，原{escape(revised[(v["indicator"], v["region"])])}</span>'
    return f'<td class="num">{text}</td>'


def _matrix(content: Content, caption: str, region_codes: list[str], revised: dict[tuple[str, str], str]) -> str:
    """Indicators down, regions across; 已受理/应报 in the last row."""
    by = {(v["indicator"], v["region"]): v for v in content.values}
    names = {v["region"]: v["region_name"] for v in content.values}
    indicators = list(dict.fromkeys(v["indicator"] for v in content.values))
    indicator_names = {v["indicator"]: v["indicator_name"] for v in content.values}
    head = "".join(f'<th scope="col">{escape(names[r])}</th>' for r in region_codes)
    body = []
    for i in indicators:
        if not any((i, r) in by for r in region_codes):
            continue
        body.append(f'<tr><th scope="row">{escape(indicator_names[i])}</th>' + "".join(_cell(by.get((i, r)), revised) for r in region_codes) + "</tr>")
    coverage = []
    for r in region_codes:
        frames = [v["coverage"] for v in content.values if v["region"] == r and v["coverage"]]
        coverage.append(f'<td class="num">{frames[0]["accepted"]}/{frames[0]["expected"]}</td>' if frames else '<td class="num">—</td>')
    body.append('<tr><th scope="row">已受理/应报（学校）</th>' + "".join(coverage) + "</tr>")
    return f'<table><caption>{escape(caption)}</caption><thead><tr><th scope="col">指标</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _chunks(codes: list[str], size: int = 7) -> list[list[str]]:
    return [codes[i:i + size] for i in range(0, len(codes), size)] or [[]]


def _revisions(revisions: list[dict], previous: str, names: dict[str, str], indicator_names: dict[str, str]) -> str:
    changed = [r for r in revisions if r["table"] == "indicator" and r["field"] == "value"]
    statuses = [r for r in revisions if r["table"] == "indicator" and r["field"] == "obs_status"]
    if not changed and not statuses:
        return ""
    items = "".join(f"<li>{escape(names.get(r['region'], r['region']))} {escape(indicator_names.get(r['indicator'], r['indicator']))}："
                    f"由 {escape(r['previous'] or '—')} 修订为 {escape(r['current'] or '—')}</li>" for r in changed)
    note = f"<p>另有 {len(statuses)} 项数值的数据状态改变（如转为初步数），数值未变。</p>" if statuses else ""
    return (f'<section id="revisions"><h2>本版修订（相对 {escape(previous)}）</h2>'
            f"<p>本版较上一版本修订 {len(changed)} 项数值，已在表中以“修订，原…”标出：</p><ul>{items}</ul>{note}</section>")


def render_bulletin(content: Content, version: str, published_at: str, revisions: list[dict], previous: str | None) -> str:
    names = {v["region"]: v["region_name"] for v in content.values}
    indicator_names = {v["indicator"]: v["indicator_name"] for v in content.values}
    revised = {(r["indicator"], r["region"]): r["previous"] for r in revisions
               if r["table"] == "indicator" and r["field"] == "value"}
    own = _jurisdictions(content)
    title = f"{'、'.join(names[r] for r in own) or '产教融合'}产教融合统计公报"
    sections = [_headline(content, r) for r in own]
    for r in own:
        articles = [_target_article(content, v, t) for v in content.values if v["region"] == r for t in v["targets"]]
        sections.append(f'<section class="targets" id="r{escape(r)}"><h2>{escape(names[r])}：目标进展</h2>{"".join(articles)}</section>')
        tables = [_matrix(content, f"{names[r]}及所辖县（区）主要指标（{_month(content.period)}）", chunk, revised)
                  for chunk in _chunks([r, *(c["region"] for c in _children(content, r))])]
        sections.append(f'<section class="table" id="t{escape(r)}"><h2>{escape(names[r])}：分地区主要指标</h2>{"".join(tables)}</section>')
    covered = {code for r in own for code in (r, *(c["region"] for c in _children(content, r)))}
    rest = sorted({v["region"] for v in content.values} - covered, key=lambda c: ({"province": 0, "city": 1}.get(regions.level(c), 2), c))
    if rest:
        tables = [_matrix(content, "其他地区（无本地目标）", chunk, revised) for chunk in _chunks(rest)]
        sections.append(f'<section class="table" id="others"><h2>其他地区</h2>{"".join(tables)}</section>')
    aims = "".join(f"<li>{escape(a['jurisdiction_name'])}：{escape(a['aim'])}</li>" for a in aims_outside(set(names)))
    definitions = "".join(f"<li>{escape(d['name_zh'])}：分子为{escape(d['numerator_definition_zh'])}；"
                          f"分母为{escape(d['denominator_definition_zh'] or '无（计数或金额）')}。</li>"
                          for d in content.definitions if d["indicator_code"] in indicator_names)
    return "".join([
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>产教融合统计公报 {escape(content.period)} {escape(version)}</title><style>{STYLE}</style></head><body><main>",
        f"<header><h1>{escape(title)}</h1>",
        f'<p class="meta">{escape(_month(content.period))} · 第 {escape(version.lstrip("v"))} 版 · 发布时间 {escape(published_at)}（北京时间）'
        f" · 依据 {len(content.loads)} 份在用报送</p></header>",
        *sections,
        _revisions(revisions, previous or "", names, indicator_names),
        '<section id="notes"><h2>说明</h2><ol>',
        f"<li>符号说明：{WITHHELD}<sup>注</sup> {WITHHELD_NOTE}；(初步) {PROVISIONAL_NOTE}；— 无此项。</li>",
        "<li>比例类指标为地区内各单位分子之和除以分母之和，不是各单位比例的平均；目标按口径值评判（不四舍五入）；县（区）不继承市级目标，图中对照仅供参考。</li>",
        f"<li>指标口径：<ul>{definitions}</ul></li>",
        f"<li>以下目标不由本系统统计（无报送数据），另行跟踪：<ul>{aims or '<li>无</li>'}</ul></li>",
        "</ol></section></main></body></html>",
    ])
