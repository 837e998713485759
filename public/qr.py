"""扫码分享: a page's URL as an inline SVG QR code."""

import hashlib

import qrcode
import qrcode.image.svg
from django.core.cache import cache


def qr_svg(url: str) -> str:
    """扫码分享: the page's URL as inline SVG (no style attributes, so CSP allows it), cached
    forever per URL since a notice's URL never changes."""
    key = "public:qr:" + hashlib.blake2s(url.encode(), digest_size=16).hexdigest()
    svg = cache.get(key)
    if svg is None:
        image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
        svg = image.to_string(encoding="unicode")
        svg = svg.split("?>", 1)[-1].strip()  # no XML declaration inside HTML
        cache.set(key, svg, timeout=None)
    return svg
