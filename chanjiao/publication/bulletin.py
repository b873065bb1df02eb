"""bulletin.html: one self-contained page (no script, no network) with each indicator against its
target, its trend over past months, and a table per jurisdiction.

Chinese text is set in an installed CJK font through CSS fallbacks (Noto Sans CJK SC first, as Debian's
fonts-noto-cjk installs it, then the usual Windows and macOS fonts). A Content-Security-Policy forbids
every fetch, so the page shows the same thing with or without a network.
"""
from __future__ import annotations

from html import escape

from chanjiao import labels
from chanjiao.publication.charts import trend_chart
from chanjiao.publication.content import Content
from chanjiao.publication.csv_files import WITHHELD
from chanjiao.publication.notes import aims_outside

STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em auto; max-width: 1100px; color: #1f2933; line-height: 1.5; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #2f5597; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #c8d1dc; padding: .25em .6em; text-align: left; }
th { background: #ddebf7; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.met { color: #1a7f37; font-weight: bold; } .not_met { color: #c62828; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; border: 1px solid #e3e8ee; padding: .5em; } figcaption { font-size: .9em; }
svg.chart text { font-family: inherit; font-size: 11px; fill: #52606d; }
svg.chart .axis { stroke: #9aa5b1; } svg.chart .series { fill: none; stroke: #2f5597; stroke-width: 2; }
svg.chart .point { fill: #2f5597; } svg.chart .target-line { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 6 4; }
svg.chart .target-line.reference { stroke: #b7791f; } svg.chart .target-label { fill: #c62828; }
.note { color: #52606d; font-size: .9em; } .provisional { color: #b7791f; font-size: .85em; margin-left: .2em; }
"""
WITHHELD_NOTE = "填报单位少于规定数(或为防止推算而一并隐去), 依统计保密规定不予公布"
PROVISIONAL_NOTE = "初步数, 该地区尚有应报单位的报送未受理, 或省级数据仅由部分地市汇总, 数值可能变动"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"


def _num(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer() or unit in ("%", "元"):
        return f"{value:,.2f}{unit}"
    return f"{value:,.0f}{unit}"


def _target_text(t: dict) -> str:
    level = f"{t['value']:g}–{t['upper']:g}" if t["comparator"] == "between" else f"{t['comparator']}{t['value']:g}"
    by = f"(至{t['by']}年)" if t["by"] and t["by"] != "unknown" else "(年份不详)" if t["by"] == "unknown" else ""
    return f"{labels.TARGET_KIND.get(t['kind'], t['kind'])} {level}{by}"


def _series(content: Content, region: str, indicator: str, t: dict) -> tuple[list[str], list[float | None]]:
    points = {h["period"]: h["variant_value"] for h in content.history
              if h["jurisdiction_code"] == region and h["indicator_code"] == indicator and h["kind"] == t["kind"]
              and h["variant_code"] == t["variant"] and h["comparator"] == t["comparator"] and h["lower"] == t["value"]
              and (h["by_year"] or None) == (t["by"] or None)}
    periods = sorted(points)
    return periods, [points[p] for p in periods]


def _chart(content: Content, v: dict, t: dict) -> str:
    periods, values = _series(content, v["region"], v["indicator"], t)
    kind = "reference" if t["kind"] == "reference" else "target"
    lines = [(_target_text(t), t["value"], kind)]
    if t["comparator"] == "between" and t["upper"] is not None:
        lines.append((f"上限 {t['upper']:g}", t["upper"], kind))
    variant = "" if t["variant"] == "default" else f" [口径 {t['variant']}]"
    title = f"{v['region_name']} {v['indicator_name']}{variant} {_target_text(t)}"
    svg = trend_chart(title, periods, values, lines, v["unit"],
                      {"indicator": v["indicator"], "region": v["region"], "target-kind": t["kind"], "variant": t["variant"],
                       "by": str(t["by"] or "")})
    status = labels.TARGET_STATUS.get(t["status"], t["status"])
    deadline = f"; {labels.DEADLINE_STATE[t['deadline_state']]}" if t["deadline_state"] else ""
    at_deadline = (f"; 期限年12月: {labels.TARGET_STATUS.get(t['status_at_deadline'], t['status_at_deadline'])}"
                   if t["deadline_state"] == "past_due" else "")
    shown = WITHHELD if v.get("withheld") else _num(t["variant_value"], v["unit"])
    return (f'<figure>{svg}<figcaption>{escape(v["indicator_name"])}{escape(variant)}: 口径值 {shown}, '
            f'<span class="{escape(t["status"] or "")}">{escape(status)}</span>{escape(deadline + at_deadline)}<br>'
            f'<span class="note">依据: {escape(t["source"])}</span></figcaption></figure>')


def _trend_text(content: Content, v: dict) -> str:
    """The indicator's value in each of the last six months the warehouse holds, oldest first."""
    points = content.trend.get((v["indicator"], v["region"]), [])[-6:]
    return " → ".join(f"{period} {_num(value, v['unit'])}" for period, value in points) if len(points) > 1 else "—"


def _jurisdiction(content: Content, region: str, rows: list[dict]) -> str:
    first = rows[0]
    out = [f'<section class="jurisdiction" id="r{escape(region)}"><h2>{escape(first["region_name"])} ({escape(region)}) '
           f'<small>{escape(labels.REGION_LEVEL.get(first["region_level"], ""))}</small></h2>',
           "<table><thead><tr><th>指标</th><th>指标值</th><th>分子/分母</th><th>状态</th><th>已受理/应报</th><th>目标</th><th>近6个月走势</th></tr></thead><tbody>"]
    for v in rows:
        coverage = f"{v['coverage']['accepted']}/{v['coverage']['expected']}" if v["coverage"] else "—"
        targets = "; ".join(f"{_target_text(t)}: {labels.TARGET_STATUS.get(t['status'], t['status'])}" for t in v["targets"]) or "—"
        if v.get("withheld"):  # interface.md, small cells: withheld with a symbol and a footnote
            value = fraction = f'<span class="withheld" title="{escape(WITHHELD_NOTE)}">{WITHHELD}<sup>注</sup></span>'
        else:
            value, fraction = _num(v["value"], v["unit"]), f"{_num(v['numerator'])}/{_num(v['denominator'])}"
        if v.get("provisional") and not v.get("withheld"):
            value += f'<span class="provisional" title="{PROVISIONAL_NOTE}">(初步)</span>'
        out.append(f"<tr><td>{escape(v['indicator_name'])}</td><td class=num>{value}</td>"
                   f"<td class=num>{fraction}</td><td>{escape(labels.VALUE_STATUS.get(v['status'], v['status']))}</td>"
                   f"<td class=num>{coverage}</td><td>{escape(targets)}</td><td class=trend>{escape(_trend_text(content, v))}</td></tr>")
    out.append("</tbody></table>")
    charts = [_chart(content, v, t) for v in rows for t in v["targets"]]
    if charts:
        out.append('<div class="charts">' + "".join(charts) + "</div>")
    out.append("</section>")
    return "".join(out)


def _revisions(revisions: list[dict], previous: str) -> str:
    if not revisions:
        return ""
    head = "".join(f"<th>{escape(labels.REVISION_HEADERS[c])}</th>" for c in ("table", "indicator", "region", "variant", "by", "field", "previous", "current"))
    body = "".join("<tr>" + "".join(f"<td>{escape(str(r[c]))}</td>" for c in ("table", "indicator", "region", "variant", "by", "field", "previous", "current"))
                   + "</tr>" for r in revisions)
    return f'<section id="revisions"><h2>修订 (相对 {escape(previous)})</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'


def render_bulletin(content: Content, version: str, published_at: str, revisions: list[dict], previous: str | None) -> str:
    by_region: dict[str, list[dict]] = {}
    for v in content.values:  # already ordered province → city → county
        by_region.setdefault(v["region"], []).append(v)
    order = sorted(by_region, key=lambda r: ({"province": 0, "city": 1}.get(by_region[r][0]["region_level"], 2), r))
    aims = "".join(f"<li>{escape(a['jurisdiction_name'])}: {escape(a['aim'])}</li>" for a in aims_outside({v['region'] for v in content.values}))
    return "".join([
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>产教融合统计公报 {escape(content.period)} {escape(version)}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>产教融合统计公报 {escape(content.period)}</h1>",
        f'<p class="note">版本 {escape(version)} · 发布时间 {escape(published_at)} (北京时间) · 数据来自 {len(content.loads)} 份在用报送。'
        "目标按口径值评判(不四舍五入); 县(区)不继承市级目标。</p>",
        _revisions(revisions, previous or ""),
        *(_jurisdiction(content, r, by_region[r]) for r in order),
        f'<section id="notes"><h2>说明</h2><p>以下目标不由 chanjiao 统计 (tracked outside chanjiao), 无报送数据:</p><ul>{aims}</ul>',
        "<p class=note>状态: " + "; ".join(f"{k} {v}" for k, v in labels.VALUE_STATUS.items()) + "</p>",
        f"<p class=note>{WITHHELD}<sup>注</sup>: {WITHHELD_NOTE}。(初步): {PROVISIONAL_NOTE}。</p></section>",
        "</main></body></html>",
    ])
