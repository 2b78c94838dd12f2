"""How much of a screenshot is drawn: the Chromium tests of the HTML reports
(analyze_html_chromium.sh, report_html_chromium.sh) check that a page did not
render blank. Reads an 8-bit RGB/RGBA PNG as Chromium writes it."""
import struct
import zlib


def inked_share(path, step):
    """(width, height, file bytes, share of sampled pixels darker than light
    grey), sampling every `step`-th row and column; raises ValueError for
    anything but an 8-bit RGB or RGBA PNG."""
    png = open(path, "rb").read()
    if not png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError("not a PNG")
    w, h, depth, ctype = struct.unpack(">IIBB", png[16:26])
    bpp = {2: 3, 6: 4}.get(ctype, 0)
    if depth != 8 or not bpp:
        raise ValueError(f"unexpected PNG format depth={depth} type={ctype}")
    pos, idat = 8, b""
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, prev, inked, total = w * bpp, bytearray(w * bpp), 0, 0
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # undo the row filter (PNG spec, 9.2)
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if y % step == 0:
            for x in range(0, w, step):
                total += 1
                inked += min(line[x * bpp:x * bpp + 3]) < 0xC0
    return w, h, len(png), inked / max(1, total)
