#!/usr/bin/env python
"""Check that the generated documents open in LibreOffice with correct Chinese text (not in CI).

    .venv/bin/python bench/check_documents.py                 # writes var/bench/documents/
    .venv/bin/python bench/check_documents.py --out /tmp/docs --png
    PDF_PYTHON=/path/to/python-with-pypdf .venv/bin/python bench/check_documents.py

On a throwaway database (see ``_env.py``) it loads the demo county and runs the same real flows as
``tests/archive/test_documents_open.py`` (``tests.archive.conftest.one_of_each``): one 会议纪要,
立案审查呈批报告, 处分决定书, 澄清函, 督办单 and 证据清单 (.docx). Each is converted to PDF with
``soffice --headless --convert-to pdf``; the PDF's text is extracted (``pdftotext`` if installed, else
pypdf — imported here, or run by the interpreter named in ``PDF_PYTHON``) and the script prints, per
document, the pages, the characters (and the Chinese characters among them), a sample of the text,
and whether every phrase the document must show is in the PDF's text. With ``--png`` the first page is
also rendered to PNG (pypdfium2, by the same interpreter) for a person to look at.

Exit status 0 when every document converted and shows all its phrases, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

HAN = re.compile(r"[\u4e00-\u9fff]")
SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"

PYPDF_SNIPPET = """
import sys
from pypdf import PdfReader
reader = PdfReader(sys.argv[1])
sys.stdout.write(str(len(reader.pages)) + "\\n")
sys.stdout.write("\\f".join(page.extract_text() or "" for page in reader.pages))
"""


def pdf_text(pdf: Path) -> tuple[int, str, str]:
    """(pages, text, tool) of a PDF."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        return text.count("\f") or 1, text, "pdftotext"
    python = os.environ.get("PDF_PYTHON")
    try:
        import pypdf  # noqa: F401

        python = python or sys.executable
    except ImportError:
        if not python:
            raise SystemExit(
                "没有 pdftotext，也没有 pypdf：请安装 poppler-utils，或用 PDF_PYTHON 指定装有 pypdf 的 Python。"
            ) from None
    out = subprocess.run([python, "-c", PYPDF_SNIPPET, str(pdf)], capture_output=True, check=True).stdout.decode()
    pages, _, text = out.partition("\n")
    return int(pages), text, "pypdf"


PNG_SNIPPET = """
import sys
import pypdfium2
pypdfium2.PdfDocument(sys.argv[1])[0].render(scale=1.3).to_pil().save(sys.argv[2])
"""


def first_page_png(pdf: Path) -> Path:
    """The PDF's first page as PNG (pypdfium2; LibreOffice's own PNG export of a Writer document
    is not available headless here)."""
    png = pdf.with_suffix(".png")
    python = os.environ.get("PDF_PYTHON") or sys.executable
    subprocess.run([python, "-c", PNG_SNIPPET, str(pdf), str(png)], capture_output=True, check=True)
    return png


def convert(source: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(source),
        ],
        capture_output=True,
        check=True,
        timeout=180,
    )
    produced = outdir / f"{source.stem}.{fmt}"
    if not produced.exists():
        raise RuntimeError(f"LibreOffice did not produce {produced.name}")
    return produced


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "documents")
    parser.add_argument("--png", action="store_true", help="also render each first page to PNG")
    args = parser.parse_args()

    from _env import setup_django

    setup_django("check_documents")
    from django.conf import settings

    media = Path(tempfile.mkdtemp(prefix="xzq-docs-media-"))
    settings.MEDIA_ROOT = str(media)
    from xiezuoqu.demo.services import load_demo

    load_demo()
    from tests.archive.conftest import DOCUMENT_KINDS, one_of_each

    documents = one_of_each()
    args.out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xzq-soffice-"))
    failures = 0
    for kind, (filename, content, phrases) in documents.items():
        docx = args.out / filename
        docx.write_bytes(content)
        print(f"== {DOCUMENT_KINDS[kind]}: {filename} ({len(content):,} 字节)")
        try:
            pdf = convert(docx, "pdf", args.out, profile)
            pages, text, tool = pdf_text(pdf)
        except (subprocess.SubprocessError, RuntimeError, OSError) as exc:
            print(f"   转换或提取失败：{exc}")
            failures += 1
            continue
        flat = re.sub(r"\s+", "", text)
        missing = [p for p in phrases if re.sub(r"\s+", "", p) not in flat]
        sample = re.sub(r"\s+", " ", text).strip()[:160]
        print(f"   PDF：{pdf.name}，{pages} 页，{len(flat)} 个字符（其中汉字 {len(HAN.findall(flat))} 个；{tool}）")
        print(f"   样本：{sample}")
        print("   应有文字：" + ("全部在 PDF 中" if not missing else f"缺少 {missing}"))
        if "\ufffd" in text:
            print("   有无法显示的字符（U+FFFD）")
            missing.append("\ufffd")
        if args.png:
            try:
                print(f"   首页图片：{first_page_png(pdf)}")
            except (subprocess.SubprocessError, OSError) as exc:
                print(f"   首页图片生成失败（需要 pypdfium2）：{exc}")
        failures += bool(missing)
    shutil.rmtree(profile, ignore_errors=True)
    shutil.rmtree(media, ignore_errors=True)
    print(f"文书 {len(documents)} 份，{'全部通过' if not failures else f'{failures} 份未通过'}。输出目录：{args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
