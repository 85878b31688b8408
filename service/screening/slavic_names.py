"""Ukrainian and Belarusian given names and the Russian names they are (Mykola is Nikolay,
Uladzimir is Vladimir, Olena is Yelena): cognates, not spellings of one another, so neither
edit distance nor a phonetic key connects them. Each line is one name in its usual
romanisations; the first spelling of each language is enough where the others differ only as
any spelling may (the scorer's spelling similarity and Slavic key take them from there).
Used with the ``nicknames`` package's English pairs (tokens.nickname_pairs), at NICKNAME_SIM.
"""

from __future__ import annotations

__all__ = ["EQUIVALENT_NAMES"]

_TABLE = """
nikolay nikolai | mykola | mikalai mikola
vladimir | volodymyr | uladzimir
aleksandr alexander | oleksandr | aliaksandr aleksandr
aleksey alexei aleksei | oleksiy oleksii | aliaksei
grigoriy grigory | hryhoriy hryhorii | ryhor
fyodor fedor | fedir | fiodar
yakov | yakiv | yakau
pyotr petr | petro | piotr
mikhail | mykhailo mykhaylo | mikhail mikhal
vasiliy vasily | vasyl | vasil
igor | ihor | ihar
ilya | illia illya | illia
yevgeniy yevgeny evgeny | yevhen yevhenii | yauhen
oleg | oleh | aleh
andrey andrei | andriy andrii | andrei
sergey sergei | serhiy serhii | siarhei
dmitriy dmitry | dmytro | dzmitry
yuriy yuri | yuriy yurii | yury yuras
pavel | pavlo | pavel paval
kirill | kyrylo | kiryl
maksim maxim | maksym | maksim
nikita | mykyta | mikita
bogdan | bohdan | bagdan
georgiy georgy | heorhiy heorhii | hieorhi
gennadiy gennady | hennadiy hennadii | hienadz
konstantin | kostiantyn kostyantyn | kanstantsin
vitaliy vitaly | vitaliy vitalii | vitali
anatoliy anatoly | anatoliy anatolii | anatol
valeriy valery | valeriy valerii | valery
viktor | viktor | viktar
vyacheslav | viacheslav vyacheslav | viachaslau
gleb | hlib | hleb
german | herman | herman
boris | borys | barys
denis | denys | dzianis
filipp | pylyp | pilip
timofey | tymofiy tymofii | tsimafei
semyon semen | semen | siamion
stepan | stepan | stsiapan
leonid | leonid | lieanid
yelena elena | olena | alena
olga | olha | volha
yekaterina ekaterina | kateryna | katsiaryna
natalya natalia | nataliya natalia | natallia
tatyana tatiana | tetiana tetyana | tatsiana
irina | iryna | iryna
anna | hanna | hanna
galina | halyna | halina
svetlana | svitlana | sviatlana
lyudmila | liudmyla lyudmyla | liudmila
larisa | larysa | larysa
yuliya yulia | yuliia yuliya | yulia
valentina | valentyna | valiantsina
vera | vira | vera
"""


def _pairs() -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for line in _TABLE.strip().splitlines():
        names = {n for part in line.split("|") for n in part.split()}
        out.update((a, b) for a in names for b in names if a != b)
    return frozenset(out)


#: (name, equivalent name) pairs, both orders.
EQUIVALENT_NAMES = _pairs()
