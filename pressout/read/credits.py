"""Credits: who wrote, reported, photographed or edited, as the page prints it.

Each function takes one cleaned line (full-width punctuation, one space per run, spaces
not yet dropped — they separate the names) and returns the ``Credit`` it finds plus what is
left of the line, or None when the line carries no credit of that shape. A credit's
``text`` is the printed form with layout spaces inside two-character names removed, so
every contributor's name occurs in it verbatim.
"""

from __future__ import annotations

import re

from ..model import Contributor, Credit, Role
from .rules import (
    BYLINE_TAIL_RE,
    CREDIT_FIRST,
    DATELINE_FIRST,
    DATELINE_PLACES,
    DATELINE_RE,
    DATELINE_REPORTER_RE,
    DESK_ENDINGS,
    GRAPHIC_CREDIT_RE,
    HAN,
    NAME_RE,
    NOT_NAME_ENDINGS,
    NOT_NAME_WORDS,
    ORGANISATION_CREDIT_RE,
    PHOTO_CREDIT_LAST,
    PICTURES_TOO,
    ROLE_WORD_RE,
    ROLE_WORDS,
    RUN_IN_BYLINE_RE,
    SENTENCE_END,
    SURNAMES,
    SURNAMES_COMPOUND,
)

__all__ = [
    "is_person_name",
    "match_author_line",
    "match_credit_line",
    "match_dateline",
    "match_photo_credit",
    "match_run_in_byline",
    "may_be_photo_credit",
    "parse_people",
    "split_trailing_credit",
]

_MAX_CREDIT = 60  # characters a printed credit can take
_NAME_SEPARATORS = "、，,/／╱：:"  # between names and after a role word, besides spaces
_SEPARATORS = re.compile(f"[\\s{_NAME_SEPARATORS}]+")
_SEPARATOR_MARK = re.compile(f"[{_NAME_SEPARATORS}]")
_ROLE_TOKEN = re.compile(f"^(?:{ROLE_WORD_RE})$")
_ROLE_PREFIX = re.compile(f"^(?P<role>{ROLE_WORD_RE})(?P<rest>[{HAN}].*)$")
# Tokens split on whitespace hold no newline, so for them _ROLE_TOKEN.match is a lookup
# in these (as fast as a dict, where the regex is a call per token).
_ROLE_OF = {word: Role(role) for word, role in ROLE_WORDS.items()}
_ROLE_FIRST = frozenset(word[0] for word in ROLE_WORDS)  # _ROLE_PREFIX needs one of these first
# A desk or outlet before the role word: 中國組記者曾海琪 (rule traditional-credits).
_DESK_ROLE = re.compile(
    rf"^[{HAN}]{{1,6}}?[{DESK_ENDINGS}](?P<role>{ROLE_WORD_RE})(?P<rest>[{HAN}]{{2,4}})?$"
)
_AUTHOR_MARK = re.compile(r"^(?:文\s*[/／]|□|■|◎|○|●)\s*")
_AUTHOR_MARK_FIRST = frozenset("文□■◎○●")  # what _AUTHOR_MARK can start with: tested before it
# The place-like endings are single characters: one set lookup instead of 26 endswith.
_NOT_NAME_LAST = frozenset(NOT_NAME_ENDINGS)
assert all(len(ending) == 1 for ending in NOT_NAME_ENDINGS)


def is_person_name(token: str) -> bool:
    """Two to four hanzi that start with a known surname and do not end like a place."""
    if not NAME_RE.match(token) or token in NOT_NAME_WORDS:
        return False
    return _reads_as_person(token)


def _reads_as_person(name: str) -> bool:
    """``is_person_name`` for a token already known to be a name (NAME_RE, not a word)."""
    return name[-1] not in _NOT_NAME_LAST and (name[0] in SURNAMES or name[:2] in SURNAMES_COMPOUND)


def _merge_single_hanzi(tokens: list[str]) -> list[str]:
    """王 勇 → 王勇: no name is one hanzi, so layout-split halves belong together."""
    merged: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if (
            len(nxt) == 1
            and nxt not in _ROLE_OF
            and (len(tok) == 1 or tok in SURNAMES_COMPOUND)
            and tok not in _ROLE_OF
        ):
            merged.append(tok + nxt)
            i += 2
        else:
            merged.append(tok)
            i += 1
    return merged


