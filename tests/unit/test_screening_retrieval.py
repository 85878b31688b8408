"""Retrieval finds what the scorer accepts: the pruning estimate, spacing-free keys,
the vocabulary's skeleton and article lookups, and long legal forms."""

from __future__ import annotations

import pytest

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.companies import unglued
from service.screening.estimate import Coverage, QueryWeights
from service.screening.retrieval import query_probes
from service.screening.score import score_pair
from service.screening.tokens import DIGIT, INITIAL, NORMAL, Tok
from service.screening.types import DEFAULT_THRESHOLD
from service.screening.vocabulary import JOINED

CASES = [
    # Fuzzy words two or three edits apart, found by their consonant skeleton.
    ("Olaf Schulze", "Olaf Scholz", "person"),
    ("Aleksandr Viktorovich Uss", "USS, Alexander Viktorovich", "person"),
    # German spelling of a patronymic.
    ("Boris Romanovitsch Paykin", "PAYKIN, Boris Romanovich", "person"),
    # Split and joined words, of any kind (generic words too).
    ("Bank Sepah Inter National Plc", "BANK SEPAH INTERNATIONAL PLC", "company"),
    ("Iran Petro Chemical Commercial Company", "IRAN PETROCHEMICAL COMMERCIAL COMPANY", "company"),
    ("Sol Tech Industry Co., Ltd.", "SOLTECH INDUSTRY CO., LTD.", "company"),
    ("Mohammadhossein Haghighian", "HAGHIGHIAN, Mohammad Hossein", "person"),
    # Arabic script with the article read into the word.
    ("منير القبيسي", "AL-QUBAYSI, Munir", "person"),
    # ... also a three-letter word ("الأسد" read "lsd" is al-Assad).
    ("بشار حافظ الأسد", "AL ASSAD, Bashar Hafez", "person"),
    # ... whose word without the article is only a skeleton away from the listed word.
    ("غالب عبدالله الزيدي", "AL-ZAIDI, Ghalib Abdullah", "person"),
    # French romanisation of Arabic: ج as "dj", س before e/i as "c".
    ("جمال لونيسي", "LOUNICI, Djamel", "person"),
    # A patronymic is looked up fuzzily although it weighs little.
    ("Lev Igorevitsch Kovpak", "KOVPAK, Lev Igorevich", "person"),
    # Caron letters written without accents: "šč" arrives as "sc", the list writes "shch".
    ("Pavel Kaniščev", "KANISHCHEV, Pavel", "person"),
    # Ukrainian against Russian romanisation, one letter apart in the Slavic key.
    ("Yevhen Manuilov", "MANUILOV, Yevgeny", "person"),
    # A short Arabic-script given name, connected by its one-consonant skeleton.
    ("علی اسفنجانی", "ESFANJANI, Ali", "person"),
    # A query word that is a listed word one letter from another: its split is tried too.
    ("Repuestos Elnato Y Cia Ltda.", "REPUESTOS EL NATO Y CIA LTDA.", "company"),
    # Persian ق read "q" where the list writes "gh"; an Arabic-script word that reads like
    # an English title ("عامر" reads "mr") is a name.
    ("سعید آقاجانی", "AGHAJANI, Saeed", "person"),
    ("عامر فوز", "FOZ, Amer", "person"),
    # Two words of one reading joined (the Persian one: ث read "s", "sn" + "llh" is Sanaullah).
    ("ثناء اللہ غفاری", "GHAFARI, Sanaullah", "person"),
    # Three words joined ("Abd Al Rahman" is the listed "Abdulrahman").
    ("Abd Al Rahman Tikriti", "TIKRITI, Abdulrahman", "person"),
    # A title word inside a name is a name ("Dona" of Cardona); a split word in a long name;
    # words joined across a stop word, legal forms aside.
    ("Mayela Car Dona Martinez", "CARDONA MARTINEZ, Mayela", "person"),
    ("Kaifeng Ping Mei New Carbon Materials Technology Co., Ltd.",
     "KAIFENG PINGMEI NEW CARBON MATERIALS TECHNOLOGY CO., LTD.", "company"),
    ("Taliband Sons Pty Ltd", "TALIB AND SONS PTY LTD", "company"),
    ("Galapagos S.A.", "GALAPAGOS S.A", "company"),
    # French ç written without its cedilla: "Faycal" is فيصل.
    ("فيصل حداد", "HADDAD, Faycal", "person"),
    # An initial pairs with any listed word of its letter.
    ("V. Nazarbayev", "NAZARBAYEV, Vladimir", "person"),
    # Long spellings of legal forms.
    ("Ltd Liability Company UNITED ARCTIC COMPANY", "UNITED ARCTIC COMPANY LLC", "company"),
    ("PETROGAT Free Zone Establishment", "PETROGAT FZE", "company"),
    # A split word in a name too long to try every join (fourteen words, one loose on each side).
    ("Federal State Governmental Institution 223 Flight Unit State Air Lines Of The Ministry Of "
     "Defense Of The Russian Federation", "FEDERAL STATE GOVERNMENTAL INSTITUTION 223 FLIGHT UNIT STATE "
     "AIRLINES OF THE MINISTRY OF DEFENSE OF THE RUSSIAN FEDERATION", "company"),
    # A company name repeating a word keeps both: the second one joins its neighbour.
    ("Empresa De Turismo Nacional Y Inter Nacional", "EMPRESA DE TURISMO NACIONAL Y INTERNACIONAL", "company"),
    ("Estacion De Servicio Serviagricola Del Ari Ari", "ESTACION DE SERVICIO SERVIAGRICOLA DEL ARIARI", "company"),
    # ... and is also read once, where the source wrote a word twice (the first cut off).
    ("Научно-ис Научно-исследовательский технологический институт имени А. П. Александрова",
     "FEDERALNOE GOSUDARSTVENNOE UNITARNOE PREDPRIIATIE NAUCHNO ISSLEDOVATELSKII TEKHNOLOGICHESKII "
     "INSTITUT IMENI A P ALEKSANDROVA", "company"),
    ("MAVASAL IMPEXPRIVATE LIMITED", "MAVASAL IMPEX PRIVATE LIMITED", "company"),
    # A legal form or number word glued to the name, at either end, on either side.
    ("Soltechlimited", "SOLTECH LIMITED", "company"),
    ("Oooromashka", "OOO ROMASHKA", "company"),
    ("GOODFORWARDING DOOBEOGRAD", "GOODFORWARDING DOO BEOGRAD", "company"),
    ("Corporacioncimex S.a.", "CORPORACION CIMEX S.A.", "company"),
    ("Inkuortynfive Srl", "INKUORTYN FIVE SRL", "company"),
    ("Sky Oneconstruction Company Limited", "SKY ONE CONSTRUCTION COMPANY LIMITED", "company"),
    ("Limited Liability Company Three Agro", "LIMITED LIABILITY COMPANY THREEAGRO", "company"),
]


