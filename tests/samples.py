"""Hand-built models that use every part of the article model, for exporter tests.

``sample_issue()`` mirrors what the reader makes of a real page (texts from seed 004 and
003); ``hostile_issue()`` carries markup-like and quote-heavy text that every exporter must
show as text. Both name their paper (太原日报) as the seeds' sidecar does: the model's
default is an unknown paper. ``web_issue()`` is a web dump's page as the reader makes it:
Traditional script (zh-TW), no paper named, source-record fields on its articles and the
dump's scaffolding taken out.
"""

from __future__ import annotations

import datetime as dt

from pressout.model import (
    Article,
    Contributor,
    Credit,
    Figure,
    Furniture,
    Issue,
    Kind,
    Mark,
    Note,
    Paragraph,
    Removal,
    Repair,
    Role,
    Subhead,
)
from pressout.read.rules import RULES

R = Role


def _credit(text: str, *people: tuple[str, Role]) -> Credit:
    return Credit(text=text, contributors=tuple(Contributor(n, r) for n, r in people))


_PM = "在除尘减霾清洁机、PM2.5+臭氧协同治理等方面取得技术突破。"
_CLOUD = "登上启春阁顶层时，天际云海边缘泛起红晕。随着朝阳升起。"


def sample_issue() -> Issue:
    iid = "tyrb-2021-12-10-a"
    headless = Article(
        id=f"{iid}-i8d1c2a4e",
        kind=Kind.ARTICLE,
        title=None,
        dateline="本报讯",
        body=(
            Paragraph("12月9日，省工信厅、省通信管理局发布《关于推进数据中心高质量发展的实施意见》。"),
            Paragraph(
                "构建以太原为核心、大同—吕梁—阳泉为支撑、多地市协同发展的“1+3+N”数据中心空间布局。",
                joins=(len("构建以太原为核心、大同—吕梁—阳泉为支撑、多地市"),),
            ),
        ),
        closing=(_credit("（何宝国）", ("何宝国", R.AUTHOR)),),
    )
    talks = Article(
        id=f"{iid}-i3f9c2d1e",
        kind=Kind.ARTICLE,
        title="韦韬与安永中国主席陈凯举行工作会谈",
        subtitle="张新伟出席",
        dateline="本报讯",
        byline=_credit("（记者 赵继钊、殷雪莺）", ("赵继钊", R.REPORTER), ("殷雪莺", R.REPORTER)),
        body=(
            Paragraph("12月8日，省委常委、市委书记韦韬与安永中国主席陈凯一行举行工作会谈。"),
            Paragraph("陈凯感谢太原对安永的关注和支持。"),
        ),
    )
    photo = Article(
        id=f"{iid}-i0a1b2c3d",
        kind=Kind.PHOTO,
        title=None,
        body=(
            Figure(
                "12月9日，进山中学校航天科技教育基地，师生观看太空科普课。图为师生观看现场直播。",
                _credit("牛利敏 摄", ("牛利敏", R.PHOTOGRAPHER)),
            ),
        ),
    )
    feature = Article(
        id=f"{iid}-i77aa0012",
        kind=Kind.ARTICLE,
        title="为全方位高质量发展“赋能添翼”",
        subtitle="——杏花岭区深化省校合作成果初探",
        kicker="林红玉在小店区宣讲调研时强调",
        column="并州论坛",
        byline=_credit("袁剑锋", ("袁剑锋", R.AUTHOR)),
        body=(
            Paragraph("进入12月份，太原天气渐冷。"),
            Subhead("赋能产业升级，传统产业焕发“新活力”"),
            Paragraph(
                _PM,
                marks=(Mark(_PM.index("2.5"), _PM.index("2.5") + 3, "subscript"),),
                repairs=(Repair(_PM.index("PM"), _PM.index("PM") + 5, "PM_{2.5}", "latex-scripts"),),
            ),
            Paragraph(
                _CLOUD,
                repairs=(Repair(_CLOUD.index("晕"), _CLOUD.index("晕"), "高劲鹏 摄", "photo-credit-inside-paragraph"),),
                joins=(_CLOUD.index("晕"),),
            ),
            Figure("", _credit("高劲鹏 摄", ("高劲鹏", R.PHOTOGRAPHER))),
            Note("（下转第3版）"),
        ),
        closing=(
            _credit("记者 王勇 司勇", ("王勇", R.REPORTER), ("司勇", R.REPORTER)),
            _credit("（以上由王勇编辑整理）", ("王勇", R.EDITOR)),
        ),
    )
    notice = Article(
        id=f"{iid}-i55e0f9aa",
        kind=Kind.NOTICE,
        title="通告",
        body=(
            Paragraph("亲贤村城中村改造太原广场项目地块二项目，现决定更换物业公司。"),
            Paragraph("特此通告"),
            Paragraph("太原绿城房地产开发有限公司"),
            Paragraph("2022年7月26日"),
        ),
    )
    return Issue(
        source="004_e799359604fa2b7c.txt",
        id=iid,
        sha256="0" * 64,
        publication="太原日报",
        publication_slug="tyrb",
        date=dt.date(2021, 12, 10),
        date_cert="medium",
        articles=(headless, talks, photo, feature, notice),
        furniture=(
            Furniture(f"{iid}-b1", "banner", "全面贯彻“五位一体”总体布局和“四个全面”战略布局", 4),
        ),
    )


