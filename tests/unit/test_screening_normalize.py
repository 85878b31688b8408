"""One test per normalisation rule (service.screening.normalize / translit)."""

from __future__ import annotations

import random

from service.screening import normalize as n
from service.screening.keys import (
    cedilla_reading,
    collapse_doubles,
    phonetic_key,
    skeleton,
    slavic_key,
)
from service.screening.normalize import (
    _numbers,
    clean,
    fold_homoglyphs,
    normalize_text,
    strip_invisible,
    tokenize,
    tokenize_full,
    tokenize_uncached,
)


def test_nfkc_folds_fullwidth_and_ligatures() -> None:
    assert tokenize("ＡＢＣ Ｌｔｄ") == ["abc", "ltd"]
    assert tokenize("ﬁnance") == ["finance"]


def test_case_folding() -> None:
    assert tokenize("STRASSE Straße") == ["strasse", "strasse"]


def test_diacritics_stripped() -> None:
    assert tokenize("Recep Tayyip Erdoğan") == ["recep", "tayyip", "erdogan"]
    assert tokenize("Aleksandar Vučić") == ["aleksandar", "vucic"]
    assert tokenize("Société Générale") == ["societe", "generale"]


def test_punctuation_and_spacing_normalised() -> None:
    assert tokenize("  ZHAO,   Guangzong ") == ["zhao", "guangzong"]
    assert tokenize("Jean-Marie  Le\tPen") == ["jean", "marie", "le", "pen"]


def test_ampersand_is_and() -> None:
    assert tokenize("Science & Technology") == ["science", "and", "technology"]


def test_apostrophes_are_dropped_inside_words() -> None:
    assert tokenize("Al Qa'ida") == ["al", "qaida"]
    assert tokenize("O\u2019Neill") == ["oneill"]


def test_dotted_initialisms_are_joined() -> None:
    assert tokenize("A.B.C. Company") == ["abc", "company"]
    assert tokenize("Goldman Sachs L.L.C.") == ["goldman", "sachs", "llc"]
    # a single initial stays a single letter
    assert tokenize("A. Khamenei") == ["a", "khamenei"]


def test_zero_width_and_bidi_controls_removed() -> None:
    assert clean("Gu\u200bang\u200dzong") == "Guangzong"
    assert tokenize("\u202bZHAO\u202c \ufeffGuangzong\u00ad") == ["zhao", "guangzong"]
    assert tokenize("\u2067ZHAO\u2069 \u200fGuangzong\u200e") == ["zhao", "guangzong"]
    assert tokenize("Mu\u200channad") == tokenize("Muhannad")


def test_bidi_overrides_read_as_displayed() -> None:
    # U+202E ... U+202C shows its letters right to left: this displays "Zhao Guangzong".
    assert clean("\u202egnozgnauG oahZ\u202c") == "Zhao Guangzong"
    assert tokenize("\u202egnozgnauG oahZ") == ["zhao", "guangzong"]  # open to the end of the text
    assert tokenize("\u202eZHAO\u202c Guangzong") == ["oahz", "guangzong"]  # displays "OAHZ Guangzong"
    assert clean("\u202dZhao\u202c Guangzong") == "Zhao Guangzong"  # LRO: Latin already left to right
    # A span inside an RLO moves as a block and keeps its own order; embeddings and isolates
    # do not reorder Latin letters.
    assert clean("\u202ecba\u202dxyz\u202cfed\u202c") == "defxyzabc"
    assert clean("\u202ecba\u202bxyz\u202cfed\u202c") == "defxyzabc"
    assert clean("\u2067\u202egnozgnauG\u202c Zhao\u2069") == "Guangzong Zhao"
    # A PDF inside an isolate cannot end the RLO around it; the isolate moves as a block.
    assert clean("\u202e\u2066oahZ\u202c\u2069 x") == "x oahZ"
    # A combining accent stays on its letter; a paragraph break ends the span.
    assert clean("\u202eq\u0301ahZ") == "Zhaq\u0301"  # q + acute has no precomposed form
    assert clean("\u202eoahZ\ngnozgnauG") == "Zhao gnozgnauG"