def test_only_glued_legal_forms_and_number_words_are_split_off() -> None:
    assert unglued(["soltechlimited", "romashkaooo", "cimexcorporation"]) == [
        "soltech", "limited", "romashka", "ooo", "cimex", "corporation"]
    # Ordinary word endings and beginnings that spell a short form or number stay whole.
    for word in ("hollywood", "arkansas", "perhaps", "livingstone", "saratov", "incline", "spartak",
                 "companion", "cooperative", "fortune", "tencent", "seventeen"):
        assert unglued([word]) is None, word


@pytest.mark.parametrize(("query", "listed", "type_"), CASES)
def test_index_returns_what_the_scorer_accepts(query: str, listed: str, type_: str) -> None:
    assert score_pair(query, listed, type_) >= DEFAULT_THRESHOLD
    index = ScreeningIndex.build([ListedEntity(1, type_, listed, [ListedName(listed)])])
    found = index.screen(Subject(query, type_))
    assert found and found[0].match, (query, listed)


def test_despaced_key_ignores_spacing_among_many_names() -> None:
    ents = [ListedEntity(i, "company", f"SOL{i} TRADING LLC", []) for i in range(300)]
    ents.append(ListedEntity(999, "company", "SOLTECH INDUSTRY CO., LTD.", []))
    index = ScreeningIndex.build(ents)
    assert index.screen(Subject("Sol Tech Industry Co Ltd", "company"))[0].entity_id == 999