def parse_people(text: str, *, default: Role, strict_names: bool) -> tuple[Contributor, ...] | None:
    """Names and role words → contributors; None if any token is neither.

    ``strict_names`` asks for a known surname (used where no role word vouches for the
    names, as in a bare （张波））.
    """
    if _SEPARATOR_MARK.search(text) is None:
        # Spaces alone between the names (the usual credit): str.split splits on exactly
        # the whitespace that \s matches, without the regex.
        tokens = text.split()
    else:
        tokens = [t for t in _SEPARATORS.split(text.strip()) if t]
    # "记者王勇" (no space after the role word) splits into role and name (and a desk
    # before it, "中國組記者曾海琪", is no name: see below).
    split: list[str] = []
    for tok in tokens:
        m = _ROLE_PREFIX.match(tok) if tok[0] in _ROLE_FIRST else None
        if m and tok not in _ROLE_OF and NAME_RE.match(m.group("rest")):
            split.extend((m.group("role"), m.group("rest")))
            continue
        split.append(tok)
    tokens = _merge_single_hanzi(split) if len(split) > 1 else split
    people: list[Contributor] = []
    role = default
    vouched = False
    pictures = False  # after 图文: the names took the pictures too
    for tok in tokens:
        if tok in _ROLE_OF:
            role = _ROLE_OF[tok]
            vouched = True
            pictures = pictures or tok in PICTURES_TOO
            continue
        if not NAME_RE.match(tok):
            desk = _DESK_ROLE.match(tok)
            if desk is None:
                return None
            # A desk or paper before the role word, then the name: 中國組記者曾海琪; or the
            # names after it: 香港文匯報記者 顏晉傑 文森.
            role = _ROLE_OF[desk.group("role")]
            vouched = True
            if not desk.group("rest"):
                continue
            tok = desk.group("rest")
        elif tok in NOT_NAME_WORDS:
            return None
        if (strict_names and not vouched) and not _reads_as_person(tok):
            return None
        people.append(Contributor(tok, role))
        if pictures and role is not Role.PHOTOGRAPHER:
            people.append(Contributor(tok, Role.PHOTOGRAPHER))
    return tuple(people) or None


def _printed(text: str, people: tuple[Contributor, ...]) -> str:
    """The credit as printed, with the layout space inside merged names taken out."""
    for person in people:
        if person.name not in text:
            spaced = r"\s*".join(map(re.escape, person.name))
            text = re.sub(spaced, person.name, text, count=1)
    return text


def _credit(printed: str, people: tuple[Contributor, ...]) -> Credit:
    return Credit(_printed(printed, people), people)


_EDITOR = re.compile(
    rf"^（(?:以上|本版|本组)?(?:稿件|内容|文字)?由(?P<names>[{HAN}、\s]{{2,30}}?)"
    r"(?:编辑)?(?:整理|编辑|编写|采写)）$"
)
_BRACKETED = re.compile(r"^（(?P<inner>[^（）]{2,40})）$")
_ROLE_LED = re.compile(rf"^(?:{ROLE_WORD_RE})\s*[{HAN}]")


def match_credit_line(line: str) -> Credit | None:
    """A closing or byline credit that fills the whole line.

    Shapes: ``（以上由王勇编辑整理）`` (editor), ``（司勇）`` / ``（李涛、马卓）`` (authors, known
    surnames required), ``（记者 甲 通讯员 乙）`` and ``记者 王勇 司勇 李杰华`` (role words);
    ``〔記者甲、乙／台北報導〕``, ``記者甲／特稿`` (rule bracketed-byline: the place and 報導
    after the slash are no names).
    """
    line = line.strip()
    if len(line) > _MAX_CREDIT or not line:
        return None
    if line[0] not in CREDIT_FIRST:
        return _desk_credit(line) if "者" in line else None
    if line[0] in "〔【":
        m = RUN_IN_BYLINE_RE.match(line)
        if m is None or m.end() != len(line) or DATELINE_RE.match(line):  # 【文匯網訊】: a dateline
            return None
        credit = _byline(m.group("inner"))
        return Credit(line, credit.contributors) if credit else None
    if line[-1] in _BYLINE_TAIL_LAST and BYLINE_TAIL_RE.search(line):
        credit = _byline(line)
        return Credit(line, credit.contributors) if credit else None
    m = _EDITOR.match(line)
    if m:
        people = parse_people(m.group("names"), default=Role.EDITOR, strict_names=False)
        return _credit(line, people) if people else None
    m = _BRACKETED.match(line)
    if m:
        people = parse_people(m.group("inner"), default=Role.AUTHOR, strict_names=True)
        return _credit(line, people) if people else None
    if _ROLE_LED.match(line) and not line.endswith(("摄", "攝")):
        people = parse_people(line, default=Role.AUTHOR, strict_names=False)
        return _credit(line, people) if people else None
    return _desk_credit(line) if "者" in line else None


def _desk_credit(line: str) -> Credit | None:
    """A desk before the role word: ``中國組記者曾海琪`` (rule traditional-credits)."""
    if len(line) > 20 or _DESK_ROLE.match(line) is None:
        return None
    people = parse_people(line, default=Role.AUTHOR, strict_names=False)
    return _credit(line, people) if people else None


_BYLINE_TAIL_LAST = frozenset("導导道稿訪访題题線线")


