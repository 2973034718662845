/// The Python `apply_delta` of docs/schema.md (Fossil's delta format), shared by the tests that
/// read an archive and a bundle with Python alone.
enum PythonDeltaReader {
    static let applyDelta = #"""
    DIGITS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"
    def apply_delta(src, delta):
        pos = 0
        def number():
            nonlocal pos
            start, v = pos, 0
            while pos < len(delta) and delta[pos] in DIGITS:
                v, pos = v * 64 + DIGITS.index(delta[pos]), pos + 1
            assert pos > start, "number"
            return v
        size = number(); assert delta[pos:pos + 1] == b"\n"; pos += 1
        out = bytearray()
        while True:
            n = number(); op = delta[pos:pos + 1]; pos += 1
            if op == b"@":
                at = number(); assert delta[pos:pos + 1] == b","; pos += 1
                out += src[at:at + n]
            elif op == b":":
                out += delta[pos:pos + n]; pos += n
            elif op == b";":
                assert len(out) == size and pos == len(delta)
                return bytes(out)
            else:
                raise ValueError("not a delta")
    """#
}