def test_common_given_name_does_not_crowd_out_the_target() -> None:
    # Many names share the common words; the adaptive budget still scores the target.
    ents = [ListedEntity(i, "person", f"MEHDI, Ali {c}", []) for i, c in
            enumerate(f"{a}{b}{c}" for a in "bcdfg" for b in "aeiou" for c in "klmnr")]
    ents.append(ListedEntity(999, "person", "MEHDI, Ali", []))
    index = ScreeningIndex.build(ents)
    assert 999 in [m.entity_id for m in index.screen(Subject("Ali Mehdi", "person")) if m.match]


def test_a_larger_limit_scores_more_names() -> None:
    # Sixty entities named alike, each with two aliases: limit 10 scores the default budget,
    # limit 60 asks for every one of them and gets them, as the exhaustive scan does.
    ents = [ListedEntity(i, "person", f"RAHMAN, Abdul {s}", [ListedName(f"ABDUL RAHMAN {s}", "aka"),
                                                            ListedName(f"ABDULRAHMAN {s}", "aka")])
            for i, s in enumerate(_surnames(60))]
    index = ScreeningIndex.build(ents)
    subject = Subject("Abdul Rahman", "person")
    wide = {m.entity_id for m in index.screen(subject, limit=60) if m.match}
    assert wide == {m.entity_id for m in index.screen_exhaustive(subject, limit=60) if m.match}
    assert len(wide) > 30
    assert len(index.screen(subject, limit=10)) == 10


def _surnames(n: int) -> list[str]:
    return [f"{a}{b}{c}{d}{e}OV" for a in "BDKMPRST" for b in "AEIOU" for c in "KLMNRST" for d in "AEIOU"
            for e in "BKT"][:n]


def test_a_common_spelling_of_the_query_word_does_not_lift_every_name_with_it() -> None:
    # "al" (a nickname of Alexander, and the Arabic article) is in more names than retrieval
    # walks; it must not count as a second matched word for each "X, Alexander".
    surnames = _surnames(2100)
    ents = [ListedEntity(i, "person", f"AL-{s}, Hassan", []) for i, s in enumerate(surnames[:2050])]
    ents += [ListedEntity(5000 + i, "person", f"{s}, Alexander", []) for i, s in enumerate(surnames[2050:])]
    ents.append(ListedEntity(999, "person", "SOBOL, Alexander Ivanovich", []))
    index = ScreeningIndex.build(ents)
    found = index.screen(Subject("Alexander Sobol", "person"))
    assert found and found[0].entity_id == 999 and found[0].match


def test_a_joined_probe_does_not_count_a_word_its_part_found() -> None:
    # "abdul" + "al" joined finds "abdul" again: counted for both parts, every "X, Abdul"
    # would estimate as a full match and crowd out the target.
    ents = [ListedEntity(i, "person", f"{s}, Abdul", []) for i, s in enumerate(_surnames(60))]
    ents.append(ListedEntity(999, "person", "AL-DAKHIL, Abdul Rehman", []))
    index = ScreeningIndex.build(ents)
    assert 999 in [m.entity_id for m in index.screen(Subject("Abdul Al-dakhil", "person")) if m.match]


@pytest.mark.parametrize(("long", "short"), [
    ("Free Zone Establishment", "FZE"),
    ("Ltd Liability Company", "LLC"),
    ("Sociedad Anonima de Capital Variable", "SA de CV"),
    ("Private Joint Stock Company", "JSC"),
    # Russian state and municipal unitary enterprises, in English, transliterated, Cyrillic.
    ("Federal State Unitary Enterprise", "FGUP"),
    ("Federalnoe Gosudarstvennoe Unitarnoe Predpriyatie", "FSUE"),
    ("Федеральное государственное унитарное предприятие", "FGUP"),
    ("Municipal Unitary Enterprise", "MUP"),
    # Western European forms written out, with or without their accents.
    ("Societe a Responsabilite Limitee", "SARL"),
    ("Société à responsabilité limitée", "S.A.R.L."),
    ("Gesellschaft mit beschraenkter Haftung", "GmbH"),
    ("Societa a Responsabilita Limitata", "S.r.l."),
    ("Sociedade Anonima", "S.A."),
    ("Besloten Vennootschap", "B.V."),
    ("Aktiebolag", "AB"),
    ("Osakeyhtiö", "Oy"),
])
def test_long_and_short_legal_forms_compare_equal(long: str, short: str) -> None:
    assert score_pair(f"Zarvoka {long}", f"Zarvoka {short}", "company") == 1.0


