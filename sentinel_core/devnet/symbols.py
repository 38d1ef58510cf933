"""Subnet token symbols as subtensor assigns them (``SubtensorModule.TokenSymbol``).

``SYMBOLS[netuid]`` is a subnet's own symbol (subtensor's ``SYMBOLS`` table, ``subnets/symbols.rs``:
Greek, Hebrew, Arabic, Runic, Ogham, Georgian, Armenian, Cyrillic, Coptic, Brahmi, Sinhala,
Glagolitic, Thai, Hangul, Ethiopic, Devanagari, Katakana and Tifinagh letters; 0 is the root's "Τ").
Subnets present at genesis get ``SYMBOLS[netuid]``; a subnet registered later gets the first symbol
not in use (its own first, then the table in order, skipping the root's), or ``DEFAULT_SYMBOL`` when
all are taken; a dissolved subnet's symbol is removed from storage (and so becomes free again).
Storage holds the UTF-8 bytes (``Vec<u8>``); an absent entry reads as the declared default, "𝜏".
"""

from __future__ import annotations

from collections.abc import Iterable

DEFAULT_SYMBOL = "\u03a4"
"""Τ (capital tau): the root's symbol, and what a subnet gets when every symbol is taken."""

STORAGE_DEFAULT = "\U0001d70f"
"""𝜏 (mathematical italic small tau): ``TokenSymbol``'s declared default on finney."""

