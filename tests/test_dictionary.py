"""The hanja word list: compiled once into the cache, and a clear word when it is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from translit import dictionary, hangul


@pytest.fixture
def fresh(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    dictionary.load.cache_clear()
    dictionary.longest_word.cache_clear()
    yield tmp_path
    dictionary.load.cache_clear()
    dictionary.longest_word.cache_clear()


def test_a_small_list_compiles_to_the_cache_and_loads_from_it(fresh, monkeypatch) -> None:
    source = fresh / "hanja.txt"
    source.write_text("# comment\n번지:番地:\n번디:番地:\n금:金:쇠 금, 성 금\n김:金:성 김\n",
                      encoding="utf-8")
    monkeypatch.setenv("TOJI_HANJA_LIST", str(source))
    assert dictionary.readings("番地") == ["번지", "번디"]
    assert dictionary.meaning_count("金", "금") == 2
    [cached] = (fresh / "cache" / "toji").iterdir()
    dictionary.load.cache_clear()
    source.write_text("", encoding="utf-8")  # a changed list is parsed anew, never served stale
    assert dictionary.readings("番地") == []
    assert cached.exists()


def test_a_missing_list_names_the_package(fresh, monkeypatch, capsys) -> None:
    monkeypatch.setenv("TOJI_HANJA_LIST", str(fresh / "nowhere.txt"))
    with pytest.raises(dictionary.DictionaryMissingError, match="libhangul-data"):
        dictionary.load()
    assert main(["read", "林野"]) == 2
    assert "apt-get install libhangul-data" in capsys.readouterr().err


@pytest.mark.parametrize(("syllable", "start", "after_vowel"), [
    ("리", "이", "리"), ("로", "노", "로"), ("녀", "여", "녀"), ("라", "나", "라"),
    ("류", "유", "류"), ("례", "예", "례"), ("뇨", "요", "뇨"), ("김", "김", "김"),
])
def test_initial_law(syllable: str, start: str, after_vowel: str) -> None:
    assert hangul.initial_law(syllable) == start
    assert hangul.yeol_rule("가", syllable) == after_vowel


@pytest.mark.parametrize(("previous", "syllable", "want"), [
    ("비", "률", "율"), ("선", "렬", "열"), ("강", "렬", "렬"), ("법", "률", "률"),
    ("규", "률", "율"), ("분", "렬", "열"),
])
def test_yeol_rule(previous: str, syllable: str, want: str) -> None:
    assert hangul.yeol_rule(previous, syllable) == want


def test_hanja_candidates_for_typing_put_the_standard_set_first() -> None:
    from translit.dictionary import candidates

    assert candidates("황")[0] == "黃"
    assert "畓" in candidates("답")[:4]
    assert all(len(c) == 2 for c in candidates("고양"))
    assert candidates("없는말아님") == []
