"""Hostile uploads for the security suite: real images carrying a script, and fakes."""

import io

from PIL import Image, PngImagePlugin

SCRIPT = "<html><body><script>document.title = 'xss-ran'; window.xssRan = true;</script>"


def png_with_script() -> bytes:
    """A valid PNG whose text chunk holds an HTML page with a script (a polyglot: an image to
    Pillow, a page to a browser told it is text/html)."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT)
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 200, 10)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def gif_with_script() -> bytes:
    """A GIF with a script after its trailer: Pillow reads it, a sniffing browser might not."""
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 0, 0)).save(buffer, format="GIF")
    return buffer.getvalue() + SCRIPT.encode()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = SCRIPT.encode()