def _byline(inner: str) -> Credit | None:
    """``記者甲、乙／台北報導`` → the reporters (a role word must lead: a desk alone,
    ``國際新聞中心／綜合報導``, credits no one)."""
    names = BYLINE_TAIL_RE.sub("", inner).strip()
    if not names or not _ROLE_LED.match(names):
        return None
    people = parse_people(names, default=Role.REPORTER, strict_names=True)
    return _credit(inner, people) if people else None


def match_run_in_byline(line: str) -> tuple[Credit, str] | None:
    """Rule bracketed-byline: ``〔記者劉詠韻、甘孟霖／台北報導〕立法院…`` → (the byline, the
    text after it)."""
    if not line or line[0] not in "〔【":
        return None
    m = RUN_IN_BYLINE_RE.match(line)
    if m is None or DATELINE_RE.match(line):
        return None
    credit = _byline(m.group("inner"))
    if credit is None:
        return None
    return Credit(m.group(0).strip(), credit.contributors), line[m.end() :]


def split_trailing_credit(line: str) -> tuple[str, Credit] | None:
    """A credit after the last sentence of a paragraph: ``…共舞。 记者 李静``, ``…保障。(刘志刚)``."""
    line = line.rstrip()
    if not line:
        return None
    code = ""
    if not _ENDS_LIKE_CREDIT.match(line[-1]):  # match the last character only
        # A wire's date code after the credit, （編輯：陳政一）1110330 (rule
        # traditional-credits): it stays with the credit.
        if not line[-1].isdecimal():
            return None
        found = _WIRE_CODE.search(line)
        if found is None:
            return None
        line, code = line[: found.start()], found.group(0)
    # Try sentence ends from the right; the credit is all that follows one of them (and
    # credits are short, so only the line's tail needs looking at).
    offset = max(0, len(line) - _MAX_CREDIT - 4)
    for m in reversed(list(_SENTENCE_BOUNDARY.finditer(line, offset))):
        rest = line[m.end() :].strip()
        if not rest or len(rest) > _MAX_CREDIT:
            return None
        credit = match_credit_line(rest)
        if credit is not None:
            if code:
                credit = Credit(credit.text + code, credit.contributors)
            return line[: m.end()].rstrip(), credit
    return None


_WIRE_CODE = re.compile(r"(?<=）)\d{6,8}$")


_ENDS_LIKE_CREDIT = re.compile(f"[）{HAN}]")
_SENTENCE_BOUNDARY = re.compile(f"[{re.escape(SENTENCE_END)}][”’」』》）]*")
_CAPTION_END = SENTENCE_END + "”’」』》）"
_CAPTION_END_CHAR = re.compile(f"[{re.escape(_CAPTION_END)}]")
_SPACE_RUN = re.compile(r"\s+")


def may_be_photo_credit(text: str) -> bool:
    """Can ``match_photo_credit`` find anything in this line? (A cheap test: most lines
    end in none of the characters a credit ends in.)"""
    last = text[-1:]
    if last in PHOTO_CREDIT_LAST:
        return True
    if last == "）":
        return "摄" in text or "攝" in text
    return text.startswith(("制图", "製圖", "图据", "圖據"))


_SHOT = ("摄影", "攝影", "摄", "攝")
_SUPPLIED = ("供图", "供圖", "制图", "製圖", "提供")
_AGENCY_AFTER = re.compile(r"\s*（[^（）]{2,12}）$")  # 曹建雄摄（人民视觉）: the agency after the credit


def match_photo_credit(line: str) -> tuple[str, Credit] | None:
    """A photo credit ending the line: ``…冲刺。 张澍宏 摄`` → (caption, credit); a line
    that is only ``李学军 宋卫东 摄`` → ("", credit).

    The names are the shortest run of name tokens before 摄 that follows a finished
    caption (or the start of the line); they must start with known surnames unless a
    role word (记者) vouches for them. Rule photo-credit-forms: 攝 as well; an agency in
    brackets after the credit (甲摄（人民视觉）) is kept with it; 甲供图, 制图：甲 credit a
    person; 新华社发, 受访者供图, 图据… credit an organisation or a source (no person).
    """
    line = line.strip()
    if not line:
        return None
    core = line
    if line[-1] == "）":
        if "摄" not in line and "攝" not in line:
            return None
        agency = _AGENCY_AFTER.search(line)
        if agency is None:
            return None
        core = line[: agency.start()]
        if not core.endswith(_SHOT):
            return None
    if core.endswith(_SHOT):
        body = core[: -2 if core.endswith(("摄影", "攝影")) else -1].rstrip()
        return _shot_by(line, body, strict=True)
    if core.endswith(_SUPPLIED):
        found = _shot_by(line, core[:-2].rstrip(), strict=True)
        return found if found is not None else _organisation(line)
    if line.startswith(("制图", "製圖")):
        m = GRAPHIC_CREDIT_RE.match(line)
        if m:
            people = parse_people(m.group("names"), default=Role.PHOTOGRAPHER, strict_names=True)
            return ("", _credit(line, people)) if people else None
        return None
    return _organisation(line)