def test_bidi_overrides_keep_right_to_left_names_as_read() -> None:
    arabic = "\u0645\u062d\u0645\u062f \u0639\u0644\u064a"  # "Muhammad Ali"
    # Arabic in an RLO displays as it always does; in an LRO its letters are shown left to
    # right, so the reversed string reads as the name.
    assert clean("\u202e" + arabic + "\u202c") == arabic
    assert clean("\u202d" + arabic[::-1] + "\u202c") == arabic
    assert tokenize("\u202e" + arabic + "\u202c") == tokenize(arabic)


def test_control_characters_are_spaces_or_nothing() -> None:
    # Those that break a line or field separate words; the others are not shown at all.
    for sep in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85":
        assert tokenize(f"ZHAO{sep}GUANGZONG") == ["zhao", "guangzong"], repr(sep)
    for hidden in "\x00\x01\x07\x1b\x7f\x80\x9b\x9f":
        assert tokenize(f"Zhao Guang{hidden}zong") == ["zhao", "guangzong"], repr(hidden)


def test_homoglyphs_folded_in_mixed_script_words() -> None:
    # Cyrillic а (U+0430) and о (U+043E) inside a Latin word
    assert fold_homoglyphs("Gu\u0430ngzong Zh\u0430\u043e") == "Guangzong Zhao"
    assert tokenize("ZH\u0410O, Guangzong") == ["zhao", "guangzong"]


def test_real_cyrillic_is_transliterated_not_folded() -> None:
    assert tokenize("Владимир Путин") == ["vladimir", "putin"]


def test_serbian_and_macedonian_cyrillic_read_in_their_own_latin_alphabet() -> None:
    # One letter only these alphabets have (љ, ћ, ђ, ѓ ...) decides for the whole name,
    # so a word without one ("Жарко") is read the same way; Đ is "Dj" without diacritics.
    assert tokenize("Жељка Цвијановић") == ["zeljka", "cvijanovic"]
    assert tokenize("ЂОРЂЕВИЋ Властимир") == ["djordjevic", "vlastimir"]
    assert tokenize("Жарко Петровић") == ["zarko", "petrovic"]
    assert tokenize("Ѓорѓе Ивановски") == ["gjorgje", "ivanovski"]
    # Russian, Ukrainian and Bulgarian keep the English-style reading lists use for them.
    assert tokenize("Жанна Цветкова") == ["zhanna", "tsvetkova"]


def test_ukrainian_ye_opening_a_word_is_ye() -> None:
    # "Ye" in the romanisations lists use (Yevhen, Yevgeny); anyascii writes "Ie".
    assert tokenize("Євген Євтушенко") == ["yevgen", "yevtushenko"]
    assert tokenize("ЄВГЕН") == ["yevgen"]
    # Inside a word it stays "ie", as the national romanisation writes it.
    assert tokenize("Сергієнко") == ["sergiienko"]


def test_camel_case_split() -> None:
    assert tokenize("AlisherUsmanov") == ["alisher", "usmanov"]


def test_number_words_to_digits() -> None:
    assert tokenize("Brigade Forty-Four") == ["brigade", "44"]
    assert tokenize("1st International Bank") == tokenize("First International Bank")


def test_chinese_to_pinyin_syllables() -> None:
    assert tokenize("赵光宗") == ["zhao", "guang", "zong"]


def test_korean_hangul_romanised_towards_list_spelling() -> None:
    assert tokenize("김정은") == ["kim", "jong", "un"]


def test_japanese_kana() -> None:
    assert tokenize("バラク・オバマ") == ["baraku", "obama"]


def test_abjad_tokens_are_flagged() -> None:
    tokens, flags, _ = tokenize_full("محمد علي")
    assert tokens == ("mhmd", "aly")  # a word opening on ain (or alef) opens on a vowel
    assert all(flags)
    assert not any(tokenize_full("Mohamed Ali")[1])


