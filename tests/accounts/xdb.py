"""A tiny ip2region .xdb file (format 2.0, IPv4) for tests, written the way the maker lays it out:
a 256-byte header, the 256×256 vector index, the region strings, then the 14-byte segment index.
Each segment must stay inside one /16 (as the maker splits them)."""

import ipaddress
import struct

HEADER, VECTOR = 256, 256 * 256 * 8


def write_xdb(path, segments: list[tuple[str, str, str]]) -> None:
    segments = sorted(
        (int(ipaddress.ip_address(start)), int(ipaddress.ip_address(end)), region)
        for start, end, region in segments
    )
    regions, data, offsets = {}, b"", HEADER + VECTOR
    for _s, _e, region in segments:
        if region not in regions:
            regions[region] = (offsets + len(data), len(region.encode()))
            data += region.encode()
    index_start = HEADER + VECTOR + len(data)
    vector = bytearray(VECTOR)
    index = b""
    for n, (start, end, region) in enumerate(segments):
        assert start >> 16 == end >> 16, "one /16 per segment"
        ptr = index_start + n * 14
        cell = ((start >> 24) * 256 + ((start >> 16) & 0xFF)) * 8
        first, _last = struct.unpack_from("<II", vector, cell)
        struct.pack_into("<II", vector, cell, first or ptr, ptr)
        d_ptr, d_len = regions[region]
        index += struct.pack("<IIHI", start, end, d_len, d_ptr)
    header = struct.pack("<HHIII", 2, 1, 0, index_start, index_start + len(index) - 14).ljust(HEADER, b"\0")
    with open(path, "wb") as f:
        f.write(header + bytes(vector) + data + index)
