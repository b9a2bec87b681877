"""Building the packaged program from build/pyinstaller.spec: shared by tests/packaging and
benchmarks/package_size_startup.py, so both measure the same build."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

from tests.helpers.command import ROOT

MB = 1_000_000
ONEDIR_LIMIT_MB = 100
ONEFILE_LIMIT_MB = 45
"""Linux size limits (decimal MB); the ICU trim is what keeps the onedir under its limit."""

EXECUTABLE = "sep-port-doctor.exe" if os.name == "nt" else "sep-port-doctor"


def icu_trim() -> ModuleType:
    """build/icu_trim.py (a build script, not a package)."""
    spec = importlib.util.spec_from_file_location("icu_trim", ROOT / "build" / "icu_trim.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cannot_build() -> str | None:
    """Why the program cannot be built here, or None."""
    if importlib.util.find_spec("PyInstaller") is None:
        return 'PyInstaller is not installed (pip install ".[build]")'
    # PyInstaller's own search, in a child: it raises (SystemExit) with what to install.
    library = subprocess.run(
        [sys.executable, "-c", "from PyInstaller.depend.bindepend import get_python_library_path as f; f()"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if library.returncode != 0:
        return f"PyInstaller cannot bundle this Python: {(library.stderr.strip().splitlines() or ['?'])[-1]}"
    if not sys.platform.startswith("linux"):
        return None
    missing = [tool for tool in ("objdump", "objcopy") if shutil.which(tool) is None]
    if missing:
        return f"PyInstaller needs {', '.join(missing)} on Linux (Debian: apt-get install binutils)"
    if os.environ.get("SEP_FULL_ICU", "") in ("", "0"):
        trim = icu_trim()
        if missing := trim.missing_tools():
            return f"the ICU trim cannot run: {trim.missing_words(missing)}"
    return None


def build(work: Path, *, onefile: bool, timeout: float = 900) -> Path:
    """Build into ``work``; the executable (onedir: inside its folder). Raises with PyInstaller's
    last words when the build fails."""
    env = {**os.environ, "SEP_ONEFILE": "1" if onefile else ""}
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(work / "dist"),
         "--workpath", str(work / "build"), str(ROOT / "build" / "pyinstaller.spec")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"PyInstaller failed ({result.returncode}):\n{result.stderr[-3000:]}")
    executable = work / "dist" / (EXECUTABLE if onefile else f"sep-port-doctor/{EXECUTABLE}")
    if not executable.is_file():
        raise RuntimeError(f"PyInstaller made no {executable}")
    return executable


def size(path: Path) -> int:
    """Bytes of a file, or of every file in a folder (symbolic links not counted twice)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


CACHE_KEPT_S = 24 * 3600
BUILD_INPUTS = ("core", "gui", "resources", "build", "pyproject.toml", "constraints.txt")
"""What the package build reads from the repository (with the installed packages and SEP_* settings)."""


def build_key() -> str:
    """A digest of everything the onedir build depends on: the sources and resources, the spec,
    Python and every installed distribution's version, and the spec's SEP_* settings."""
    import hashlib
    from importlib.metadata import distributions

    digest = hashlib.sha256()
    for name in BUILD_INPUTS:
        root = ROOT / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(sys.version.encode())
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    digest.update("\n".join(versions).encode())
    digest.update(repr(sorted((k, v) for k, v in os.environ.items() if k.startswith("SEP_"))).encode())
    return digest.hexdigest()[:20]


def cached_onedir() -> Path:
    """The onedir executable built from the current inputs: built once per ``build_key`` into the
    system's temporary folder and reused while nothing it depends on changes (tests that only need
    *a* build of these sources, not the build step itself, skip the minute it takes)."""
    import fcntl
    import tempfile

    cache = Path(tempfile.gettempdir()) / "sep-port-doctor-build-cache"
    cache.mkdir(exist_ok=True)
    key = build_key()
    done = cache / key / "dist" / "sep-port-doctor" / EXECUTABLE
    with (cache / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time; a second waiter reuses the first
        if not done.is_file():
            work = cache / f"{key}.partial"
            shutil.rmtree(work, ignore_errors=True)
            build(work, onefile=False)
            shutil.rmtree(work / "build", ignore_errors=True)
            work.rename(cache / key)
        (cache / key).touch()
        # Builds nobody used for a day go (another worktree's suite may be using a recent one now).
        for old in cache.iterdir():
            if old.is_dir() and old.name != key and time.time() - old.stat().st_mtime > CACHE_KEPT_S:
                shutil.rmtree(old, ignore_errors=True)
    return done
