"""The words of a listed name a search matched, and a name's script."""

from __future__ import annotations

from service.records.highlight import detect_script, highlight, matched_tokens


def test_marks_the_words_whose_tokens_matched():
    tokens = matched_tokens({"token_pairs": [["zhao", "zhao", 1.0], ["guangzon", "guangzong", 0.9]]})
    assert tokens == {"zhao", "guangzong"}
    assert highlight("ZHAO, Guangzong", tokens) == [("ZHAO", True), (", ", False), ("Guangzong", True)]
    assert highlight("Wuhan Xiaoruizhi Co., Ltd.", {"xiaoruizhi"}) == [
        ("Wuhan ", False), ("Xiaoruizhi", True), (" Co., Ltd.", False)]


def test_han_characters_are_words_of_their_own():
    assert highlight("赵光宗", {"zhao", "zong"}) == [("赵", True), ("光", False), ("宗", True)]
    assert highlight("赵光宗", {"zhao", "guang", "zong"}) == [("赵光宗", True)]


def test_pieces_join_back_to_the_name_and_nothing_is_marked_without_tokens():
    for name in ("<b>O'Brien</b> & Sons", "  Ivan  Петров ", "", "محمد علي"):
        assert "".join(text for text, _ in highlight(name, {"petrov", "obrien"})) == name
        assert not any(hit for _, hit in highlight(name, set()))
    assert matched_tokens(None) == set() and matched_tokens({"token_pairs": []}) == set()


def test_detect_script():
    assert [detect_script(t) for t in ("赵光宗", "Иван", "محمد", "김정은", "ZHAO, Guangzong", "12-3")] == [
        "Han", "Cyrillic", "Arabic", "Hangul", "Latin", None]