def test_the_index_finds_a_company_whose_legal_form_the_query_writes_out() -> None:
    # The index folds legal forms by the scorer's table: the long form finds the short one
    # among many companies of that form.
    ents = [ListedEntity(i, "company", f"{s} TRADE S.A.R.L.", []) for i, s in enumerate(_surnames(60))]
    ents.append(ListedEntity(999, "company", "METAL & MINERAL TRADE S.A.R.L.", []))
    index = ScreeningIndex.build(ents)
    found = index.screen(Subject("Societe a Responsabilite Limitee Metal and Mineral Trade", "company"))
    assert found and found[0].entity_id == 999 and found[0].match


def test_exhaustive_screen_scores_every_name_the_same_way() -> None:
    ents = [
        ListedEntity(1, "person", "MEHDI, Ali", []),
        ListedEntity(2, "person", "GIUSEPPE ROSSI", [ListedName("GIUSEPPE", "weak_alias")]),
        ListedEntity(3, "company", "SOLTECH INDUSTRY CO., LTD.", []),
    ]
    index = ScreeningIndex.build(ents)
    for subject in (Subject("Ali Mehdi", "person"), Subject("Giuseppe Verdi", "person"),
                    Subject("Sol Tech Industry", "company"), Subject("Giuseppe")):
        screened = [(m.entity_id, m.score, m.match) for m in index.screen(subject)]
        assert screened == [(m.entity_id, m.score, m.match) for m in index.screen_exhaustive(subject)]
    # The weak alias counts only as the whole query, in the exhaustive scan too.
    assert not [m for m in index.screen_exhaustive(Subject("Giuseppe Verdi", "person")) if m.match]


def test_a_query_word_counts_once_in_a_name_holding_several_of_its_spellings() -> None:
    # "Mohammad" finds mohammed, muhammad, mohamed ...: a name made of three of them is one
    # matched word for the estimate, as for the scorer, or such names crowd out the target.
    spellings = ["MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMAD", "MUHAMED"]
    ents = [ListedEntity(i, "person", f"{a}, {b} {c}", [])
            for i, (a, b, c) in enumerate((a, b, c) for a in spellings for b in spellings for c in spellings
                                          if len({a, b, c}) == 3)]
    ents.append(ListedEntity(999, "person", "SADIQ, Mohammad Hamdi Ahdal", []))
    index = ScreeningIndex.build(ents)
    assert 999 in [m.entity_id for m in index.screen(Subject("Mohammad Hamdi Sadiq", "person")) if m.match]


def test_an_acronym_of_listed_words_reaches_the_estimate() -> None:
    # No lookup connects "us" with "United States": the words a name has left over may be it.
    ents = [ListedEntity(i, "company", f"{s} TRADING LLC", []) for i, s in enumerate(_surnames(40))]
    ents.append(ListedEntity(999, "company", "UNITED STATES DEPARTMENT OF STATE", []))
    index = ScreeningIndex.build(ents)
    assert 999 in [m.entity_id for m in index.screen(Subject("U.S. Department of State", "company")) if m.match]


def test_each_reading_of_the_query_is_estimated_on_its_own() -> None:
    # The scorer compares one reading at a time: here the one with only the generic words
    # translated ("company bank الخليج limited"). Estimated with the weight of the heaviest
    # reading (the romanised "shrkh bnk lkhlyj lmhdwdh"), the name was pruned.
    listed = "ALKHALEEJ BANK CO LTD"
    index = ScreeningIndex.build([ListedEntity(1, "company", listed, [ListedName(listed)])])
    found = index.screen(Subject("شركة بنك الخليج المحدودة", "company"))
    assert found and found[0].entity_id == 1 and found[0].match