def test_katakana_tokens_are_flagged_vowel_less() -> None:
    # katakana adds vowels a Latin spelling lacks ("baraku" for Barack)
    tokens, flags, _ = tokenize_full("バラク・オバマ")
    assert tokens == ("baraku", "obama")
    assert all(flags)


def test_han_and_hangul_tokens_keep_their_characters() -> None:
    assert tokenize_full("赵光宗")[2] == ("赵", "光", "宗")
    assert tokenize_full("김정은 Kim")[2] == ("김", "정", "은", "")


def test_phonetic_key_groups_transliteration_variants() -> None:
    assert phonetic_key("mohammed") == phonetic_key("muhammad") == phonetic_key("mohamed")
    assert phonetic_key("osama") == phonetic_key("usama")
    assert phonetic_key("ahmadinejad") == phonetic_key("ahmadinezhad")
    assert phonetic_key("putin") != phonetic_key("pulin")


def test_skeleton_matches_vowelless_romanisation() -> None:
    assert skeleton("mohamed") == skeleton("mhmd")
    assert skeleton("moshe") == skeleton("msh")


def test_normalize_text_joins_tokens() -> None:
    assert normalize_text("Wuhan Xiaoruizhi Science & Technology Co., Ltd.") == (
        "wuhan xiaoruizhi science and technology co ltd"
    )


def test_stored_chinese_syllable_table_is_what_pypinyin_gives() -> None:
    from service.screening.chinese import table_from_pypinyin
    from service.screening.pinyin_syllables import SYLLABLES

    # If this fails after a pypinyin upgrade: service.screening.chinese.write_table()
    assert SYLLABLES == table_from_pypinyin()
    assert SYLLABLES["hsi"] == ("xi",) and "zhong" in SYLLABLES["chung"]