def _organisation(line: str) -> tuple[str, Credit] | None:
    """新华社发, 受访者供图, 图据央视新闻 after a finished caption (or alone): a credit
    without a person."""
    cut = 0
    for m in _CAPTION_END_CHAR.finditer(line, max(0, len(line) - 30)):
        cut = m.end()
    who = line[cut:].strip()
    caption = line[:cut].rstrip()
    if ORGANISATION_CREDIT_RE.match(who) or (
        who.endswith(_SUPPLIED) and 2 < len(who) <= 12 and " " not in who
    ):
        return caption, Credit(who, ())
    return None


def _shot_by(line: str, body: str, *, strict: bool) -> tuple[str, Credit] | None:
    """The caption and the credit of ``line``, whose names stand at the end of ``body``."""
    if body.endswith(("/", "／")):
        body = body[:-1].rstrip()
    if not body or "\n" in body:  # (a regex ``.`` does not match a newline)
        return None
    # Where the caption may end: at a space, or right after a full stop or closing quote.
    # Names are short: only cuts in the last _MAX_CREDIT characters are tried (so a long
    # caption is neither scanned quadratically nor listed character by character).
    lowest = max(0, len(body) - _MAX_CREDIT)
    start = max(0, lowest - 1)  # (what ends at ``lowest`` starts before it)
    cuts = {0} | {g.end() for g in _SPACE_RUN.finditer(body, start)}
    cuts |= {g.end() for g in _CAPTION_END_CHAR.finditer(body, start)}
    for cut in sorted(cuts, reverse=True):
        if cut < lowest:
            break
        caption, who = body[:cut].rstrip(), body[cut:].strip()
        if not who or (caption and caption[-1] not in _CAPTION_END):
            continue
        people = parse_people(who, default=Role.PHOTOGRAPHER, strict_names=strict)
        if people:
            if any(p.role is not Role.PHOTOGRAPHER for p in people):  # 记者 甲 摄: still the photographer
                people = tuple(dict.fromkeys(Contributor(p.name, Role.PHOTOGRAPHER) for p in people))
            return caption, _credit(line[len(body[:cut]) :].strip(), people)
    return None


_DATELINE_CREDIT = re.compile(r"^\s*（(?P<inner>[^（）]{1,60})）")


def match_dateline(line: str) -> tuple[str, Credit | None, str] | None:
    """A run-in dateline: ``本报讯(记者 尹哲)太原…`` → ("本报讯", credit, "太原…")."""
    if not line or line[0] not in DATELINE_FIRST:  # a cheap test before the regex
        return None
    m = DATELINE_RE.match(line)
    if not m:
        return None
    dateline = m.group("dateline")
    rest = line[m.end() :]
    credit = None
    if "者" in dateline:
        # 中央社記者劉品希台北10日電 (rule dateline-traditional): the agency's reporter is
        # the byline, printed first; the place and date are the dateline.
        found = _dateline_reporter(dateline)
        if found is not None:
            credit, dateline = found
    bracket = _DATELINE_CREDIT.match(rest) if credit is None else None
    if bracket:
        people = parse_people(bracket.group("inner"), default=Role.AUTHOR, strict_names=True)
        if people:
            credit = _credit(bracket.group(0).strip(), people)
            rest = rest[bracket.end() :]
    return dateline, credit, rest.strip()


def _dateline_reporter(dateline: str) -> tuple[Credit, str] | None:
    """``中央社記者劉品希台北10日電`` → (the credit 中央社記者劉品希, the dateline 台北10日電)."""
    m = DATELINE_REPORTER_RE.search(dateline)
    if m is None:
        return None
    who = m.group("who")
    for place in DATELINE_PLACES:
        if who.endswith(place) and len(who) > len(place):
            who = who[: -len(place)]
            break
    else:  # an unknown place: names are mostly three hanzi, places at least two
        who = who[:3] if len(who) >= 5 else who[:2]
    people = parse_people(who, default=Role.REPORTER, strict_names=True)
    if not people:
        return None
    cut = m.start("who") + len(who)
    return Credit(dateline[:cut], people), dateline[cut:]


def match_author_line(line: str) -> Credit | None:
    """A name alone on its line (under a commentary's headline): ``袁剑锋``, ``文/袁剑锋``."""
    line = line.strip()
    stripped = _AUTHOR_MARK.sub("", line) if line[:1] in _AUTHOR_MARK_FIRST else line
    if not is_person_name(stripped):
        return None
    return Credit(line, (Contributor(stripped, Role.AUTHOR),))