HOSTILE = '<script>alert("x")</script> & ]]> “引号” \'单\' <b>粗</b> &amp;'


def hostile_issue() -> Issue:
    """Text that looks like markup must come out as text, everywhere."""
    art = Article(
        id="tyrb-x-hostile-i00000001",
        kind=Kind.ARTICLE,
        title=f"标题{HOSTILE}",
        kicker=HOSTILE,
        subtitle=HOSTILE,
        column=HOSTILE,
        dateline=HOSTILE,
        byline=_credit(f"（记者 {HOSTILE}）", (HOSTILE, R.REPORTER)),
        body=(
            Paragraph(f"正文{HOSTILE}。"),
            Subhead(HOSTILE),
            Figure(HOSTILE, _credit(f"{HOSTILE} 摄", (HOSTILE, R.PHOTOGRAPHER))),
            Note(HOSTILE),
        ),
        closing=(_credit(f"（{HOSTILE}）", (HOSTILE, R.AUTHOR)),),
    )
    return Issue(
        source="hostile <&> ]]>.txt",
        id="tyrb-x-hostile",
        sha256="f" * 64,
        publication="太原日报",
        publication_slug="tyrb",
        date=None,
        articles=(art,),
    )


_WEB_RULES = {"container-json", "web-scaffolding", "script-language"}
WEB_URL = "https://news.example.com.tw/article/2026/08/22/5500123?from=rss&amp=1"


def web_issue() -> Issue:
    """A JSON dump of a Taiwanese news site, read: Traditional script, the paper unnamed,
    each record's other fields kept as the article's ``meta`` (names as the dump spells
    them: an empty one, one with a space, a PDF link that is not the article's address),
    and the dump's scaffolding (a crawl time, a record count) in ``removed``."""
    iid = "paper-2026-08-22-a"
    first = Article(
        id=f"{iid}-i1a2b3c4d",
        kind=Kind.ARTICLE,
        title="颱風過境　北部豪雨特報",
        dateline="記者王小明／台北報導",
        body=(Paragraph("中央氣象署表示，颱風外圍環流影響，北部山區今晚有豪雨。"), Paragraph("民眾應注意安全。")),
        meta=(
            ("id", "5500123"),
            ("PDF链接", "https://news.example.com.tw/pdf/5500123.pdf"),
            ("Link", WEB_URL),
            ("抓取 時間", "2026-08-22 06:43"),
            ("", "<b>&amp;</b>"),
            ("link", "https://news.example.com.tw/second"),
        ),
    )
    second = Article(
        id=f"{iid}-i5e6f7a8b",
        kind=Kind.ARTICLE,
        title="股市收盤",
        body=(Paragraph("台股今日收盤上漲。"),),
        meta=(("連結", "javascript:alert(1)"), ("來源", "自由")),
    )
    third = Article(id=f"{iid}-i9c0d1e2f", kind=Kind.ARTICLE, title="天氣", body=(Paragraph("明日晴。"),))
    return Issue(
        source="udn-2026-08-22.json",
        id=iid,
        sha256="a" * 64,
        articles=(first, second, third),
        date=dt.date(2026, 8, 22),
        date_cert="high",
        language="zh-TW",
        removed=(
            Removal("web-scaffolding", "抓取時間：2026-08-22 06:43"),
            Removal("container-json", '"count": 3'),
            Removal("web-scaffolding", "字數：1200　首次上稿：2026-08-22"),
        ),
        # In the rules' order, as the reader records them (and only rules there are).
        rules_applied=tuple(r.name for r in RULES if r.name in _WEB_RULES),
    )


# A whole issue of three pages (page headers in three forms), as a crawler dumps one.
WHOLE_ISSUE_TEXT = """都市快报 2026年4月4日

## A01 要闻

我市有了两个国家双创示范基地

　　本报讯（记者 张三）日前，国务院办公厅公布第三批双创示范基地名单，我市两个基地入选。

　　据介绍，示范基地将在政策、资金等方面获得支持。

西湖景区清明假期迎客高峰

　　本报讯（记者 李四）清明假期首日，西湖景区接待游客超过五十万人次。

## A02 杭州新闻

地铁三号线北延段今日开通

　　本报讯（记者 王五 通讯员 赵六）地铁三号线北延段今日起载客试运营。

　　沿线居民出行将更加便捷。

[A03版：文体]

城市马拉松报名启动

　　本报讯（记者 孙七）2026杭州马拉松今日起开放报名。
"""


def paged_issue() -> Issue:
    """WHOLE_ISSUE_TEXT read: three pages (A01 要闻, A02 杭州新闻, A03 文体), four articles."""
    from pressout.read import IssueMeta, read_text

    return read_text(WHOLE_ISSUE_TEXT, source="dskb_20260404.txt",
                     meta=IssueMeta(publication="都市快报", publication_slug="dskb"))


# Dumps of the evaluation corpus whose issues have pages: a per-article file (one page, no
# page header printed), a whole issue as JSON and as HTML (eight pages, staff lines at the
# ends of pages) and Shenbao pages (``Page 1`` headers with banners before and after them).
PAGED_FILES = (
    "rmrb/20190201-01-01.txt",
    "rmrb/rmrb_20260704_baodao_zhaiyao.json",
    "rmrb/rmrb_20260704_baodao_zhaiyao.html",
    "shenbao/1880-1-4902399_p1-2.txt",
    "shenbao/1880-10-4902408_p1.txt",
)
