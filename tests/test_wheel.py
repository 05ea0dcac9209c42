"""Toji installed the usual way: its wheel into a fresh environment outside the checkout.

The wheel must carry every file Toji reads at run time (templates, gazetteer, the hanja
list, a font with the hanja, the sample pages), so that `toji demo` runs with no system
package, no fontconfig font and no TOJI_* variable, in a home folder of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from app import fonts
from translit import dictionary

ROOT = Path(__file__).resolve().parents[1]
RUN_TIME_FILES = ("app/data/NanumGothic.ttf", "ocr/templates/land.json",
                  "ocr/templates/forest.json", "translit/data/gazetteer.json",
                  "translit/data/hanja.txt.gz", "samples/pages/land_s2026_0004_light.jpg")


def test_the_bundled_hanja_list_and_font_serve_without_system_packages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOJI_HANJA_LIST", raising=False)
    assert dictionary.list_path() == dictionary.BUNDLED_LIST
    bundled = fonts.CANDIDATES[-1]
    monkeypatch.setattr(fonts, "CANDIDATES", ["/nonexistent/NanumGothic.ttf", bundled])
    monkeypatch.setattr(fonts, "_fontconfig", list)
    monkeypatch.delenv("TOJI_FONT", raising=False)
    assert fonts.document_font().path == Path(bundled)


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_environment_runs_the_demo(tmp_path: Path) -> None:
    built = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q",
                    "-w", str(built)], check=True, cwd=tmp_path, timeout=600)
    [wheel] = built.glob("toji-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(RUN_TIME_FILES) <= names
    assert any(n.endswith("licenses/app/data/NanumGothic-OFL.txt") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                             capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert install.returncode == 0, install.stderr
    assert "pyproject" not in install.stderr  # no warning of the project's own making

    home = tmp_path / "사용자 home"  # a Korean folder name with a space in the path
    home.mkdir()
    (tmp_path / "fonts.conf").write_text(  # fontconfig that knows no font at all
        f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "none"}</dir>'
        f"<cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>", encoding="utf-8")
    bare = {"PATH": os.environ.get("PATH", ""), "HOME": str(home),
            "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"), "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen"}
    toji = env_dir / "bin" / "toji"
    demo = subprocess.run([str(toji), "demo"], capture_output=True, text=True, env=bare,
                          cwd=tmp_path, timeout=600)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    folder = home / ".local/share/toji/demo"
    assert "verified: issued by this archive and unaltered" in demo.stdout + demo.stderr
    assert (folder / "certificate.pdf").stat().st_size > 0
    embedded = subprocess.run(["pdffonts", str(folder / "certificate.pdf")],
                              capture_output=True, text=True, check=True).stdout
    assert "NanumGothic" in embedded and " yes " in embedded

    password = demo.stdout.split("sign in as")[1].split("/")[1].split()[0]
    shot = subprocess.run([str(toji), "gui", "--db", str(folder / "archive.db"), "--view",
                           "search", "--screenshot", str(tmp_path / "search.png")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**bare, "TOJI_USER": "admin", "TOJI_PASSWORD": password})
    assert shot.returncode == 0, shot.stderr
    assert (tmp_path / "search.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
