"""The .csv precheck: text, not a workbook, a web page or UTF-16 under a .csv name."""
from __future__ import annotations

from ingestion.limits import CHUNK
from ingestion.refusal import wrong_format
from ingestion.sniff import sniff


def check_csv(fh, head: bytes) -> None:
    kind = sniff(head)
    if kind in ("zip", "ole2"):
        raise wrong_format("文件实际是Excel格式，扩展名却是.csv：请将扩展名改为.xlsx或.xls后再报送")
    if kind == "UTF-16文本":
        raise wrong_format("CSV文件使用了UTF-16（Unicode）编码：请另存为“CSV UTF-8(逗号分隔)”后再报送")
    if kind == "html":
        raise wrong_format("文件实际是网页（HTML）格式，只是扩展名为.csv：请用Excel打开后另存为“CSV UTF-8(逗号分隔)”或.xlsx再报送")
    if kind not in ("text", "xml", "xml2003"):
        raise wrong_format(f"文件内容不是CSV文本，实际是{kind}：请报送CSV文本文件或Excel文件")
    fh.seek(0)
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        if b"\x00" in chunk:
            raise wrong_format("CSV文件中含有二进制内容（可能是UTF-16编码，或并非文本文件）：请另存为“CSV UTF-8(逗号分隔)”后再报送")