def test_screening_latin_names_does_not_load_pypinyin() -> None:
    import subprocess
    import sys

    code = ("import sys; from service.screening import ScreeningIndex, ListedEntity, Subject;"
            "i = ScreeningIndex.build([ListedEntity(entity_id=1, type='person', name='MAO, Zedong', names=[])]);"
            "assert i.screen(Subject(name='Mao Tse-tung'));"
            "print('pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_phonetic_key_folds_german_and_english_spellings_of_ch_sh_j() -> None:
    from service.screening.keys import phonetic_key

    assert phonetic_key("makarevitch") == phonetic_key("makarevich")
    assert phonetic_key("nikolaevitsch") == phonetic_key("nikolaevich")
    assert phonetic_key("schulze") == phonetic_key("shulze")
    assert phonetic_key("dschamil") == phonetic_key("jamil")
    assert phonetic_key("chekhov") != phonetic_key("kekhov")  # "ch" is not "k"


def test_a_stray_latin_i_in_cyrillic_words_is_read_as_cyrillic() -> None:
    # Ukrainian and Belarusian "і" typed on a Latin layout: the words stay Cyrillic (and
    # the all-look-alike word beside them, "Рустам", is not folded to "pyctam").
    assert tokenize("Рустам Iльмирович ТЕМIРГАЛIЄВ")[:2] == ["rustam", "ilmirovich"]
    assert tokenize("Андрэй Iванавiч ШВЕД") == tokenize("Андрэй Іванавіч ШВЕД")
    # A Latin word with a Cyrillic look-alike still folds to Latin.
    assert tokenize("Vl\u0430dimir Putin") == ["vladimir", "putin"]


def test_an_arabic_word_opening_on_alef_or_ain_opens_on_a_vowel() -> None:
    assert tokenize("أحمد احمد عمر إبراهيم") == ["ahmd", "ahmd", "amr", "abrhym"]
    # Not alef before lam: the article (joined to its word) and "الياس" keep their "l".
    assert tokenize("العبيدي الياس") == ["lbydy", "lys"]
    assert tokenize("حميد")[0] == "hmyd"


def test_keys_collapse_doubled_letters_and_fold_only_where_their_letters_are() -> None:
    assert collapse_doubles("mohammed") == "mohamed"
    assert collapse_doubles("aaabbba") == "aba"
    assert collapse_doubles("") == ""
    assert skeleton("muhammad") == skeleton("mohamed") == "mhmd"
    assert slavic_key("serhiy") == slavic_key("sergei")
    assert slavic_key("jurij") == slavic_key("yuriy")
    assert cedilla_reading("faycal") == "faysal"
    assert cedilla_reading("karim") is None


def test_alternative_names_of_a_field() -> None:
    from service.screening.normalize import alternative_names

    assert alternative_names("Ivan Petrov") == []
    assert alternative_names("حسن غول (Hassan Ghul; Hasan Gul)") == ["حسن غول", "Hassan Ghul", "Hasan Gul"]
    assert alternative_names("Amir Khazmat (original script: Амир Хазмат)") == ["Amir Khazmat", "Амир Хазмат"]
    assert alternative_names("Acme Ltd (formerly Foo Ltd)") == ["Acme Ltd", "Foo Ltd"]
    assert alternative_names("X Holding; Y Trading") == ["X Holding", "Y Trading"]
    # An unclosed bracket is no list of alternatives.
    assert alternative_names("Foo (bar") == []
    # A long list costs a bounded number of screenings.
    many = alternative_names(";".join(f"name{i}" for i in range(200)))
    assert many == [f"name{i}" for i in range(8)]


def test_han_is_found_by_code_point_range_at_every_edge() -> None:
    # has_han searches a regex class built from HAN_RANGES; script_of tests the ranges one by one.
    from service.screening.translit import HAN_RANGES, has_han, script_of

    for lo, hi in HAN_RANGES:
        for cp in (lo - 1, lo, hi, hi + 1):
            ch = chr(cp)
            assert has_han(f"Zhao {ch}") == (script_of(ch) == "han") == (lo <= cp <= hi), hex(cp)
    assert has_han("赵光宗") and has_han("Zhao 光") and not has_han("조광종") and not has_han("Жарко")
    assert not has_han("Zhao Guangzong")


def _regex_path(word: str) -> list[str]:
    """What tokenize's regular expressions make of one ASCII word (its path for every word
    before the shortcut for plain words)."""
    text = n._CAMEL.sub(" ", word).casefold().replace("&", " and ")
    text = n._APOSTROPHES.sub("", text)
    text = n._INITIALISM.sub(lambda m: m.group(1).replace(".", ""), text)
    return [part for part in n._NON_ALNUM.split(text) if part]


def test_plain_words_tokenize_as_the_regular_expressions_do() -> None:
    # The shortcut takes letters and digits in one case or capitalised; these words come in
    # every casing, so most go the long way and some (camel case, "Mc") are split by it.
    rng = random.Random(3)
    words = ["McKesson", "MacDonald", "DeMarco", "iPhone", "JOHN", "Smith", "smith", "A1b", "B52S", "4th",
             "Ltd", "LTD", "AbC", "aBc", "X", "x", "ÅSA"]
    for _ in range(20_000):
        letters = "".join(rng.choice("aAbBcCmMzZ019") for _ in range(rng.randrange(1, 8)))
        words.append(rng.choice([letters, letters.lower(), letters.upper(), letters.capitalize(),
                                 "Mc" + letters.capitalize()]))
    for word in words:
        if word.isascii():
            assert list(tokenize_uncached(word)[0]) == _numbers(_regex_path(word)), word


def test_printable_text_loses_nothing_and_invisible_characters_go() -> None:
    assert strip_invisible("Zhao Guangzong") == "Zhao Guangzong"
    assert strip_invisible("Ali\u200bBaba\u00adCo") == "AliBabaCo"  # zero-width space, soft hyphen (Cf)
    assert strip_invisible("Ali\tBaba\u0085Co") == "Ali Baba Co"  # tab, NEL: separators on screen
    assert strip_invisible("foo\u00a0bar\u2028baz") == "foo\u00a0bar\u2028baz"  # not "Other": kept
