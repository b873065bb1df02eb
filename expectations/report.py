"""An HTML page of one load's checks — what GX Data Docs would show, from the results the ledger keeps.

Rendered from the ledger alone (rule ids, columns, counts, reasons), so it can be regenerated for any
load at any time and never holds a cell value. `render` gives the page's text; where and how it is
written (atomically, under the warehouse's home) is the caller's business.
"""
from __future__ import annotations

import html
import json

STYLE = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#eef}.fail{background:#fde2e2}.warn{background:#fff4ce}"""


def render(load: dict) -> str:
    e = html.escape
    results = json.loads(load.get("validation") or "[]")
    reasons = json.loads(load.get("reasons") or "[]")
    warnings = json.loads(load.get("warnings") or "[]")
    rows = "".join(
        f"<tr class='{'' if r['success'] else ('warn' if r.get('severity') == 'warning' else 'fail')}'><td>{e(r['suite'])}</td>"
        f"<td>{e(str(r.get('rule')))}</td><td>{e(str(r.get('column') or ''))}</td><td>{e(r['expectation'])}</td>"
        f"<td>{e(r.get('severity', 'error'))}</td><td>{'通过' if r['success'] else '未通过'}</td><td>{r['unexpected_count']}</td></tr>"
        for r in results
    )

    def listing(items: list[dict], css: str) -> str:
        return "".join(
            f"<tr class='{css}'><td>{e(str(i.get('sheet') or ''))}</td><td>{i.get('row') or ''}</td><td>{e(str(i.get('column') or ''))}</td>"
            f"<td>{e(str(i.get('rule')))}</td><td>{e(str(i.get('message')))}</td></tr>" for i in items
        )

    head = "<tr><th>工作表</th><th>行号</th><th>列</th><th>规则</th><th>说明</th></tr>"
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>质量检查报告 {e(load['file_name'])}</title>
<style>{STYLE}</style></head><body>
<h1>质量检查报告</h1>
<p>文件 <b>{e(load['file_name'])}</b> · SHA-256 {e(load['sha256'])}<br>类型 {e(str(load.get('kind')))} · 填报单位 {e(str(load.get('submitter')))}
 · 报告期 {e(str(load.get('period')))} · 接收 {e(str(load.get('received_at')))} · 结果 <b>{e(load['status'])}</b> · 入库批次 {e(load['load_id'])}</p>
<h2>退回原因 ({len(reasons)})</h2><table>{head}{listing(reasons, 'fail')}</table>
<h2>提示 ({len(warnings)})</h2><table>{head}{listing(warnings, 'warn')}</table>
<h2>检查项 ({len(results)})</h2><table><tr><th>检查集</th><th>规则</th><th>字段</th><th>GX expectation</th>\
<th>级别</th><th>结果</th><th>不符行数</th></tr>{rows}</table>
</body></html>"""

