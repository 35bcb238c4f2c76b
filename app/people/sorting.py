"""The order in which people and units are listed: by the pinyin of the name, then the code.

Chinese names compared character by character follow code points (张 before 李), which nobody
reading a roster expects. Each person and org unit stores a ``sort_key`` computed here on every
write, so SQL (``ORDER BY sort_key``) and Python (``sorted(key=...)``) give the same order on
SQLite and PostgreSQL. The key holds only lower-case pinyin with tone digits, then the name and
the code; the column compares bytes (``COLLATE "C"`` on PostgreSQL, SQLite's default), so no
database locale changes it.
"""

import sqlalchemy as sa
from pypinyin import Style, lazy_pinyin, pinyin

# Characters read differently as a surname than in ordinary words (单 is dān in 单位, Shàn as a
# surname). The compound surnames come first: their characters are read together.
COMPOUND_SURNAMES = {
    "尉迟": "yu4chi2",
    "万俟": "mo4qi2",
    "单于": "chan2yu2",
    "长孙": "zhang3sun1",
    "澹台": "tan2tai2",
}
SURNAME_READINGS = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "区": "ou1",
    "查": "zha1",
    "朴": "piao2",
    "盖": "ge3",
    "乐": "yue4",
    "覃": "qin2",
    "翟": "zhai2",
    "缪": "miao4",
    "繁": "po2",
    "种": "chong2",
    "秘": "bi4",
    "召": "shao4",
    "员": "yun4",
    "华": "hua4",
    "任": "ren2",
    "纪": "ji3",
    "黑": "he4",
    "燕": "yan1",
    "过": "guo1",
    "隗": "wei3",
    "长": "chang2",
}
# Between the pinyin, the name and the code: below every letter and digit, so 李 comes before 李四.
SEPARATOR = " "
# Long enough for the longest name (60 characters) spelled out, the name itself and the code.
SORT_KEY_LENGTH = 600
SORT_KEY_TYPE = sa.String(SORT_KEY_LENGTH).with_variant(
    sa.String(SORT_KEY_LENGTH, collation="C"), "postgresql"
)


def _spelled(text: str) -> str:
    """Pinyin with tone digits; anything that is not Chinese stays as written, lower-cased."""
    syllables = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    return "".join(syllables).casefold().replace(SEPARATOR, "")


def _surname(name: str) -> tuple[str, str]:
    """The pinyin of the surname and the rest of the name."""
    for surname, reading in COMPOUND_SURNAMES.items():
        if name.startswith(surname) and len(name) > len(surname):
            return reading, name[len(surname) :]
    first = name[:1]
    reading = SURNAME_READINGS.get(first)
    if reading is None:
        # The character's most common reading, not one guessed from the given name after it.
        readings = pinyin(first, style=Style.TONE3, neutral_tone_with_five=True)
        reading = readings[0][0] if readings and readings[0] else first
    return reading, name[1:]


def _key(spelled: str, name: str, code: str) -> str:
    return SEPARATOR.join((spelled, name.casefold(), code.casefold()))[:SORT_KEY_LENGTH]


def person_sort_key(name: str | None, code: str | None) -> str:
    """李四 → ``li3si4 李四 j002``: the surname read as a surname, then the given name."""
    name = (name or "").strip()
    surname, given = _surname(name) if name else ("", "")
    return _key(_spelled(surname) + _spelled(given), name, code or "")


def unit_sort_key(name: str | None, code: str | None) -> str:
    """机关党支部 → ``ji1guan1dang3zhi1bu4 机关党支部 jiguan``: a unit's name is read as words."""
    name = (name or "").strip()
    return _key(_spelled(name), name, code or "")
