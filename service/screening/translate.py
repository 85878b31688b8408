"""The common words of organisation names in other languages, read in English.

Lists often carry an organisation under its English name only ("PRIVATE MILITARY COMPANY
REDUT", "LIBYAN ISLAMIC FIGHTING GROUP"), while a customer file writes it in its own
language ("ЧАСТНАЯ ВОЕННАЯ КОМПАНИЯ РЕДУТ", "الجماعة الاسلامية المقاتلة الليبية").
Transliteration cannot reach a translated word, so an organisation name in Cyrillic, Arabic
or Han script gets one more reading (``prepare.readings``) in which these words are read in
English and every other word is left as written (and transliterated as usual). Proper names
are never translated: a name such as "Новиков" is not "new".

The vocabulary is the most frequent words of organisation names on the OFAC list (legal forms
aside, which ``companies`` handles in every language), plus countries and nationalities, each
with its Russian, Ukrainian and Belarusian stem, its Arabic and Persian words and its Chinese
words (simplified and traditional). It was drawn from that frequency list, not from names a
bench missed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from anyascii import anyascii

from .companies import GENERIC_WORDS, GEO_WORDS, LEGAL_FORMS, STOP_WORDS, canonical_legal_forms
from .translit import HAN_RANGES

__all__ = ["translated_readings"]

# english (renderings a list may use apart by "/", "_" joining the words of one) | Cyrillic stems (an inflection ending of _ENDINGS may follow) | Arabic and Persian
# words (normalised as _arabic_key does; an article or a joined particle may precede) | Han.
_ROWS = """
and | и і | | 和
for | для | |
company | компани кампані | شركه شركت | 公司
co ltd | | | 有限公司 有限责任公司 有限責任公司 股份有限公司
limited | | محدوده |
general | | عام عامه |
bank | банк | بنك بانك مصرف | 银行 銀行
group | групп груп | مجموعه جماعه گروه | 集团 集團
trading/trade/commercial | торгов гандлёв | تجاره تجاري تجاريه بازرگاني | 贸易 貿易 商贸 商貿
international | международн міжнародн міжнародн | دولي دوليه | 国际 國際
shipping/shipping_lines/maritime | судоходн | شحن كشتيراني | 航运 航運 船务 船務
development | развити розвитк розвиц | تنميه توسعه | 发展 發展 开发 開發
plant/works/factory | завод | مصنع كارخانه | 工厂 工廠
research | исследовательск исследовани дослідн даследчы | بحوث ابحاث تحقيقات پژوهش پژوهشي | 研究
institute | институт інститут інстытут | معهد | 研究所 研究院
islamic | исламск ісламськ | اسلامي اسلاميه | 伊斯兰 伊斯蘭
state/government/governmental | государственн державн дзяржаўн | دوله دولت | 国家 國家 国有 國有
corporation | корпораци корпораці | | 总公司 總公司
concern | концерн | |
center/centre | центр | مركز | 中心
foundation | | بنياد | 基金会 基金會
technology/technologies | технологи технологі тэхналогі | تكنولوجيا تقنيه فناوري | 科技 技术 技術
management | управлени управлінн | اداره مديريت | 管理
organization/organisation | организаци організаці арганізацы | منظمه سازمان | 组织 組織
holding/holdings | холдинг | قابضه هلدينگ | 控股
engineering/engineers | инжиниринг инженерн інженерн | هندسه هندسيه مهندسي | 工程
production/manufacturing | производствен виробнич | انتاج توليد توليدي | 生产 生產
enterprise | предприяти підприємств прадпрыемств | | 企业 企業
investment/investments | инвестици інвестиці інвестыцы | استثمار استثمارات سرمايه | 投资 投資
exchange/exchanges | бирж біржа | صرافه صرافي | 交易所 兑换 兌換
money/currency | денежн грошов | اموال | 货币 貨幣
scientific/science | научн науков навуков | علمي علميه | 科学 科學
industrial/industry/industries | промышленн промислов прамысловы | صناعه صناعي صناعيه صنايع صنعتي | 工业 工業 实业 實業
public/social | общественн громадськ грамадск | عمومي | 公共
services/service | услуг сервис послуг | خدمات | 服务 服務
association | ассоциаци асоціаці асацыяцы | جمعيه انجمن | 协会 協會
bureau | бюро | مكتب |
design | конструкторск проектн | تصميم طراحي | 设计 設計
commercial | коммерческ комерційн камерцы | | 商业 商業
oil/petroleum | нефт нафт | نفط نفت | 石油
energy/power | энерг енерг энергет енергет | طاقه انرژي | 能源
committee | комитет комітет камітэт | لجنه كميته | 委员会 委員會
national | национальн національн нацыянальн | وطني وطنيه ملي | 民族
charitable/charity | благотворительн благодійн | خيريه خيري | 慈善
federal | федеральн федеральн | اتحادي فدرال | 联邦 聯邦
construction/building | строительн строительств будівельн будівництв | انشاءات عمران ساختمان | 建设 建設 建筑 建築
security/safety | безопасност безпек | امن امنيت | 安全
ship/vessel | судн корабл | سفينه سفن كشتي | 船舶
export | экспорт експорт | تصدير صادرات | 出口
import | импорт імпорт | استيراد واردات | 进口 進口
aviation/aircraft/air | авиаци авіаці авіяцы авиационн авіаційн авіяцыйн | طيران هواپيمايي | 航空
army | арми армі | جيش ارتش | 军队 軍隊
private | частн приватн | خاص خاصه خصوصي | 私营 私營 民营 民營
marine/maritime/sea | морск | بحري بحريه دريايي | 海洋 海运 海運
steel | стал | صلب فولاد | 钢铁 鋼鐵
central | центральн | مركزي | 中央
new | нов | جديد جديده |
capital | капитал капітал | | 资本 資本
defense/defence | оборон | دفاع دفاعي | 国防 國防
east | | شرق شرقي | 东方 東方
eastern | восточн східн усходн | | 东方 東方
fund | фонд | صندوق | 基金
military | военн військов ваенн | عسكري عسكريه نظامي | 军事 軍事
movement | движени рух | حركه جنبش نهضت | 运动 運動
electronics/electronic | электрон електрон | الكترونيات الكترونيك | 电子 電子
complex | комплекс | مجمع مجتمع | 综合 綜合
branch | филиал філі | فرع شعبه | 分公司
global | глобальн | عالمي جهاني | 全球
logistics | логистик логістик | لوجستيه لجستيك | 物流
factory/plant/works | фабрик | | 工厂 工廠
mining | горнодобывающ горнорудн гірничодобувн | تعدين معدني | 矿业 礦業
ministry | министерств міністерств | وزاره وزارت |
port | порт | ميناء بندر | 港口
republic | республик | جمهوريه جمهوري | 共和国 共和國
force/forces | сил | قوه قوات نيرو | 部队 部隊
ocean | океан | محيط اقيانوس | 远洋 遠洋
brigade | бригад | لواء كتيبه تيپ |
special | специальн спеціальн | ويژه | 特种 特種
people/popular/peoples | народн | شعب شعبي مردمي | 人民
gas | газ | غاز گاز | 天然气 天然氣
machinery/machine/machine_building | машин | الات ماشين | 机械 機械
repair/maintenance | ремонтн ремонт рамонтн | تصليح تعمير | 修理 维修 維修
agency | агентств | وكاله | 代理
university | университет університет універсітэт | جامعه دانشگاه | 大学 大學
chemical | химическ хімічн | كيميائي كيميائيه شيميايي | 化工 化学 化學
financial | финансов фінансов | مالي ماليه | 金融
credit | кредит | ائتمان اعتبار | 信贷 信貸
transport | транспорт | نقل | 运输 運輸
united | объединенн обьединенн об'єднан | متحده متحد | 联合 聯合
equipment | оборудовани обладнанн | معدات تجهيزات | 设备 設備
science | наук навук | علوم | 科学 科學
consulting | консалтинг | استشارات مشاوره | 咨询 諮詢
academy | академи академі | اكاديميه | 科学院 學院 学院
shipbuilding | судостроительн суднобудівн | | 造船
insurance | страхов | تامين بيمه | 保险 保險
business/works | бизнес бізнес | اعمال | 商务 商務
liberation | освобождени визволенн | تحرير ازادي | 解放
relief/aid | | اغاثه امداد | 救援
media | медиа медіа | اعلام رسانه | 传媒 傳媒 媒体 媒體
gold | золот | ذهب طلا | 黄金 黃金
front | фронт | جبهه | 阵线 陣線
federation | федераци федераці | | 联合会 聯合會
cement | цемент | اسمنت سيمان | 水泥
humanitarian | гуманитарн гуманітарн | انسانيه انساني | 人道
mechanical | механическ механічн | ميكانيكي | 机械 機械
north | северн північн | شمال شمالي | 北方
south | южн південн | جنوب جنوبي | 南方
west | западн західн | غرب غربي | 西方
gulf | залив | خليج | 海湾 海灣
nuclear | ядерн | نووي هسته |
physics | физик фізик | فيزياء فيزيك | 物理
party | парти парті | حزب |
tourism | туризм туристическ | سياحه گردشگري | 旅游 旅遊
project | проект | مشروع پروژه | 项目 項目
middle | средн | اوسط | 中东 中東
club | клуб | نادي باشگاه | 俱乐部 俱樂部
union | союз | اتحاد | 联盟 聯盟
corps | корпус | فيلق سپاه | 军团 軍團
division | дивизи | فرقه لشكر |
armed | вооруженн | مسلحه مسلح | 武装 武裝
resistance | сопротивлени | مقاومه مقاومت | 抵抗
information | информационн информаци інформаційн | معلومات اطلاعات | 信息 资讯 資訊
economic | экономическ економічн | اقتصادي اقتصاديه | 经济 經濟
intelligence | разведк розвідк | استخبارات | 情报 情報
guard | гвард | حرس پاسداران | 卫队 衛隊
education | образовани освіт | تعليم اموزش | 教育
cargo | грузов | | 货运 貨運
aerospace | аэрокосмическ аерокосмічн | هوافضا | 航天 航空航天
fighting/combat/combatant | боев бойов | مقاتله | 战斗 戰鬥
advanced | передов | متقدمه پيشرفته | 先进 先進
reconstruction | реконструкци реконструкці | اعمار بازسازي | 重建
radio | радио радіо | راديو | 无线电 無線電
medical | медицинск медичн | طبي پزشكي | 医疗 醫療
pharmaceutical | фармацевтическ фармацевтичн | دوائيه دارويي | 制药 製藥
modern | современн сучасн | حديث حديثه | 现代 現代
technical | техническ технічн | فني فنيه | 技术 技術
electric | электрическ електричн | كهرباء | 电力 電力
star | звезд | نجم ستاره |
sea | мор | بحر دريا |
venture | венчурн | | 创投 創投
hong kong | гонконг | هونغ كونغ | 香港
moscow | московск москв | موسكو | 莫斯科
russian | российск русск російськ расійск | روسي روسيه | 俄罗斯 俄羅斯
russia | росси росі | روسيا | 俄国 俄國
iranian | иранск іранськ | ايراني ايرانيه | 伊朗
iran | иран іран | ايران | 伊朗
syrian | сирийск сирійськ | سوري سوريه | 叙利亚 敘利亞
iraq | ирак ірак | عراق | 伊拉克
iraqi | иракск іракськ | عراقي عراقيه | 伊拉克
lebanon | ливан | لبنان | 黎巴嫩
libyan | ливийск лівійськ | ليبي ليبيه | 利比亚 利比亞
yemen | йемен ємен | يمن | 也门 也門
afghan | афганск афганськ | افغاني افغان | 阿富汗
pakistan | пакистан | باكستان پاكستان | 巴基斯坦
palestinian | палестинск палестинськ | فلسطيني فلسطينيه | 巴勒斯坦
egyptian | египетск єгипетськ | مصري مصريه | 埃及
sudanese | суданск | سوداني | 苏丹 蘇丹
somali | сомалийск | صومالي | 索马里 索馬里
moroccan | марокканск | مغربي مغربيه | 摩洛哥
tunisian | тунисск | تونسي تونسيه | 突尼斯
algerian | алжирск | جزائري جزائريه | 阿尔及利亚 阿爾及利亞
saudi | саудовск | سعودي سعوديه | 沙特
turkish | турецк | تركي تركيه | 土耳其
korea | коре | كوريا كره | 朝鲜 朝鮮 韩国 韓國
chinese | китайск | صيني |
china | кита | صين چين | 中国 中國
belarusian | белорусск білоруськ беларуск | بلاروسي | 白俄罗斯 白俄羅斯
ukrainian | украинск українськ | اوكراني | 乌克兰 烏克蘭
crimea | крым крим | | 克里米亚
"""

# Inflection endings of Russian, Ukrainian and Belarusian nouns and adjectives. A stem takes
# only these: "Новиков" is not "нов" + "иков".
_ENDINGS = frozenset(
    """
    а я ы и у ю е о ь і ї й ой ей ом ем ам ям ах ях ов ев ая яя ый ий ое ее ые ие ого его ому
    ему ых их ым им ую юю ою ею ами ями ья ьи ью ия ии ию ией ія ії ію ією ої ім ій ів ага ае
    ыя ай ці цы ыі
    """.split()
) | {""}

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff'ʼ’]+")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff]+")
_HAN_RUN = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in HAN_RANGES) + "]+")
# An Arabic word may carry the article or joined particles before it: "والجماعة", "للصرافة".
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل")
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ئ": "ي", "ة": "ه", "ک": "ك",
    "ؤ": "و", "ء": "",
})
_TASHKEEL = re.compile(r"[\u064b-\u065f\u0670\u0640]")


def _arabic_key(word: str) -> str:
    return _TASHKEEL.sub("", word).translate(_ARABIC_FOLD)


# A word's English renderings, the usual one first.
Renderings = tuple[str, ...]


def _tables() -> tuple[dict[str, Renderings], dict[str, Renderings], dict[str, Renderings]]:
    cyrillic: dict[str, Renderings] = {}
    arabic: dict[str, Renderings] = {}
    han: dict[str, Renderings] = {}
    for line in _ROWS.strip().splitlines():
        english, cyr, arab, hz = (part.split() for part in line.split("|"))
        reading = tuple(r.replace("_", " ") for r in " ".join(english).split("/"))
        for stem in cyr:
            cyrillic.setdefault(stem, reading)
        for word in arab:
            arabic.setdefault(_arabic_key(word), reading)
        for word in hz:
            han.setdefault(word, reading)
    return cyrillic, arabic, han


_CYRILLIC, _ARABIC, _HAN = _tables()
# Picks the text that stands for a translated word (None: the word stays as written).
Choose = Callable[[Renderings], str | None]
#: Most readings of one name with words rendered otherwise (see translated_readings).
MOST_READINGS = 6
_HAN_LONGEST = max(len(w) for w in _HAN)


# Borrowed Latin words keep their stem and change the suffix: "арктический" is "arctic",
# "реконструкции" "reconstruction", "авиационный" "aviation". The stem is romanised.
_CYRILLIC_SUFFIXES = (
    (re.compile(r"(\w{3,}?)(?:ическ|ичн)(?:ий|ая|ое|ие|ого|ой|ых|их|ую|ом|ому|им|ым|ими|ыми|і|ії|ої)$"), "ic"),
    (re.compile(r"(\w{3,}?)ци(?:я|и|ю|ей|ія|ії|ію|онн\w{1,3}|йн\w{1,3})$"), "tion"),
)


def _cyrillic(word: str) -> Renderings | None:
    word = word.lower()
    # The longest stem whose remainder is an inflection ending.
    for cut in range(len(word), 0, -1):
        reading = _CYRILLIC.get(word[:cut])
        if reading is not None and word[cut:] in _ENDINGS:
            return reading
    for pattern, suffix in _CYRILLIC_SUFFIXES:
        found = pattern.fullmatch(word)
        if found:
            return (f"{anyascii(found.group(1)).lower()}{suffix}",)
    return None


def _arabic(word: str) -> Renderings | None:
    word = _arabic_key(word)
    reading = _ARABIC.get(word)
    if reading is None:
        for prefix in _ARABIC_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= 2:
                reading = _ARABIC.get(word[len(prefix):])
                if reading is not None:
                    break
    return reading


def _han(run: str, choose: Choose) -> str:
    # Han text has no spaces: the longest known word at each place, greedily.
    out, i = [], 0
    while i < len(run):
        for size in range(min(_HAN_LONGEST, len(run) - i), 0, -1):
            reading = _HAN.get(run[i:i + size])
            if reading is not None and (chosen := choose(reading)) is not None:
                out.append(f" {chosen} ")
                i += size
                break
        else:
            out.append(run[i])
            i += 1
    return "".join(out)


def _generic(renderings: Renderings) -> str | None:
    """The usual rendering if it is generic in English, else None (the word stays as written).
    Place words ("east", "gulf", "national") are generic in English names, but in another
    language's name they are as often its proper part ("شرق" of BONYAN DANESH SHARGH)."""
    words, _ = canonical_legal_forms(renderings[0].split())
    if all((w in GENERIC_WORDS and w not in GEO_WORDS) or w in LEGAL_FORMS or w in STOP_WORDS for w in words):
        return renderings[0]
    return None