def test_a_name_matching_a_light_reading_is_not_estimated_by_the_heaviest() -> None:
    # "黄河电子科技贸易发展有限公司" has a translated reading ("huang he electronics technology
    # trading development co ltd", generic words weighing little) beside the heavier
    # romanised ones ("huang he dian zi ke ji mao yi fa zhan"). The listed name matches the
    # translated one in full; against the heaviest reading's weight it looked half matched.
    listed = "HUANGHE ELECTRONICS TECHNOLOGY TRADING DEVELOPMENT CO., LTD."
    index = ScreeningIndex.build([ListedEntity(1, "company", listed, [])])
    found = index.screen(Subject("黄河电子科技贸易发展有限公司", "company"))
    assert found and found[0].entity_id == 1 and found[0].match


def test_coverage_counts_each_query_word_once_within_one_reading() -> None:
    # Two readings of one name: a listed name holding words of both aligns no more than
    # the better reading; a word found by several probes counts once; an initial counts.
    first = (Tok("hong", 1.0, NORMAL, False), Tok("kong", 1.0, NORMAL, False), Tok("x", 0.35, INITIAL, False))
    second = (Tok("xiang", 1.0, NORMAL, False), Tok("gang", 1.0, NORMAL, False))
    qw = QueryWeights(((),), (first, second))
    position = {"hong": 0, "kong": 1, "x": 2, "xiang": 3, "gang": 4}
    coverage = Coverage(qw, position)
    hong, kong, xiang = 1 << 0, 1 << 1, 1 << 3
    assert coverage.readings(hong | kong | xiang, False) == [(2.35, 0.0), (1.0, 1.0)]
    assert coverage.readings(hong | xiang, False) == [(1.35, 1.0), (1.0, 1.0)]
    assert coverage.readings(-1, False) == [(2.35, 0.0), (2.0, 0.0)]


def test_query_probes_join_adjacent_words_of_one_reading() -> None:
    # The query's words, then runs of two and three neighbours joined (each once, within a
    # reading as the scorer joins them), standing for all their parts; numbers are not joined.
    first = (Tok("sol", 1.0, NORMAL, False), Tok("tech", 1.0, NORMAL, False), Tok("industry", 0.4, NORMAL, False))
    second = (Tok("sol", 1.0, NORMAL, False), Tok("7", 0.5, DIGIT, False))
    qtoks = [first[0], first[1], first[2], second[1]]
    probes, bits, parts, position = query_probes(qtoks, QueryWeights(((),), (first, second)))
    assert [p.text for p in probes] == ["sol", "tech", "industry", "7", "soltech", "techindustry", "soltechindustry"]
    assert bits == [1, 2, 4, 8, 0b011, 0b110, 0b111]
    assert parts == {4: [0, 1], 5: [1, 2], 6: [0, 1, 2]}
    assert position == {"sol": 0, "tech": 1, "industry": 2, "7": 3}
    # A joined probe weighs as its heaviest part and is of its own kind.
    assert probes[5].weight == 1.0 and probes[5].kind == JOINED


def test_short_latin_skeletons_and_a_latin_l_find_nothing_of_their_own() -> None:
    from service.screening.vocabulary import Vocabulary

    vocab = Vocabulary()
    for word in ("eddy", "ayadi", "lavina", "qubaysi", "schulze"):
        vocab.token_id(word)

    def found(text: str, abjad: bool = False) -> set[str]:
        return {vocab.texts[tid] for tid, _ in vocab.matches(Tok(text, 1.0, NORMAL, abjad))}

    # "Lyudo" is no "l" + "yudo" (the article is read into a word only from Arabic script),
    # and the skeleton "ln" of "Alina" is one that hundreds of listed words share.
    assert found("lyudo") == set()
    assert "lavina" not in found("alina")
    # Arabic script read with its article: still found; a long Latin skeleton still looked up.
    assert "qubaysi" in found("lqbysy", abjad=True)
    assert "schulze" in found("scholz")


