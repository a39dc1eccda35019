"""Known papers: a dump names its paper in its own words (a record's ``media: 自由``, a feed
titled ``中時政治即時新聞``, a front matter ``url`` on ``hkcnews.com``, a digest titled
``人民日报 20260704 报道摘要``); this table turns those words into the paper's name as it
prints it, an ASCII slug for ids, and the region whose language tag its text takes
(``zh-TW`` for a Taiwan paper in Traditional script).

The table is data, not a rule about any page: a paper not in it is still read, under
the name the dump gives (slug ``p-`` and a hash of the name), and a dump that names no
paper at all is read with the publication unknown (warning PO105); ``pressout.toml`` or
``issues.toml`` can always say it.

Matching (rule publication-from-text): a name or alias must be the whole field, or, in
a title or a masthead line, occur in it; the longest match wins (人民日报海外版 before
人民日报); a web address matches by its host (``news.ltn.com.tw`` → 自由時報) and, for a
host shared by several papers, by the path's first folder (``paper.people.com.cn/rmrbhwb``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

__all__ = ["Paper", "find_in_text", "from_field", "from_url", "slug_for"]


@dataclass(frozen=True, slots=True)
class Paper:
    name: str  # as the paper prints it
    slug: str  # ASCII, for ids and file names
    region: str  # ISO 3166: CN, TW, HK, MO, SG, MY
    aliases: tuple[str, ...] = ()  # other names dumps use for it (short forms, web names)
    hosts: tuple[str, ...] = ()  # web hosts ("host" or "host/first-folder")


PAPERS: tuple[Paper, ...] = (
    # mainland national and wire
    Paper("人民日报", "rmrb", "CN", ("人民日報",), ("paper.people.com.cn/rmrb",)),
    Paper("人民日报海外版", "rmrbhwb", "CN", ("人民日報海外版",), ("paper.people.com.cn/rmrbhwb",)),
    Paper("新华社", "xinhua", "CN", ("新華社", "新华网", "新華網"), ("xinhuanet.com", "news.cn")),
    Paper("光明日报", "gmrb", "CN", ("光明日報",), ("gmw.cn",)),
    Paper("经济日报", "jjrb", "CN", (), ("ce.cn",)),
    Paper("解放军报", "jfjb", "CN", ("解放軍報",), ("81.cn",)),
    Paper("中国青年报", "zgqnb", "CN", ("中國青年報",), ("cyol.com",)),
    Paper("参考消息", "ckxx", "CN", ("參考消息",), ("cankaoxiaoxi.com",)),
    Paper("环球时报", "hqsb", "CN", ("環球時報",), ("huanqiu.com",)),
    Paper("科技日报", "kjrb", "CN", (), ("stdaily.com",)),
    Paper("法治日报", "fzrb", "CN", ("法制日报",), ("legaldaily.com.cn",)),
    Paper("工人日报", "grrb", "CN", (), ("workercn.cn",)),
    Paper("农民日报", "nmrb", "CN", (), ("farmer.com.cn",)),
    Paper("中国日报", "zgrb", "CN", (), ("chinadaily.com.cn",)),
    # mainland provincial and city dailies
    Paper("北京日报", "bjrb", "CN", (), ("bjd.com.cn",)),
    Paper("北京晚报", "bjwb", "CN"),
    Paper("新京报", "xjb", "CN", (), ("bjnews.com.cn",)),
    Paper("解放日报", "jfrb", "CN", (), ("jfdaily.com",)),
    Paper("文汇报", "whb", "CN", (), ("whb.cn",)),
    Paper("新民晚报", "xmwb", "CN", ("新民晚報",), ("xinmin.cn",)),
    Paper("南方日报", "nfrb", "CN", (), ("nfnews.com",)),
    Paper("南方都市报", "nddsb", "CN", ("南都",), ("oeeee.com",)),
    Paper("广州日报", "gzrb", "CN", (), ("gzdaily.cn",)),
    Paper("羊城晚报", "ycwb", "CN", (), ("ycwb.com",)),
    Paper("杭州日报", "hzrb", "CN", (), ("hangzhou.com.cn",)),
    Paper("浙江日报", "zjrb", "CN", (), ("zjol.com.cn",)),
    Paper("新华日报", "xhrb", "CN", (), ("xhby.net",)),
    Paper("扬子晚报", "yzwb", "CN"),
    Paper("湖北日报", "hbrb", "CN", (), ("hubeidaily.net",)),
    Paper("长江日报", "cjrb", "CN", (), ("cjrbapp.cjn.cn",)),
    Paper("四川日报", "scrb", "CN"),
    Paper("华西都市报", "hxdsb", "CN"),
    Paper("重庆日报", "cqrb", "CN"),
    Paper("大众日报", "dzrb", "CN", (), ("dzwww.com",)),
    Paper("河南日报", "henanrb", "CN"),
    Paper("山西日报", "sxrb", "CN"),
    Paper("太原日报", "tyrb", "CN", (), ("tyrbw.com",)),
    Paper("天津日报", "tjrb", "CN"),
    Paper("辽宁日报", "lnrb", "CN"),
    Paper("深圳特区报", "sztqb", "CN", (), ("sznews.com",)),
    Paper("厦门日报", "xmrb", "CN"),
    Paper("福建日报", "fjrb", "CN", (), ("fjrb.fjdaily.com", "fjdaily.com")),
    Paper("海南日报", "hnrb", "CN", (), ("hnrb.hinews.cn", "hinews.cn")),
    # Taiwan
    Paper(
        "中國時報", "chinatimes", "TW", ("中時", "中時新聞網", "中時電子報", "中国时报"), ("chinatimes.com",)
    ),
    Paper("聯合報", "udn", "TW", ("聯合新聞網", "联合报", "udn"), ("udn.com",)),
    Paper("自由時報", "ltn", "TW", ("自由", "自由時報電子報", "自由时报"), ("ltn.com.tw",)),
    Paper("工商時報", "ctee", "TW", (), ("ctee.com.tw",)),
    Paper("經濟日報", "edn", "TW", (), ("money.udn.com",)),
    Paper("中央社", "cna", "TW", ("中央通訊社",), ("cna.com.tw",)),
    Paper("ETtoday新聞雲", "ettoday", "TW", ("ETtoday",), ("ettoday.net",)),
    Paper("蘋果日報（台灣）", "twappledaily", "TW", (), ("tw.appledaily.com",)),
    # Hong Kong and Macau
    Paper("明報", "mingpao", "HK", ("明报", "明報新聞網", "每日明報"), ("mingpao.com",)),
    Paper(
        "星島日報",
        "singtao",
        "HK",
        ("星岛日报", "星島網", "星島頭條"),
        ("stheadline.com", "singtao.com", "std.stheadline.com"),
    ),
    Paper(
        "東方日報", "orientaldaily", "HK", ("东方日报", "東網", "on.cc東網"), ("orientaldaily.on.cc", "on.cc")
    ),
    Paper("大公報", "takungpao", "HK", ("大公报",), ("takungpao.com",)),
    Paper("香港文匯報", "wenweipo", "HK", ("文匯報", "香港文匯網", "文匯網", "文汇网"), ("wenweipo.com",)),
    Paper("香港經濟日報", "hket", "HK", ("香港经济日报",), ("hket.com",)),
    Paper("信報", "hkej", "HK", ("信報財經新聞", "信報網站"), ("hkej.com",)),
    Paper("蘋果日報", "appledaily", "HK", ("苹果日报",), ("hk.appledaily.com",)),
    Paper("眾新聞", "hkcnews", "HK", ("众新闻",), ("hkcnews.com",)),
    Paper("立場新聞", "standnews", "HK", (), ("thestandnews.com",)),
    Paper("香港01", "hk01", "HK", (), ("hk01.com",)),
    Paper("澳門日報", "macaodaily", "MO", ("澳门日报",), ("macaodaily.com",)),
    # before 1950
    Paper("申報", "shenbao", "CN", ("申报",)),
    Paper("新聞報", "xinwenbao", "CN"),
    # Singapore, Malaysia
    Paper("联合早报", "zaobao", "SG", ("聯合早報",), ("zaobao.com.sg", "zaobao.com")),
    Paper("星洲日报", "sinchew", "MY", ("星洲日報",), ("sinchew.com.my",)),
)

_BY_NAME: dict[str, Paper] = {}
for _paper in PAPERS:
    for _word in (_paper.name, *_paper.aliases):
        _BY_NAME.setdefault(_word, _paper)


# Names that occur in a title or masthead line: the longest first (人民日报海外版 before
# 人民日报). Names shorter than three characters (自由, 中時, 申報, 明報) only ever match a
# whole field or the start of a title (in running text they are ordinary words: 申報 is
# also "to declare"); Latin names (udn, ETtoday) only a whole field or a web host.


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The name patterns, compiled on first use (most pages never need them: their paper
    is in issues.toml), so importing the reader stays cheap."""
    in_text = sorted((w for w in _BY_NAME if len(w) >= 3 and not w.isascii()), key=len, reverse=True)
    short = sorted((w for w in _BY_NAME if len(w) < 3), key=len, reverse=True)
    return (
        re.compile("|".join(map(re.escape, in_text))),
        re.compile("^(?:" + "|".join(map(re.escape, short)) + ")"),
    )


