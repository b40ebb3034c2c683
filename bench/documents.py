"""How faithfully groundqa reads documents, on the shared development data.

    python bench/documents.py                      # both parts with the shipped loaders
    python bench/documents.py --pdf-compare        # also every PDF library (bench/pdf_backends.py)
    python bench/documents.py --html-compare       # also every HTML extractor (bench/html_backends.py)
    python bench/documents.py --show-misses        # list the gold sentences and pages that fail

PDF: the gold sentences of labels/pdf_sentences.jsonl (written down before the extractor changed) must each sit
whole in one passage on their page. HTML: token precision/recall/F1 of the extracted main text against
expected.html (median over the pages), and title, byline and date against expected-metadata.json.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from groundqa.core.paths import datasets_dir

ROOT = Path(__file__).resolve().parent.parent
DATASETS = datasets_dir()


def pdf_part(pdf_dir: Path, compare: bool, show: bool) -> None:
    from groundqa.eval.documents import check_pdf_sentences
    from pdf_backends import BACKENDS

    names = list(BACKENDS) if compare else ["pypdfium2"]
    print(f"PDF gold sentences ({pdf_dir}): whole in one passage on the right page")
    print(f"{'library':22} {'found':>7} {'in text':>8} {'seconds':>8}")
    for name in names:
        start = time.perf_counter()
        check = check_pdf_sentences(pdf_dir, BACKENDS[name])
        seconds = time.perf_counter() - start
        in_text = sum(r.in_text for r in check.results)
        print(f"{name:22} {check.found:>3}/{len(check.results):<3} {in_text:>4}/{len(check.results):<3} {seconds:8.1f}")
        if show:
            for miss in check.misses():
                print(f"    miss {miss.file} p{miss.page} (found on {list(miss.pages_found)}): {miss.sentence[:90]}")


def html_part(root: Path, compare: bool, show: bool) -> None:
    from groundqa.eval.documents import readability_pages, score_page, summary
    from html_backends import BACKENDS

    names = list(BACKENDS) if compare else ["groundqa"]
    folders = readability_pages(root)
    print(f"\nWeb pages ({root}, {len(folders)} pages): main text tokens against expected.html; metadata")
    print(f"{'extractor':26} {'P med':>6} {'R med':>6} {'F1 med':>7} {'F1 mean':>8} {'title':>12} {'byline':>12} "
          f"{'date':>12} {'s/page':>7}")
    for name in names:
        scores = []
        start = time.perf_counter()
        for folder in folders:
            scores.append(score_page(folder, BACKENDS[name](folder / "source.html")))
        seconds = (time.perf_counter() - start) / max(len(folders), 1)
        s = summary(scores)
        print(f"{name:26} {s['precision_median']:6.3f} {s['recall_median']:6.3f} {s['f1_median']:7.3f} "
              f"{s['f1_mean']:8.3f} {s['title_accuracy']:6.1%} ({s['title_pages']:>3}) "
              f"{s['byline_accuracy']:6.1%} ({s['byline_pages']:>3}) {s['date_accuracy']:6.1%} ({s['date_pages']:>3}) "
              f"{seconds:7.3f}")
        if show:
            for sc in sorted(scores, key=lambda x: x.f1)[:15]:
                print(f"    {sc.name:40} P {sc.precision:.2f} R {sc.recall:.2f} F1 {sc.f1:.2f} title {sc.title} "
                      f"byline {sc.byline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pdfs", type=Path, default=DATASETS / "pdfs")
    parser.add_argument("--readability", type=Path, default=DATASETS / "readability")
    parser.add_argument("--pdf-compare", action="store_true", help="compare pypdfium2, pdfplumber, pypdf layout")
    parser.add_argument("--html-compare", action="store_true", help="compare trafilatura, readability-lxml, ...")
    parser.add_argument("--only", choices=["pdf", "html"], help="run one part")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if args.only != "html":
        if args.pdfs.is_dir():
            pdf_part(args.pdfs, args.pdf_compare, args.show_misses)
        else:
            print(f"skipped PDFs: {args.pdfs} is not there (see ../shared/datasets/pdfs/README.md)")
    if args.only != "pdf":
        if args.readability.is_dir():
            html_part(args.readability, args.html_compare, args.show_misses)
        else:
            print(f"skipped web pages: {args.readability} is not there")


if __name__ == "__main__":
    main()