def test_another_spelling_of_a_common_word_is_looked_up() -> None:
    # Common words ("investment", "new") are looked up one letter off: found by no lookup,
    # the pruning estimate would count them unmatched and drop names the scorer accepts
    # (both scored 0.93-0.99 and were dropped before they were scored).
    ents = [ListedEntity(1, "company", "MEADOWBROOK INVESTMENTS LIMITED", []),
            ListedEntity(2, "company", "FEDERAL NEWS AGENCY LLC", []),
            ListedEntity(3, "company", "FEDERAL SECURITY SERVICE", [])]
    index = ScreeningIndex.build(ents)
    for query, target in (("Meadowbrook Investment Limited", 1), ("FEDERAL NEW AGENCY LLC", 2)):
        subject = Subject(query, "company")
        found = [m.entity_id for m in index.screen(subject) if m.match]
        assert found == [target] == [m.entity_id for m in index.screen_exhaustive(subject) if m.match]


def test_a_word_written_as_two_is_found_at_every_cut() -> None:
    # "medicaland" cuts into listed words twice; the name is made of the second cut.
    from service.screening.vocabulary import Vocabulary

    vocab = Vocabulary()
    for word in ("medica", "land", "medical", "and"):
        vocab.token_id(word)
    found = {vocab.texts[tid] for tid, _ in vocab.matches(Tok("medicaland", 1.0, NORMAL, False))}
    assert {"medical", "and"} <= found
    ents = [ListedEntity(1, "company", "TADBIR KISH MEDICAL AND PHARMACEUTICAL COMPANY", []),
            ListedEntity(2, "company", "MEDICA LAND TRADING", [])]
    index = ScreeningIndex.build(ents)
    subject = Subject("TADBIR KISH MEDICALAND PHARMACEUTICAL COMPANY", "company")
    assert [m.entity_id for m in index.screen(subject) if m.match] == [1]


def test_the_walk_budget_keeps_the_best_ranked_lists_first() -> None:
    from service.screening.retrieval import _best_lists

    def lookup(rank: float, df: int, probe: int) -> tuple[float, list[int], int, float, int]:
        return (rank, list(range(df)), df, 1.0, probe)

    rare_exact, common_fuzzy, mid, small = lookup(3.0, 900, 0), lookup(0.4, 5000, 1), lookup(1.0, 4000, 1), lookup(
        0.2, 100, 2)
    chosen = _best_lists([common_fuzzy, small, rare_exact, mid], 5000)
    # Best rank first while the entries fit; a later list that still fits is kept.
    assert chosen == [rare_exact, mid, small]
    # The best list is walked even when it alone is over the budget.
    assert _best_lists([common_fuzzy, rare_exact], 100) == [rare_exact]


