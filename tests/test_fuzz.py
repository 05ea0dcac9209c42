"""Fuzzing what people and files put in (hypothesis): search boxes, corrected values,
file names, stored paths. Nothing may crash but with the documented error; queries are
bound parameters, so quotes and wildcards are text; no path from data leaves its folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app import ingest
from app.review import correct_field, history
from app.scans import safe_name, scan_file
from app.search import QueryError, owner_query, search_owners, search_text
from db.archive import open_archive
from db.models import Scan
from tests.conftest import SAMPLES, store_truth, truth

# Derandomized: the same examples every run, so a failure is the code's, never the dice's.
FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = st.text(max_size=30)
# Text as people type it: hangul, hanja, digits, SQL and LIKE punctuation, spaces.
TYPED = st.text(alphabet=st.sampled_from(list("김이박남궁인金李朴南宮仁高陽郡京畿道里面番地ノ0123456789 -'\"%_;\\*()")),
                max_size=20)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory):
    from app.auth import Principal, acting_as

    archive = open_archive(tmp_path_factory.mktemp("fuzz") / "toji.db")
    with acting_as(Principal("tester", "admin")):
        for i, page in enumerate(sorted(SAMPLES.glob("*.json"))[:4]):
            store_truth(archive, truth(page.with_suffix(".png")), f"card-{i}.png")
    return archive


@FUZZ
@given(name=st.one_of(TEXT, TYPED), place=st.one_of(TEXT, TYPED), lot=st.one_of(TEXT, TYPED))
def test_owner_search_takes_any_text(archive, name: str, place: str, lot: str) -> None:
    try:
        query = owner_query(name=name or None, place=place or None, lot=lot or None)
    except QueryError:
        return
    hits = search_owners(archive, query, applicant=name)
    assert isinstance(hits, list)


@FUZZ
@given(text=st.one_of(TEXT, TYPED))
def test_line_search_takes_any_text(archive, text: str) -> None:
    try:
        hits = search_text(archive, text)
    except QueryError:
        assert not text.strip()
        return
    assert all(text.strip() in h.line for h in hits)  # % and _ are letters, not wildcards


@FUZZ
@given(value=st.one_of(TEXT, TYPED))
def test_any_corrected_value_is_kept_or_refused(archive, value: str) -> None:
    for path in ("owners[0].name", "lot", "area"):
        try:
            correct_field(archive, 1, path, value)
        except QueryError:
            continue
        assert history(archive, 1, path)[-1].value == value.strip()


NAMES = st.text(alphabet=st.characters(blacklist_characters="/\x00",
                                       blacklist_categories=("Cs",)), min_size=1, max_size=60)


@FUZZ
@given(name=NAMES)
def test_any_file_name_is_named_in_its_error(tmp_path: Path, name: str) -> None:
    # A name ending .txt or .lst is a list of scans (one path a line), read as such.
    assume(Path(name).suffix.lower() not in ingest.LIST_SUFFIXES)
    path = tmp_path / name
    try:
        path.write_bytes(b"not a scan at all")
    except OSError:  # a name this file system will not hold (too long, '.', '..')
        return
    try:
        assert list(ingest.expand([path])) == [path] or path.is_dir()
        with pytest.raises(ingest.ScanError) as info:
            ingest.pages_of(ingest.load(path))
        assert str(path) in str(info.value)
    finally:
        if path.is_file():
            os.unlink(path)


@FUZZ
@given(name=NAMES)
def test_names_made_from_data_stay_in_their_folder(tmp_path: Path, name: str) -> None:
    made = safe_name(name)
    assert made and made not in (".", "..") and "/" not in made and "\\" not in made
    assert (tmp_path / made).resolve().parent == tmp_path.resolve()


@FUZZ
@given(stored=st.one_of(TEXT, st.sampled_from(["../../etc/passwd", "/etc/passwd",
                                               "scans/../../x", "scans/ab/../../../y"])))
def test_a_tampered_stored_path_never_leads_out(archive, stored: str) -> None:
    scan = Scan(sha256="0" * 64, path="x.png", stored=stored or "x", size=1)
    try:
        path = scan_file(archive, scan)
    except ingest.ScanError:
        return
    assert path.is_relative_to((archive.folder / "scans").resolve())


@pytest.mark.slow
def test_the_fuzzing_bench_finds_no_crash_in_its_quick_version(tmp_path: Path) -> None:
    """bench/fuzz.py at CI's size. Its inputs are seeded; the certificate it mutates is
    signed anew each run (a new key, a new time), so a crash found here on one run and
    not the next is still a real one: its input seed is printed."""
    import subprocess
    import sys

    bench = Path(__file__).resolve().parents[1] / "bench" / "fuzz.py"
    done = subprocess.run([sys.executable, str(bench), "--examples", "3000",
                           "--pdf-share", "0.05"], capture_output=True, text=True,
                          env={**os.environ, "TMPDIR": str(tmp_path)}, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "goal: no crash: met" in done.stdout
    assert "changed certificates that verified, signed bytes changed: 0" in done.stdout
