"""An index built from parts whose names were prepared elsewhere (and pickled on the way, as
from the build's helper process) is the index one process builds alone: the same tokens,
slots, vocabulary and postings, and the same matches."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.index import PreparedPart, prepare_part, prepared_slots, tok_fields
from service.screening.tokens import Tok


def varied_entities() -> list[ListedEntity]:
    """Names of every kind the build treats apart: Han names (their Japanese reading is a slot
    of its own), a company written as one word (indexed with other spacings too), a name both
    weak and strong, repeated names, other scripts, a name with no tokens at all."""
    return [
        ListedEntity(1, "person", "ZHAO, Guangzong", [ListedName("ZHAO, Guangzong"),
                                                      ListedName("赵光宗", "original_script")],
                     birth_dates=["1985-05-09"], countries=["CN"],
                     identifiers=[("passport", "E 1234-5678", "CN")], references=["OFAC:1"]),
        ListedEntity(2, "person", "YAMADA Taro", [ListedName("山田太郎", "original_script"),
                                                  ListedName("Yamada Taro", "aka")], references=["UK:2"]),
        ListedEntity(3, "company", "SOLTECHLIMITED", [], references=["OFAC:3"]),
        ListedEntity(4, "company", "Wuhan Xiaoruizhi Science and Technology Co., Ltd.",
                     [ListedName("Wuhan XRZ", "weak_alias"), ListedName("Wuhan XRZ", "aka"),
                      ListedName("武汉晓睿智科技有限责任公司", "original_script")], countries=["CN"]),
        ListedEntity(5, "person", "Иван Петрович СИДОРОВ", [ListedName("Ivan Petrovich SIDOROV", "aka"),
                                                            ListedName("Иван Петрович СИДОРОВ", "aka")]),
        ListedEntity(6, "person", "محمد علي", [ListedName("Mohammad Ali", "aka")], birth_dates=["1970"]),
        ListedEntity(7, "vessel", "OCEAN STAR", []),
        ListedEntity(8, "person", "---", []),
        ListedEntity(9, "person", "Kim Min-jun", [ListedName("김민준", "original_script")]),
        ListedEntity(10, "organization", "Islamic Revolutionary Guard Corps", [ListedName("IRGC", "aka")]),
        ListedEntity(11, "person", "ZHAO, Guangzong", [ListedName("Zhao Guang Zong", "aka")]),
    ]


def fingerprint(index: ScreeningIndex) -> dict[str, Any]:
    vocab = index._retrieval.vocab
    return {
        "tokens": list(index._toks.values),  # compared whole: every field of every token
        "slot tokens": (list(index._slot_tok), list(index._slot_tok_start)),
        "slots": (list(index._slot_eid), bytes(index._slot_cls), bytes(index._slot_flags),
                  [(n.name, n.kind) for n in (index._slot_names[i] for i in range(len(index._slot_names)))]),
        "vocabulary": (list(vocab.texts), [list(p) for p in vocab.postings]),
        "entities": [(i.entity_id, i.name, i.cls, i.birth_dates, sorted(i.countries), i.identifiers,
                      i.references, i.first_slot, i.slots)
                     for i in (index._entities.get(eid) for eid in index._entities.ids()) if i is not None],
    }


QUERIES = ["Zhao Guangzong", "山田太郎", "Soltech Limited", "Wuhan XRZ", "Ivan Sidorov", "Mohammed Ali",
           "Ocean Star", "Kim Minjun", "IRGC", "赵光宗"]


def matches(index: ScreeningIndex) -> list[list[tuple[int, float, str]]]:
    return [[(m.entity_id, m.score, m.matched_name) for m in index.screen(Subject(name=q), threshold=0.7)]
            for q in QUERIES]


def test_parts_prepared_elsewhere_or_here_build_the_same_index():
    entities = varied_entities()
    alone = ScreeningIndex.build(entities)
    # Parts from the helper process travel pickled; those the build takes do not.
    parts = [pickle.loads(pickle.dumps(prepare_part(entities[:4]))), prepare_part(entities[4:6]),
             pickle.loads(pickle.dumps(prepare_part(entities[6:])))]
    assert isinstance(parts[0], PreparedPart)
    built = ScreeningIndex.build_parts(parts)
    assert fingerprint(built) == fingerprint(alone)
    assert matches(built) == matches(alone)
    assert any(ms for ms in matches(alone))  # the comparison is of something


def test_a_token_travels_as_all_its_fields():
    # A field added to Tok and not to tok_fields would be lost on the way from the helper.
    toks = [t for _, toks, _ in prepared_slots(varied_entities()[0]) for t in toks]
    assert toks
    for t in toks:
        assert len(tok_fields(t)) == len(dataclasses.fields(Tok))
        assert Tok(*tok_fields(t)) == t


def test_a_part_numbers_its_distinct_tokens_once():
    part = prepare_part(varied_entities())
    assert len(part.tokens) == len(set(part.tokens))  # each distinct token once
    used = [i for slots in part.slots for _, numbers, _ in slots for i in numbers]
    assert set(used) == set(range(len(part.tokens)))
    assert len(used) > len(part.tokens)  # names share tokens ("ZHAO, Guangzong" is listed twice)
    # The Japanese reading of 山田太郎 is a slot of its own, marked as such.
    yamada = part.slots[1]
    assert [reading for _, _, reading in yamada].count(True) == 1