_HOSTS: dict[str, Paper] = {host: p for p in PAPERS for host in p.hosts}
_URL = re.compile(r"https?://([^/\s?#:]+)(?::\d+)?(/[^/\s?#]*)?", re.IGNORECASE)


def from_field(value: str) -> Paper | None:
    """The paper a record's or front matter's paper field names (the whole value)."""
    return _BY_NAME.get(value.strip())


def find_in_text(text: str, *, boundary: bool = False) -> Paper | None:
    """The paper a title or masthead line names: the longest known name in it, or a short
    name at its start (``中時政治即時新聞`` → 中國時報). ``boundary``: (a page's first lines)
    the name must start the line and stand alone, followed by a space, punctuation or the
    line's end, since a headline may start with the same characters (自由贸易…)."""
    in_text, short_at_start = _patterns()
    text = text.strip()
    if boundary:  # a masthead line starts with the name
        found = in_text.match(text)
        if found and _stands_alone(text, found.end()):
            return _BY_NAME[found.group(0)]
    else:
        found = in_text.search(text)
        if found:
            return _BY_NAME[found.group(0)]
    short = short_at_start.match(text)
    if short and (not boundary or _stands_alone(text, short.end())):
        return _BY_NAME[short.group(0)]
    return None


def _stands_alone(text: str, end: int) -> bool:
    return end >= len(text) or not (text[end].isalnum())


def from_url(url: str) -> Paper | None:
    """The paper whose web host a URL is on (``https://news.ltn.com.tw/…`` → 自由時報)."""
    m = _URL.match(url.strip())
    if not m:
        return None
    host = m.group(1).lower()
    folder = (m.group(2) or "/")[1:]
    parts = host.split(".")
    for i in range(len(parts) - 1):
        suffix = ".".join(parts[i:])
        if folder and f"{suffix}/{folder}" in _HOSTS:
            return _HOSTS[f"{suffix}/{folder}"]
        if suffix in _HOSTS:
            return _HOSTS[suffix]
    return None


def slug_for(name: str) -> str:
    """The slug of a paper: the table's, else ``p-`` and 8 hex digits of the name's hash
    (stable, ASCII, and different for different unknown papers)."""
    paper = _BY_NAME.get(name)
    if paper is not None:
        return paper.slug
    return "p-" + hashlib.blake2b(name.encode("utf-8"), digest_size=4).hexdigest()
