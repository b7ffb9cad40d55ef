"""Hand-made zip files for checkpoint tests: members whose declared sizes and
.npy headers say what the test wants, and deflate streams that expand a few
megabytes into gigabytes of zeros without ever holding them in memory."""

import struct
import zlib


class _Bits:
    """Deflate's bit order: values LSB first, Huffman codes MSB first."""

    def __init__(self):
        self.acc, self.n, self.out = 0, 0, bytearray()

    def put(self, value, nbits):
        self.acc |= value << self.n
        self.n += nbits
        while self.n >= 8:
            self.out.append(self.acc & 0xFF)
            self.acc >>= 8
            self.n -= 8

    def code(self, code, nbits):
        self.put(int(format(code, f"0{nbits}b")[::-1], 2), nbits)

    def align(self):
        if self.n:
            self.out.append(self.acc & 0xFF)
        self.acc, self.n = 0, 0
        return bytes(self.out)


_LIT0, _LEN258, _DIST1, _EOB = (0x30, 8), (0xC5, 8), (0x00, 5), (0x00, 7)


def deflate_zeros(prefix: bytes, n_zeros: int) -> bytes:
    """A raw deflate stream expanding to ``prefix`` then ``n_zeros`` zero bytes.

    The prefix is one stored block; the zeros are one fixed-Huffman block: a
    literal 0, then copies of 258 bytes at distance 1 (13 bits each; eight of
    them are exactly 13 bytes, repeated), then literal zeros for the rest.
    """
    assert len(prefix) < 65536 and n_zeros >= 259
    head = _Bits()
    head.put(0, 1)  # not the last block
    head.put(0, 2)  # stored
    stored = head.align() + struct.pack("<HH", len(prefix), len(prefix) ^ 0xFFFF)
    start = _Bits()
    start.put(1, 1)  # last block
    start.put(1, 2)  # fixed Huffman codes
    start.code(*_LIT0)
    start.code(*_LEN258)
    start.code(*_DIST1)  # 3 + 8 + 13 = 24 bits: byte aligned
    assert start.n == 0
    unit = _Bits()
    for _ in range(8):
        unit.code(*_LEN258)
        unit.code(*_DIST1)
    assert unit.n == 0 and len(unit.out) == 13
    repeats, rest = divmod(n_zeros - 259, 8 * 258)
    tail = _Bits()
    for _ in range(rest):
        tail.code(*_LIT0)
    tail.code(*_EOB)
    return stored + prefix + bytes(start.out) + bytes(unit.out) * repeats + tail.align()


def write_zip(path, members):
    """Write a zip of ``(name, data, method, size, crc)`` members as given:
    ``data`` is stored as is (raw deflate for method 8), ``size`` and ``crc``
    are what the headers declare."""
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, data, method, size, crc in members:
            raw = name.encode()
            # signature, versions, flags, method, time, date, crc, sizes, name...
            local = (b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)  # fmt: skip
            entry = (b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0, 0, 0, 0, 0, offset)  # fmt: skip
            f.write(struct.pack("<4s5H3L2H", *local) + raw + data)
            central.append(struct.pack("<4s6H3L5H2L", *entry) + raw)
            offset += 30 + len(raw) + len(data)
        directory = b"".join(central)
        end = (b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)  # fmt: skip
        f.write(directory + struct.pack("<4s4H2LH", *end))


def stored(name, data):
    return (name, data, 0, len(data), zlib.crc32(data))
