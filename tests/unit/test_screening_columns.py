"""The index's flat columns (service.screening.columns) and the dropping of the engine's query
caches before a fork (service.screening.collector)."""

from __future__ import annotations

from service.screening import ListedEntity, ListedName, ScreeningIndex, Subject
from service.screening.chinese import _tables, pinyin_readings
from service.screening.collector import drop_query_caches
from service.screening.columns import EntityTable, NameColumn, TextColumn


def test_a_text_column_gives_back_every_string_as_stored() -> None:
    col = TextColumn()
    texts = ["", "Zhao Guangzong", "赵光宗", "محمد علي", "a\udc80b", "𝔘nicode"]  # a lone surrogate too
    assert [col.append(t) for t in texts] == list(range(len(texts)))
    assert [col[i] for i in range(len(col))] == texts


def test_an_entity_table_row_is_its_latest_and_removal_forgets_it() -> None:
    names = NameColumn()
    for n in (ListedName("ACME LTD"), ListedName("Acme Limited", "aka"), ListedName("ACME LTD"),
              ListedName("Other", "fka")):
        names.append(n)
    table = EntityTable(names)
    table.add(7, "ACME LTD", "org", (), frozenset({"GB"}), (("lei", "X1", None),), ("OFAC:1", "UK:2"), 0, 2, 0)
    rec = table.get(7)
    assert rec is not None and (rec.name, rec.cls, rec.references, list(rec.name_ids)) == (
        "ACME LTD", "org", ("OFAC:1", "UK:2"), [0, 1])
    assert rec.identifiers == (("lei", "X1", None),) and rec.countries == frozenset({"GB"})
    # Replaced: the new row answers; a name no slot holds is kept apart.
    table.add(7, "Acme Group", "org", ("1970",), frozenset({"GB"}), (), (), 2, 2, -1)
    rec2 = table.get(7)
    assert rec2 is not None and (rec2.name, rec2.birth_dates, rec2.identifiers, rec2.references) == (
        "Acme Group", ("1970",), (), ())
    assert rec2.countries is rec.countries  # held once
    assert names[3] == ListedName("Other", "fka") and names.kind(1) == "aka"
    assert len(table) == 1 and table.remove(7) == range(2, 4) and table.get(7) is None and 7 not in table
    assert table.remove(7) is None


def test_screening_reports_the_record_as_listed() -> None:
    entity = ListedEntity(entity_id=5, type="person", name="SIDOROV, Ivan", references=["OFAC:5", "UK:RUS0001"],
                          names=[ListedName("Vanya Sidorov", "aka")], countries=["RU"], birth_dates=["1970-01-02"])
    idx = ScreeningIndex.build([entity])
    m = idx.screen(Subject(name="Ivan Sidorov", birth_date="1970-01-02"))[0]
    assert (m.entity_id, m.name, m.references) == (5, "SIDOROV, Ivan", ["OFAC:5", "UK:RUS0001"])


def test_dropping_the_query_caches_keeps_the_loaded_tables() -> None:
    pinyin_readings("tsetung")
    _tables()
    assert pinyin_readings.cache_info().currsize > 0
    assert drop_query_caches() > 0
    assert pinyin_readings.cache_info().currsize == 0
    assert _tables.cache_info().currsize == 1  # loaded once, shared by a server's workers
    assert pinyin_readings("tsetung")  # and the engine still answers


def test_the_row_map_agrees_with_a_dict_whatever_the_ids() -> None:
    import random

    from service.screening.columns import _RowMap

    rng = random.Random(7)
    rows, model = _RowMap(), {}
    for step in range(20_000):
        # Dense ids mostly, some far beyond the count and some negative.
        key = rng.choice([rng.randrange(3000), rng.randrange(10**9), -rng.randrange(1, 50)])
        row = -1 if rng.random() < 0.2 else step
        rows.set(key, row)
        if row >= 0:
            model[key] = row
        else:
            model.pop(key, None)
        if step % 997 == 0:
            assert len(rows) == len(model)
            assert all(rows.get(k) == v for k, v in model.items())
    assert len(rows) == len(model) and all(rows.get(k) == v for k, v in model.items())
    assert rows.get(10**12) == -1 and rows.get(-10**12) == -1