SYMBOLS: tuple[str, ...] = (
    'Τ', 'α', 'β', 'γ', 'δ', 'ε', 'ζ', 'η', 'θ', 'ι',  # 0-9
    'κ', 'λ', 'μ', 'ν', 'ξ', 'ο', 'π', 'ρ', 'σ', 't',  # 10-19
    'υ', 'φ', 'χ', 'ψ', 'ω', 'א', 'ב', 'ג', 'ד', 'ה',  # 20-29
    'ו', 'ז', 'ח', 'ט', 'י', 'ך', 'כ', 'ל', 'ם', 'מ',  # 30-39
    'ן', 'נ', 'ס', 'ע', 'ף', 'פ', 'ץ', 'צ', 'ק', 'ר',  # 40-49
    'ש', 'ת', 'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د',  # 50-59
    'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ', 'ع',  # 60-69
    'غ', 'ف', 'ق', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي',  # 70-79
    'ى', 'ᚠ', 'ᚢ', 'ᚦ', 'ᚨ', 'ᚱ', 'ᚳ', 'Ы', 'ᛉ', 'ᛒ',  # 80-89
    '\u1680', 'ᚁ', 'ᚂ', 'ᚃ', 'ᚄ', 'ᚅ', '᚛', 'ა', 'ბ', 'გ',  # 90-99
    'დ', 'ე', 'ვ', 'Ա', 'Բ', 'Գ', 'Դ', 'Ե', 'Զ', '՞',  # 100-109
    'Ѐ', 'Ё', 'Ђ', 'Ѓ', 'Є', 'Ѕ', 'ъ', 'Ⲁ', 'ⲁ', 'Ⲃ',  # 110-119
    'ⲃ', 'Ⲅ', 'ⲅ', '𑀀', '𑀁', '𑀂', '𑀃', '𑀅', 'න', 'ඳ',  # 120-129
    'ප', 'ඵ', 'බ', 'භ', 'Ⰰ', 'Ⰱ', 'Ⰲ', 'Ⰳ', 'Ⰴ', 'Ⰵ',  # 130-139
    'Ⰶ', 'Ⰷ', 'Ⰸ', 'Ⰹ', 'Ⰺ', 'Ⰻ', 'Ⰼ', 'Ⰽ', 'Ⰾ', 'Ⰿ',  # 140-149
    'Ⱀ', 'Ⱁ', 'Ⱂ', 'Ⱃ', 'Ⱄ', 'Ⱅ', 'Ⱆ', 'Ⱇ', 'Ⱈ', 'Ⱉ',  # 150-159
    'Ⱊ', 'Ⱋ', 'Ⱌ', 'Ⱍ', 'Ⱎ', 'Ⱏ', 'Ⱐ', 'ก', 'ข', 'ฃ',  # 160-169
    'ค', 'ฅ', 'ฆ', 'ง', 'จ', 'ฉ', 'ช', 'ซ', 'ฌ', 'ญ',  # 170-179
    'ฎ', 'ฏ', 'ฐ', 'ฑ', 'ฒ', 'ณ', 'ด', 'ต', 'ถ', 'ท',  # 180-189
    'ธ', 'น', 'บ', 'ป', 'ผ', 'ฝ', 'พ', 'ฟ', 'ภ', 'ม',  # 190-199
    'ย', 'ร', 'ล', 'ว', 'ศ', 'ษ', 'ส', 'ห', 'ฬ', 'อ',  # 200-209
    'ฮ', 'ㄱ', 'ㄴ', 'ㄷ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅅ', 'ㅇ', 'ㅈ',  # 210-219
    'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ', 'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ',  # 220-229
    'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ',  # 230-239
    'ㅞ', 'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ', 'አ', 'ኡ', 'ኢ', 'ኣ',  # 240-249
    'ኤ', 'እ', 'ኦ', 'ኧ', 'ወ', 'ዉ', 'ዊ', 'ዋ', 'ዌ', 'ው',  # 250-259
    'ዎ', 'ኰ', '\u12b1', 'ኲ', 'ኳ', 'ኴ', 'ኵ', '\u12b6', 'ጐ', '\u1311',  # 260-269
    'ጒ', 'መ', 'ጔ', 'ጕ', '\u1316', 'अ', 'आ', 'इ', 'ई', 'उ',  # 270-279
    'ऊ', 'ऋ', 'ए', 'ऐ', 'ओ', 'औ', 'क', 'ख', 'ग', 'घ',  # 280-289
    'ङ', 'च', 'छ', 'ज', 'झ', 'ञ', 'ट', 'ठ', 'ड', 'ढ',  # 290-299
    'ण', 'त', 'थ', 'द', 'ध', 'न', 'प', 'फ', 'ब', 'भ',  # 300-309
    'म', 'य', 'र', 'ल', 'व', 'श', 'ष', 'स', 'ह', 'ア',  # 310-319
    'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ',  # 320-329
    'シ', 'ス', 'セ', 'ソ', 'タ', 'チ', 'ツ', 'テ', 'ト', 'ナ',  # 330-339
    'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ',  # 340-349
    'ミ', 'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル',  # 350-359
    'レ', 'ロ', 'ワ', 'ヲ', 'ン', 'ⴰ', 'ⴱ', 'ⴲ', 'ⴳ', 'ⴴ',  # 360-369
    'ⴵ', 'ⴶ', 'ⴷ', 'ⴸ', 'ⴹ', 'ⴺ', 'ⴻ', 'ⴼ', 'ⴽ', 'ⴾ',  # 370-379
    'ⴿ', 'ⵀ', 'ⵁ', 'ⵂ', 'ⵃ', 'ⵄ', 'ⵅ', 'ⵆ', 'ⵇ', 'ⵈ',  # 380-389
    'ⵉ', 'ⵊ', 'ⵋ', 'ⵌ', 'ⵍ', 'ⵎ', 'ⵏ', 'ⵐ', 'ⵑ', 'ⵒ',  # 390-399
    'ⵓ', 'අ', 'ආ', 'ඉ', 'ඊ', 'උ', 'ඌ', 'ඍ', 'ඎ', 'ඏ',  # 400-409
    'ඐ', 'එ', 'ඒ', 'ඓ', 'ඔ', 'ඕ', 'ඖ', 'ක', 'ඛ', 'ග',  # 410-419
    'ඝ', 'ඞ', 'ච', 'ඡ', 'ජ', 'ඣ', 'ඤ', 'ට', 'ඥ', 'ඦ',  # 420-429
    'ඩ', 'ඨ', 'ඪ', 'ණ', 'ඬ', 'ත', 'ථ', 'ද', 'ධ',  # 430-438
)


def symbol_for_subnet(netuid: int) -> str:
    """A subnet's own symbol (``get_symbol_for_subnet``)."""
    return SYMBOLS[netuid] if 0 <= netuid < len(SYMBOLS) else DEFAULT_SYMBOL


def next_available_symbol(netuid: int, used: Iterable[str]) -> str:
    """The symbol a newly registered subnet gets (``get_next_available_symbol``)."""
    taken = set(used)
    own = symbol_for_subnet(netuid)
    if own not in taken:
        return own
    return next((s for s in SYMBOLS[1:] if s not in taken), DEFAULT_SYMBOL)
