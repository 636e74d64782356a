"""QR codes drawn here, as inline SVG (segno, pure Python): nothing is fetched from a
third party, and the page needs no script or image request to show one."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, title: str) -> SafeString:
    """`text` as a QR code in inline SVG markup, sized by CSS (no width or height), dark
    on a white square with the quiet zone scanners need; `title` names it for screen
    readers. Safe to mark so: segno escapes the title, and the rest is its own markup
    of numbers and path data."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(
        scale=1, title=title, svgclass="qr", lineclass=None, omitsize=True, light="#fff"
    )
    return mark_safe(svg)
