"""Build small real PDFs for tests: one text line per page, valid xref, optional encryption via pypdf."""

from __future__ import annotations

import io


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _assemble(streams: list[bytes], *, font: str, width: float = 612, height: float = 792) -> bytes:
    """A PDF with one page per content stream, all in one Type1 ``font``, with a valid cross-reference table."""
    n = len(streams)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    font_id = 3 + 2 * n
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, stream in enumerate(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(f"<< /Type /Font /Subtype /Type1 {font} >>".encode())
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_pdf(pages: list[str]) -> bytes:
    """A PDF whose page i shows ``pages[i]`` (an empty string gives a page with no text)."""
    streams = [f"BT /F1 12 Tf 72 720 Td ({_escape(text)}) Tj ET".encode() if text else b"" for text in pages]
    return _assemble(streams, font="/BaseFont /Helvetica")


def encrypt_pdf(data: bytes, password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_layout_pdf(pages: list[list[tuple[float, float, float, str]]], *, width: float = 612,
                    height: float = 792) -> bytes:
    """A PDF whose pages place each (x, y from the top, font size, text) run where a layout would: columns,
    running headers, margin numbers. Runs are written in the order given, which is the content-stream order."""
    streams = ["\n".join(f"BT /F1 {size} Tf 1 0 0 1 {x} {height - y} Tm ({_escape(text)}) Tj ET"
                         for x, y, size, text in runs).encode("latin-1") for runs in pages]
    return _assemble(streams, font="/BaseFont /Times-Roman /Encoding /WinAnsiEncoding", width=width, height=height)


def scanned_pdf(lines: list[str]) -> bytes:
    """An image-only PDF (no text layer): the lines drawn into an A4 page image at 300 dpi by Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for i, line in enumerate(lines):
        draw.text((250, 300 + 80 * i), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=300)
    return out.getvalue()
