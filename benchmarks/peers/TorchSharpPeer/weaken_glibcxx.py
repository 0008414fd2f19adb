#!/usr/bin/env python3
"""Marks one symbol-version requirement of an ELF64 shared library weak, in place: by default GLIBCXX_3.4.32 in the
build output's copy of libLibTorchSharp.so (never the NuGet cache's).

Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked by GCC 13, which makes every object that includes <iostream>
reference std::ios_base_library_init@GLIBCXX_3.4.32 (a marker nothing calls at run time). Debian 12's libstdc++ stops
at GLIBCXX_3.4.30, so the loader refuses the whole library ("version `GLIBCXX_3.4.32' not found"). A requirement with
VER_FLG_WEAK (0x2) in its Vernaux entry is one the loader may miss without failing; the marker symbol's relocation is
then never needed. libtorch_cpu.so itself loads as shipped.

Usage: weaken_glibcxx.py LIBRARY [VERSION]. Idempotent; exits non-zero when the file is not ELF64 little-endian or has
no .gnu.version_r section. Prints what it did."""
import os
import shutil
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE  # .gnu.version_r: the versions this object needs from each library
VER_FLG_WEAK = 0x2


def sections(data):
    """(type, offset, size, link) of each section header, from the ELF64 header's e_shoff/e_shentsize/e_shnum."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("error: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    for i in range(shnum):
        # Elf64_Shdr: name(4) type(4) flags(8) addr(8) offset(8) size(8) link(4) ...
        _, sh_type, _, _, offset, size, link = struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize)
        yield sh_type, offset, size, link


def c_string(data, at):
    return data[at:data.index(b"\0", at)].decode()


def weaken(path, version):
    data = bytearray(open(path, "rb").read())
    headers = list(sections(data))
    verneed = [h for h in headers if h[0] == SHT_GNU_VERNEED]
    if not verneed:
        raise SystemExit(f"error: {path} has no .gnu.version_r section")
    _, offset, _, link = verneed[0]
    strtab = headers[link][1]  # the section's sh_link names its string table (.dynstr)
    changed = found = 0
    need = offset
    while True:
        # Elf64_Verneed: vn_version(2) vn_cnt(2) vn_file(4) vn_aux(4) vn_next(4)
        _, count, file_name, aux, next_need = struct.unpack_from("<HHIII", data, need)
        entry = need + aux
        for _ in range(count):
            # Elf64_Vernaux: vna_hash(4) vna_flags(2) vna_other(2) vna_name(4) vna_next(4)
            _, flags, _, name, next_aux = struct.unpack_from("<IHHII", data, entry)
            if c_string(data, strtab + name) == version:
                found += 1
                if not flags & VER_FLG_WEAK:
                    struct.pack_into("<H", data, entry + 4, flags | VER_FLG_WEAK)
                    changed += 1
                print(f"{path}: {version} needed from {c_string(data, strtab + file_name)}: flags {flags:#x} -> {flags | VER_FLG_WEAK:#x}")
            entry += next_aux
        if next_need == 0:
            break
        need += next_need
    if not found:
        print(f"{path}: needs no {version}; left as it is")
    elif changed:
        # A new file renamed over the old one: were the build's copy a hard link into the NuGet cache, the cache stays as shipped.
        temporary = path + ".weakening"
        with open(temporary, "wb") as f:
            f.write(data)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    weaken(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "GLIBCXX_3.4.32")
