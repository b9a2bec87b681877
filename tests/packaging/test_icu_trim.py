"""The trimmed ICU data (build/icu_trim.py) behaves as the full data for what this program uses.

Qt uses ICU for collation, the legacy text codecs, time-zone names and locale-aware case
mapping. The same probe runs in two Python processes, one with the Qt wheel's ICU data and
one with the trimmed library first on the loader's path (the Qt libraries find libicudata by
RUNPATH, which LD_LIBRARY_PATH precedes), and must print the same answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import packaging
from tests.helpers.hang import HANG_GUARD_S

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ICU trim is for the Linux build")

PROBE = r"""
import json
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, QTimeZone

out = {}
words = ["さくら", "サクラ", "桜", "あお", "アオ", "ａｂｃ", "abc", "ABC", "東京", "とうきょう", "ポート", "ぽーと",
         "Zeta", "émile", "Émile", "10", "9", "ﾎﾟｰﾄ", "ｶﾀｶﾅ", "カタカナ"]
for name in ("ja_JP", "en_US", "C"):
    collator = QCollator(QLocale(name))
    out["sort " + name] = sorted(words, key=collator.sortKey)
    collator.setNumericMode(True)
    collator.setCaseSensitivity(collator.caseSensitivity().CaseInsensitive)
    out["numeric, any case " + name] = sorted(words, key=collator.sortKey)
codecs = set(QStringDecoder.availableCodecs())
for codec in ("Shift_JIS", "windows-31j", "CP932", "EUC-JP", "ISO-2022-JP", "windows-1252", "ISO-8859-1", "US-ASCII"):
    out["codec " + codec] = [QStringDecoder(codec).isValid(), codec in codecs]
tokyo = QTimeZone(b"Asia/Tokyo")
when = QDateTime.fromSecsSinceEpoch(1700000000)
for name in ("ja_JP", "en_US"):
    for kind in ("LongName", "ShortName", "OffsetName"):
        out[f"time zone {name} {kind}"] = tokyo.displayName(when, getattr(QTimeZone.NameType, kind), QLocale(name))
out["upper ja"] = QLocale("ja_JP").toUpper("ｓｅｐ ｍａｎａｇｅｒ ß")
out["lower en"] = QLocale("en_US").toLower("ＳＥＰ İ")
maps = open("/proc/self/maps").read().splitlines()
out["loaded"] = sorted({line.split()[-1] for line in maps if "libicudata" in line})
print(json.dumps(out, ensure_ascii=False))
"""


def _wheel_icu_data() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 wheel ships no ICU data")
    return found[0]


def _probe(library_path: Path | None) -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if library_path is not None:
        env["LD_LIBRARY_PATH"] = str(library_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=HANG_GUARD_S, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answers: dict[str, object] = json.loads(result.stdout)
    return answers


def test_trimmed_icu_data_answers_as_the_full_data(tmp_path: Path) -> None:
    icu_trim = packaging.icu_trim()
    missing = icu_trim.missing_tools()
    if missing:
        pytest.skip(f"cannot trim ICU here: {icu_trim.missing_words(missing)}")
    full = _wheel_icu_data()
    trimmed = icu_trim.trim_icu_data(full, tmp_path)
    assert trimmed.name == full.name
    assert trimmed.stat().st_size < full.stat().st_size / 3  # what the trim is for: 32 MB -> under 11 MB
    # Like the wheel's, the library asks for no executable stack (glibc 2.41 would refuse to load it).
    headers = subprocess.run(["readelf", "-lW", str(trimmed)], capture_output=True, text=True, check=True).stdout
    stack = [line.split() for line in headers.splitlines() if line.split()[:1] == ["GNU_STACK"]]
    assert stack and stack[0][-2] == "RW", headers

    with_full, with_trimmed = _probe(None), _probe(trimmed.parent)
    assert with_full.pop("loaded") == [str(full)]
    assert with_trimmed.pop("loaded") == [str(trimmed)]
    assert with_trimmed == with_full
    assert with_full["codec Shift_JIS"] == [True, True] and with_full["codec EUC-JP"] == [True, True]
    assert with_full["time zone ja_JP LongName"] == "日本標準時"


def test_missing_tools_stop_the_trim_with_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    icu_trim = packaging.icu_trim()
    monkeypatch.setattr(icu_trim, "missing_tools", lambda: ["genccode", "ld"])
    with pytest.raises(SystemExit, match=r"missing genccode, ld \(Debian: apt-get install binutils icu-devtools\)"):
        icu_trim.trim_icu_data(tmp_path / "libicudata.so.73", tmp_path)
