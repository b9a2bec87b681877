"""Trim the ICU data library that the Linux Qt wheels ship (32 MB) to what this program can use.

Qt links ICU for collation, text boundaries, time zones and legacy text codecs. The
program speaks Japanese and English, so the data keeps: the root, English and
Japanese locales, collation (root/en/ja), break iterators with the CJK dictionary,
normalisation, time zones, the shared key pools, and the Japanese and Western
converters. Dropped: the other ~800 locales, their currency/language/region/unit/
zone display names, transliteration, rule-based number formats and other converters.

ICU's own tools do the work (Debian's icu-devtools: ``icupkg`` and ``genccode``, which
writes the data as an object file), then the linker (binutils, which PyInstaller needs on
Linux anyway) makes the library with the same soname and entry point; no C compiler.
Where a tool is missing the build stops with the one line that says what to install:
a silently untrimmed build would be 25 MB larger (``SEP_FULL_ICU=1`` ships the full data
on purpose).

Used by build/pyinstaller.spec; also runnable: ``python build/icu_trim.py LIB OUTDIR``.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

KEEP_LOCALES = {"root", "en", "en_US", "ja", "ja_JP", "res_index", "pool"}
KEEP_SUPPLEMENTAL = {
    "supplementalData", "likelySubtags", "metaZones", "timezoneTypes", "windowsZones", "zoneinfo64",
    "numberingSystems", "plurals", "keyTypeData", "currencyNumericCodes", "icuver", "icustd", "dayPeriods",
    "genderList", "grammaticalFeatures", "units", "langInfo",
}  # fmt: skip
KEEP_CONVERTERS = {
    "ibm-943_P15A-2003", "ibm-943_P130-1999", "euc-jp-2007", "ibm-33722_P12A_P12A-2009_U2", "ibm-33722_P120-1999",
    "ibm-5348_P100-1997", "ibm-1252_P100-2000", "ibm-912_P100-1995", "ibm-913_P100-2000",
}  # fmt: skip
TOOLS = {"icupkg": "icu-devtools", "genccode": "icu-devtools", "as": "binutils", "ld": "binutils"}
"""Each tool the trim runs, and the Debian package that has it."""


class IcuTrimError(SystemExit):
    """The trim cannot run here; the message says why and what to install."""


def missing_tools() -> list[str]:
    """The tools the trim needs that are not on PATH (Debian keeps icupkg in /usr/sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])
    return [tool for tool in TOOLS if shutil.which(tool, path=path) is None]


def missing_words(missing: list[str]) -> str:
    packages = sorted({TOOLS[tool] for tool in missing})
    return f"missing {', '.join(missing)} (Debian: apt-get install {' '.join(packages)})"


def _tool(name: str) -> str:
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])) or name


def _keep(item: str) -> bool:
    folder, _, name = item.rpartition("/")
    stem, _, ext = name.rpartition(".")
    if folder == "translit":
        return False
    if ext == "cnv":
        return stem in KEEP_CONVERTERS
    if ext == "dict":
        return stem == "cjdict"
    if ext == "res":
        return stem in KEEP_LOCALES or stem in KEEP_SUPPLEMENTAL
    return True  # .icu, .nrm, .spp, .cfu, .brk: small, shared by every locale


def _symbol(lib: Path, name: str) -> tuple[int, int]:
    """File offset and size of a symbol in an ELF64 shared library (little-endian)."""
    data = lib.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{lib} is not a little-endian ELF64 library")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, _shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind not in (2, 11):  # SHT_SYMTAB, SHT_DYNSYM
            continue
        strtab = sections[link]
        for index in range(size // entsize):
            st_name, _st_info, _other, st_shndx, value, st_size = struct.unpack_from(
                "<IBBHQQ", data, offset + index * entsize
            )
            start = strtab[4] + st_name
            if data[start : data.index(b"\x00", start)] == name.encode():
                section = sections[st_shndx]
                return value - section[3] + section[4], st_size
    raise ValueError(f"{name} not found in {lib}")


def trim_icu_data(lib: Path, work: Path) -> Path:
    """Build a smaller libicudata in ``work``; raises IcuTrimError when it cannot."""
    match = re.match(r"libicudata\.so\.(\d+)", lib.name)
    if match is None:
        raise IcuTrimError(f"icu_trim: {lib.name} is not named libicudata.so.N; set SEP_FULL_ICU=1 to keep it whole")
    missing = missing_tools()
    if missing:
        raise IcuTrimError(
            f"icu_trim: cannot trim {lib.name}: {missing_words(missing)}; or set SEP_FULL_ICU=1 to ship the full ICU data"
        )
    major = match.group(1)
    package = f"icudt{major}l"
    work.mkdir(parents=True, exist_ok=True)
    offset, size = _symbol(lib, f"icudt{major}_dat")
    full = work / "full" / f"{package}.dat"
    full.parent.mkdir(exist_ok=True)
    full.write_bytes(lib.read_bytes()[offset : offset + size])
    listing = subprocess.run(
        [_tool("icupkg"), "-l", str(full)], capture_output=True, text=True, check=True, timeout=120
    )
    items = [line.strip() for line in listing.stdout.splitlines() if line.strip()]
    remove = work / "remove.txt"
    remove.write_text("\n".join(item for item in items if not _keep(item)) + "\n")
    # The package name inside the data is the output file's name: keep it icudtNNl.
    small = work / "small" / f"{package}.dat"
    small.parent.mkdir(exist_ok=True)
    small.unlink(missing_ok=True)
    subprocess.run(
        [_tool("icupkg"), "--ignore-deps", "-r", str(remove), str(full), str(small)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    # genccode writes an ELF object for the architecture of the one it is shown: an empty
    # object from this machine's assembler.
    native = work / "native.o"
    subprocess.run([_tool("as"), "-o", str(native), os.devnull], check=True, timeout=60)
    obj = work / f"{package}_dat.o"
    obj.unlink(missing_ok=True)
    subprocess.run(
        [_tool("genccode"), "-q", "-o", "-m", str(native), "-e", f"icudt{major}", "-d", str(work), str(small)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    out = work / lib.name
    # noexecstack: the object has no .note.GNU-stack, and glibc 2.41 (Debian 13) refuses to load
    # a library that asks for an executable stack.
    link = [_tool("ld"), "-shared", "-z", "noexecstack", "-soname", f"libicudata.so.{major}", "-o", str(out), str(obj)]
    subprocess.run(link, check=True, timeout=300)
    kept = sum(1 for item in items if _keep(item))
    print(f"icu_trim: {lib.name} {lib.stat().st_size / 1e6:.1f} MB -> {out.stat().st_size / 1e6:.1f} MB "
          f"({kept} of {len(items)} items kept)")  # fmt: skip
    return out


if __name__ == "__main__":
    trim_icu_data(Path(sys.argv[1]), Path(sys.argv[2]))