def _word(lookup: Callable[[str], Renderings | None], choose: Choose) -> Callable[[re.Match[str]], str]:
    def sub(match: re.Match[str]) -> str:
        reading = lookup(match.group(0))
        chosen = None if reading is None else choose(reading)
        return match.group(0) if chosen is None else f" {chosen} "
    return sub


def _reading(name: str, choose: Choose) -> str:
    out = _CYRILLIC_WORD.sub(_word(_cyrillic, choose), name)
    out = _ARABIC_WORD.sub(_word(_arabic, choose), out)
    out = _HAN_RUN.sub(lambda m: _han(m.group(0), choose), out)
    return " ".join(out.split())


def _choices(sizes: list[int]) -> list[tuple[int, ...]]:
    """Which rendering of each word, for at most MOST_READINGS readings: the usual ones, then
    one word rendered otherwise, then two..., each level in lexicographic order. Only the
    levels needed are made: a long name has too many combinations to list them all."""
    out: list[tuple[int, ...]] = []
    several = [i for i, n in enumerate(sizes) if n > 1]
    for k in range(len(several) + 1):
        level = []
        for where in itertools.combinations(several, k):
            for values in itertools.product(*(range(1, sizes[i]) for i in where)):
                choice = [0] * len(sizes)
                for i, v in zip(where, values, strict=True):
                    choice[i] = v
                level.append(tuple(choice))
        out += sorted(level)
        if len(out) >= MOST_READINGS:
            break
    return out[:MOST_READINGS]


