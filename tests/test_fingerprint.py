"""The skeleton of a text, k-gram hashes and winnowing (sucai.fingerprint), against brute-force oracles."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from sucai import analysis
from sucai.fingerprint import (CHECK_K, CHECK_W, check_fingerprints, kgram_hashes, skeleton, skeleton_text, window_minima,
                               winnow)


def test_skeleton_keeps_letters_digits_han_folded_with_their_offsets():
    text = "　　一、总体要求\n\n坚持（稳中）求進，ＡＢｃ 𠀀字 2024年。"
    sk = skeleton(text)
    expected = [(i, c) for i, c in enumerate(text) if c.isalnum()]
    assert sk.origin.tolist() == [i for i, _ in expected]
    assert sk.chars == "".join(analysis.normalize(c) for _, c in expected) == "一总体要求坚持稳中求进abc𠀀字2024年"
    assert sk.span(0, 5) == (2, 8) and text[2:8] == "一、总体要求"


def test_layout_and_punctuation_never_change_the_skeleton():
    plain = "关于做好预算编制工作的通知\n各单位：现将有关事项通知如下。"
    variants = ["关于做好预算编制工作的通知\n\n\n各单位:现将有关事项通知如下.",
                "　　关于做好预算编制工作的通知\n　　各单位，现将有关事项 通知如下",
                "关于做好預算編制工作的通知 各单位；现将有关事项通知如下！"]
    assert all(skeleton_text(v) == skeleton_text(plain) for v in variants)


def test_kgram_hashes_equal_exactly_for_equal_kgrams():
    rng = random.Random(1)
    chars = "".join(rng.choice("党建工作要求落实到位") for _ in range(400))
    hashes = kgram_hashes(chars, 5)
    assert len(hashes) == len(chars) - 4
    by_gram: dict[str, set[int]] = {}
    for i, h in enumerate(hashes.tolist()):
        by_gram.setdefault(chars[i:i + 5], set()).add(h)
    assert all(len(v) == 1 for v in by_gram.values())                      # one hash per 5-gram
    assert len({next(iter(v)) for v in by_gram.values()}) == len(by_gram)   # no collisions here
    assert len(kgram_hashes("四个字", 5)) == 0


def test_winnowing_selects_the_minimum_of_every_window():
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**63, 500, dtype=np.uint64)
    selected = set(winnow(hashes, 8).tolist())
    for start in range(len(hashes) - 7):
        window = hashes[start:start + 8]
        assert start + int(np.argmin(window)) in selected
    assert selected <= {start + int(np.argmin(hashes[start:start + 8])) for start in range(len(hashes) - 7)}


def test_window_minima_are_the_least_of_each_window():
    rng = np.random.default_rng(5)
    for length in range(30):
        for w in (1, 2, 3, 5, 8, 13):
            hashes = rng.integers(0, 4, length).astype(np.uint64)   # few values: ties and runs
            values = hashes.tolist()
            expected = [min(values[i:i + w]) for i in range(length - w + 1)] or values and [min(values)]
            assert window_minima(hashes, w).tolist() == expected


def test_check_fingerprints_are_the_distinct_least_hashes_of_the_windows():
    rng = random.Random(11)
    for length in [*range(14), 40, 300]:
        chars = "".join(rng.choice("党建工作要求") for _ in range(length))   # repeated 5-grams: equal hashes
        hashes = kgram_hashes(chars, CHECK_K).tolist()
        windows = range(max(1, len(hashes) - CHECK_W + 1)) if hashes else []
        fingerprints = check_fingerprints(chars)
        assert fingerprints.dtype == np.uint64
        assert fingerprints.tolist() == sorted({min(hashes[i:i + CHECK_W]) for i in windows})


def test_a_shared_run_of_w_plus_k_minus_1_characters_shares_a_fingerprint():
    """The winnowing guarantee (Schleimer et al. 2003) that 查重 retrieval relies on."""
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    guarantee = CHECK_W + CHECK_K - 1
    for _ in range(200):
        shared = "".join(rng.choice(alphabet) for _ in range(guarantee))
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) + shared
        b = shared + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert set(check_fingerprints(a).tolist()) & set(check_fingerprints(b).tolist())


def test_index_tokens_are_the_top_40_bits_of_each_fingerprint_in_hex():
    from sucai.fingerprint import index_tokens, tokens
    rng = np.random.default_rng(7)
    values = np.concatenate([np.array([0, 2**24 - 1, 2**24, 2**64 - 1], dtype=np.uint64),
                             rng.integers(0, 2**63, 500, dtype=np.uint64) * np.uint64(2)])
    expected = [format(int(v) >> 24, "010x") for v in values]  # independent: Python ints, one at a time
    assert tokens(values) == expected
    assert tokens(np.zeros(0, dtype=np.uint64)) == []
    text = "各地区各部门要认真贯彻落实党中央决策部署，切实减轻基层负担。" * 3
    assert index_tokens(text) == " ".join(format(int(v) >> 24, "010x")
                                          for v in check_fingerprints(skeleton_text(text)))


def test_the_fold_tables_are_normalize_of_each_character_alone():
    """The skeleton's tables, built from :func:`sucai.analysis.char_images` in one OpenCC call, equal what
    :func:`sucai.analysis.normalize` makes of each character of the basic plane alone (the oracle: 65,536 calls), and
    ``char_images`` is ``normalize`` character for character but for whitespace, which it keeps as it is."""
    from sucai.fingerprint import _alnum, _fold_tables
    single, several = _fold_tables()
    chars = "".join(chr(code) for code in range(0x10000) if not 0xD800 <= code < 0xE000)
    for char, image in zip(chars, analysis.char_images(chars)):
        expected = analysis.normalize(char)
        assert image == (char if char.isspace() else expected), hex(ord(char))
        letters = _alnum(expected)
        assert (single[ord(char)], several[ord(char)]) == (ord(letters) if len(letters) == 1 else 0, len(letters) > 1)
    assert analysis.char_images("體⑽ ") == ["体", "(10)", " "]


def test_the_fold_tables_are_read_back_from_the_cache_file_of_their_inputs(tmp_path, monkeypatch):
    """Building the fold tables took 0.3–0.6 s of CPU in every process that made a skeleton (an ingest's, at its first
    near-duplicate); the first process writes them to a file named by their inputs, the next reads them — equal to
    the tables built (which the test above checks against normalize, character by character); a damaged file, or
    one of other arrays, is built again; another fingerprint.py (other rules) names another file."""
    import numpy as np

    from sucai import fingerprint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = analysis.derived_file("fold-tables", Path(fingerprint.__file__))
    assert path.parent == tmp_path / "sucai" and not path.exists()
    built = fingerprint._built_fold_tables()

    def same(tables) -> bool:
        return all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(tables, built, strict=True))

    def read_again():
        fingerprint._fold_tables.cache_clear()
        return fingerprint._fold_tables()

    try:
        assert same(read_again()) and path.exists()
        with monkeypatch.context() as patched:
            patched.setattr(fingerprint, "_built_fold_tables", lambda: pytest.fail("built again, not read"))
            assert same(read_again())
        for damaged in (lambda: path.write_bytes(b"damaged"),
                        lambda: np.savez(path, single=built[0][:10], several=built[1][:10])):
            damaged()
            assert same(read_again())
            with np.load(path) as stored:   # and written again, whole
                assert same((stored["single"], stored["several"]))
    finally:
        fingerprint._fold_tables.cache_clear()
    other = tmp_path / "fingerprint.py"
    other.write_text(Path(fingerprint.__file__).read_text() + "# another rule\n", encoding="utf-8")
    assert analysis.derived_file("fold-tables", other) != path
