"""What a file's first bytes say it is, whatever its extension claims: the precheck compares the two."""
from __future__ import annotations

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "PNG图片"), (b"\xff\xd8\xff", "JPEG图片"), (b"GIF8", "GIF图片"), (b"BM", "BMP图片"),
    (b"%PDF", "PDF文档"), (b"Rar!", "RAR压缩包"), (b"7z\xbc\xaf\x27\x1c", "7z压缩包"), (b"\x1f\x8b", "gzip压缩包"),
    (b"{\\rtf", "RTF文档"), (b"\xff\xfe", "UTF-16文本"), (b"\xfe\xff", "UTF-16文本"),
]


def sniff(head: bytes) -> str:
    """What the first bytes look like: 'zip', 'ole2', 'html', 'xml2003', 'xml', 'text' or a description."""
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body", b"<meta", b"<style")) or b"<html" in text[:1024]:
        return "html"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "xml2003" if (b"urn:schemas-microsoft-com:office:spreadsheet" in head or b"mso-application" in head) else "xml"
    if b"\x00" in head:
        return "二进制文件"
    return "text"


DESCRIBE = {"html": "网页（HTML）", "xml2003": "XML表格（Excel 2003 XML）", "xml": "XML文本", "text": "纯文本",
             "zip": "普通压缩包", "ole2": "Office文档"}