@lru_cache(maxsize=20_000)
def translated_readings(name: str) -> tuple[str, ...]:
    """The name with its common organisation words read in English ("ЧАСТНАЯ ВОЕННАЯ КОМПАНИЯ
    РЕДУТ" -> "private military company РЕДУТ"); none when it has none.

    A word a list may render in several ways ("المقاتلة": fighting, combat, combatant) gives
    more readings: each other rendering of one word, then of two (at most MOST_READINGS in
    all). One more reading reads only the words that are generic in English (company, bank,
    group, legal forms, "and"): the others are often the proper part of the name, which a list
    writes transliterated ("شركة بنك الخليج المحدودة" is "ALKHALEEJ BANK CO LTD", not "Gulf
    Bank")."""
    if name.isascii():
        return ()
    words: list[Renderings] = []  # the renderings of each translated word, in order

    def collect(renderings: Renderings) -> str:
        words.append(renderings)
        return renderings[0]
    _reading(name, collect)
    if not words:
        return ()
    out: list[str] = []
    for choice in _choices([len(w) for w in words]):
        picks = iter([w[i] for w, i in zip(words, choice, strict=True)])

        def pick(_renderings: Renderings, picks: Iterator[str] = picks) -> str:
            return next(picks)
        out.append(_reading(name, pick))
    out.append(_reading(name, _generic))
    plain = " ".join(name.split())
    return tuple(dict.fromkeys(r for r in out if r != plain))