def test_a_name_among_thousands_of_sound_alike_syllables_is_still_found() -> None:
    # Names made of short syllables ("shi", "si", "jing", "jin", "qing" ...) find dozens of
    # listed words each: the walk stops at a budget, and the listed name holding the query's
    # exact, rarest words must be among what it walks.
    from service.screening.prepare import readings
    from service.screening.retrieval import POSTINGS_FLOOR, WALK_ENTRIES

    syllables = ["shi", "si", "chi", "zhi", "she", "jing", "jin", "qing", "ming", "min", "mei", "mi",
                 "xing", "ling", "ping", "ding", "jiang", "qiang", "liang", "shu", "zhu", "chu", "lin", "yin"]
    entities = [ListedEntity(entity_id=i, type="person", names=[], name=" ".join(
        syllables[i // 24 ** k % 24] for k in range(3))) for i in range(1, 15_000)]
    entities.append(ListedEntity(entity_id=99_999, type="person", name="ISHII, Akemi Jingming", names=[]))
    index = ScreeningIndex.build(entities)
    query = "Akemi Ishii Jing Ming"
    vocab = index._retrieval.vocab
    lists = [len(vocab.postings[tid]) for reading in readings(query, "person") for tok in reading
             for tid, _ in vocab.matches(tok)]
    assert sum(df for df in lists if df <= POSTINGS_FLOOR) > WALK_ENTRIES  # the budget is reached
    found = index.screen(Subject(name=query, type="person"), limit=5)
    assert found and found[0].entity_id == 99_999 and found[0].match


def test_the_lookup_cache_keeps_the_words_that_recur(monkeypatch) -> None:
    """Least recently used out: a word looked up again and again ("youxian" of every 有限公司)
    stays while a stream of one-off words passes through."""
    from service.screening import vocabulary
    from service.screening.vocabulary import Vocabulary

    monkeypatch.setattr(vocabulary, "VOCAB_CACHE_SIZE", 3)
    vocab = Vocabulary()
    assert vocab.cache_size == 3
    for word in ("youxian", "gongsi", "zhang", "wei"):
        vocab.token_id(word)
    recurring = Tok("youxian", 1.0, NORMAL, False)
    first = vocab.matches(recurring)
    for once in ("gongsi", "zhang", "wei", "gongsy", "zhang"):
        assert vocab.matches(recurring) is first  # held: the same tuple, not looked up again
        vocab.matches(Tok(once, 1.0, NORMAL, False))
    assert vocab.matches(recurring) is first
    assert len(vocab._cache) == 3
    # The one-off words pushed each other out: the oldest of them is gone.
    assert ("gongsi", False, True, True) not in vocab._cache


def test_a_bulk_process_remembers_more_words(monkeypatch) -> None:
    from service.screening import vocabulary
    from service.screening.vocabulary import Vocabulary

    monkeypatch.setattr(vocabulary, "VOCAB_CACHE_SIZE", 2)
    monkeypatch.setattr(vocabulary, "BULK_VOCAB_CACHE_SIZE", 4)
    vocab = Vocabulary()
    words = ("alpha", "bravo", "charlie", "delta", "echo")
    for word in words:
        vocab.token_id(word)
    before = {word: vocab.matches(Tok(word, 1.0, NORMAL, False)) for word in words}
    assert len(vocab._cache) == 2
    vocab.for_bulk()
    after = {word: vocab.matches(Tok(word, 1.0, NORMAL, False)) for word in words}
    assert len(vocab._cache) == 4
    assert after == before  # what is remembered changes, not what is found


def test_top_is_heapq_nlargest_ties_in_insertion_order() -> None:
    import heapq
    import random

    from service.screening.retrieval import _top

    rng = random.Random(3)
    for _ in range(300):
        # Few distinct ranks, so that ties at the k-th rank are common.
        acc = {rng.randrange(10**6): float(rng.randrange(8)) for _ in range(rng.randrange(1, 400))}
        k = rng.randrange(1, 150)
        assert _top(acc, k) == heapq.nlargest(k, acc, key=acc.__getitem__)


def test_the_vocabulary_finds_every_listed_word_sharing_a_pinyin_reading() -> None:
    """Vocabulary._search tells token_sim that a listed word its query word's readings did not
    find shares no pinyin reading with it. That holds only if the readings find every such
    word: checked here against same_chinese_name over every pair, with the similarity each
    pair gets either way."""
    import random

    from service.screening.chinese import pinyin_readings, same_chinese_name
    from service.screening.pinyin_syllables import SYLLABLES
    from service.screening.tokens import token_sim_uncached
    from service.screening.vocabulary import Vocabulary

    rng = random.Random(13)
    syllables = sorted(SYLLABLES)
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(400)}
    words |= {"tsetung", "zedong", "hsueh", "xue", "chinping", "jinping", "garcia", "youxian", "yuhsien",
              "kuangtsung", "guangzong", "zhao", "chao", "ltd", "ali", "shin", "xin", "sin"}
    vocab = Vocabulary()
    for w in sorted(words):
        vocab.token_id(w)
    pairs = same = 0
    for q in sorted(words)[::3] + ["ts", "hsi", "yoo", "zzz"]:
        found: set[int] = set()
        for reading in pinyin_readings(q):
            vocab._chinese.get_into(hash(reading), found)
        for tid, w in enumerate(vocab.texts):
            shared = same_chinese_name(q, w)
            assert not shared or tid in found, (q, w)
            flag = None if tid in found else False
            assert token_sim_uncached(q, w, False, False, flag) == token_sim_uncached(q, w), (q, w)
            pairs += 1
            same += shared
    assert same > 100 and pairs > 40_000  # the check saw many pairs that do share a reading
