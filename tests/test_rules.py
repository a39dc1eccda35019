"""One test per reading rule (pressout.read.rules.RULES), each with real lines from the seeds.

The pages below are cut from seeds/*.txt (line numbers in the comments); where a rule is
about a variation the seeds do not show (CRLF, U+3000 indents, GB18030 …) the seed line
is re-dressed in that variation.
"""

from __future__ import annotations

import datetime as dt

from pressout.model import Figure, Kind, Note, Role, Subhead
from pressout.read import IssueMeta, read_bytes, read_text
from pressout.read.rules import RULE_NAMES

META = IssueMeta(date=dt.date(2021, 12, 10), date_cert="medium")


def read(text: str):
    return read_text(text, source="t.txt", meta=META)


def only(issue):
    assert len(issue.articles) == 1, [a.display_title for a in issue.articles]
    return issue.articles[0]


# Seed lines used by several tests.
HEADLINE_004 = "快递网点实现“村村通”"
DATELINE_004 = "本报讯 12月9日市邮政管理局消息,我市“快递进村”实现建制村全覆盖。"
BROKEN_000 = (
    "11月6日，上海，小雨淅沥，雷蕾匆匆奔赴国家会展中心。“要争分夺秒，抢抓机遇。”想到此，她不",
    "由加快了脚步。",
)

GREENGROCER = (
    "如锦波生物这般从进博会的“头回客”发展为“回头客”的不在少数，马进也是其中之一，她所在的山西优鲜多歌供应链有限公司去年首次参会，达成多个意向合作，直接促成美特好超市在进口水果总量上增长20%，满足了无数太原市民的“果篮子”",
    "需求。同时，产品直采了，成本降低了，服务提升了。",
)

from rulecases import CASES, RULE_TEST_MODULES, rule  # noqa: E402  (tests/ is on sys.path)

# --- decoding ------------------------------------------------------------------------


@rule("decode-encoding")
def test_decode_encoding():
    page = f"{HEADLINE_004}\n\n{DATELINE_004}\n"
    utf8 = read_bytes(page.encode("utf-8"), source="t.txt", meta=META)
    for data in (
        page.encode("utf-8-sig"),
        page.encode("gb18030"),
        b"\xff\xfe" + page.encode("utf-16-le"),
        b"\xfe\xff" + page.encode("utf-16-be"),
    ):
        other = read_bytes(data, source="t.txt", meta=META)
        assert other.articles == utf8.articles


@rule("unicode-nfc")
def test_unicode_nfc_and_line_ends():
    page = f"{HEADLINE_004}\n\n{DATELINE_004}\n"
    lf = read(page)
    assert read(page.replace("\n", "\r\n")).articles == lf.articles
    assert read(page.replace("\n", "\r")).articles == lf.articles
    # A decomposed character is composed (NFC): e + COMBINING ACUTE → é.
    assert "é" in only(read(f"{HEADLINE_004}\n\n本报讯 Cafe\u0301咖啡馆开业。\n")).paragraphs[0].text


@rule("drop-control-characters")
def test_control_characters_removed():
    issue = read(f"{HEADLINE_004}\n\n本报讯 12月9日市邮政\x07管理局消息。\x1b\n")
    assert only(issue).paragraphs[0].text == "12月9日市邮政管理局消息。"
    assert any(d.code == "PO103" for d in issue.diagnostics)


@rule("front-matter")
def test_front_matter():
    page = f"---\ntitle: x\ndate: 2021-12-10\npage: 1\n---\n{HEADLINE_004}\n\n{DATELINE_004}\n"
    issue = read_text(page, source="t.txt")
    assert issue.date == dt.date(2021, 12, 10) and issue.page == 1
    assert only(issue).title == HEADLINE_004


# --- cleaning ------------------------------------------------------------------------


@rule("blank-lines")
def test_whitespace_only_lines_and_indents():
    # seed 003 lines 16-19: a whitespace-only line inside a broken paragraph.
    page = "强化二次巡检 确保用水安全\n\n本报讯 切实把各项工作做到最\n\n \n好最优，为全市全省作示范。\n"
    art = only(read(page))
    assert art.paragraphs[0].text == "切实把各项工作做到最好最优，为全市全省作示范。"
    indented = "\u3000\u3000本报讯 切实把各项工作做到最\n\u00a0\t\n好最优，为全市全省作示范。\u3000\n"
    assert only(read("强化二次巡检 确保用水安全\n\n" + indented)).paragraphs == art.paragraphs


@rule("fullwidth-punctuation")
def test_fullwidth_punctuation():
    # seed 002 lines 5 and 103: half-width punctuation in Chinese text, phone numbers kept.
    art = only(
        read(
            "# 标题\n\n本报讯 7月27日,市政协党组召开扩大会议。太原市档案馆查档电话为0351-2366977;晋中市档案馆查档电话为0354-3036293。返(抵)并人员要主动报备?\n"
        )
    )
    text = art.paragraphs[0].text
    assert text.startswith("7月27日，市政协")
    assert "0351-2366977；晋中" in text and "返（抵）并" in text and text.endswith("报备？")
    art = only(
        read(
            "# 标题\n\n本报讯 全长约5.24公里，时间10:30，共1,000人，《晋创谷创新驱动平台建设三年行动计划（2024—2026年）》。\n"
        )
    )
    assert (
        "5.24公里" in art.paragraphs[0].text
        and "10:30" in art.paragraphs[0].text
        and "1,000人" in art.paragraphs[0].text
    )


@rule("stray-spaces")
def test_stray_spaces():
    # seed 001 line 39: a space inside a quoted slogan stays; seed 004 line 19: after a credit.
    art = only(read("标题\n\n第六届进博会上，以“相约浦江 共享未来”为主题的“山西之夜”精彩 绽放。\n"))
    assert art.paragraphs[0].text == "第六届进博会上，以“相约浦江 共享未来”为主题的“山西之夜”精彩绽放。"
    art = only(
        read(
            "韦韬与安永中国主席陈凯举行工作会谈\n\n本报讯(记者 赵继钊、殷雪莺) 12月8日,省委常委与安永中国主席举行工作会谈。\n"
        )
    )
    assert art.paragraphs[0].text.startswith("12月8日，省委")
    # A layout space in a headline is kept: it separates the headline's clauses.
    assert (
        only(read("社区干部巡查 发现走失老人\n\n本报讯 老人被家人接走。\n")).title
        == "社区干部巡查 发现走失老人"
    )


@rule("zero-width")
def test_zero_width():
    art = only(read(f"快递网点\u200b实现“村村通”\n\n{DATELINE_004}\ufeff\n"))
    assert art.title == HEADLINE_004 and "\ufeff" not in art.paragraphs[0].text


@rule("markdown-heading")
def test_markdown_heading_levels():
    # seed 002 lines 13-17 (headline + subtitle) and 105-109 (kicker + headline).
    issue = read(
        "# 以更加饱满的精神状态 狠抓工业高质量发展\n\n## 全市工业高质量发展大会引发热烈反响\n\n"
        "把基础优势打造成领跑优势。\n\n记者 王勇 司勇\n\n"
        "### 万柏林区\n\n## 守护“一老一小” 彰显民生温度\n\n自从专项行动开展以来，尽心尽力为民办实事。\n\n"
        "### 托起幸福“夕阳红”\n\n“平时我们工作都很忙。”东风社区居民难掩喜悦之情。\n"
    )
    first, second = issue.articles
    assert (first.title, first.subtitle) == (
        "以更加饱满的精神状态 狠抓工业高质量发展",
        "全市工业高质量发展大会引发热烈反响",
    )
    assert (second.kicker, second.title) == ("万柏林区", "守护“一老一小” 彰显民生温度")
    assert Subhead("托起幸福“夕阳红”") in second.body


@rule("markdown-bold")
def test_markdown_bold():
    # seed 004 lines 71-72: a bold slogan over two lines; inline bold keeps a mark.
    issue = read(
        "**全面贯彻“五位一体”总体布局\n和“四个全面”战略布局**\n\n我市有了两个 国家双创示范基地\n\n本报讯 **工信部**确定一批示范基地。\n"
    )
    assert [f.text for f in issue.furniture] == ["全面贯彻“五位一体”总体布局和“四个全面”战略布局"]
    para = only(issue).paragraphs[0]
    assert para.text == "工信部确定一批示范基地。"
    assert [(m.start, m.end, m.style) for m in para.marks] == [(0, 3, "bold")]
    assert para.repairs[0].orig == "**工信部**"


@rule("latex-scripts")
def test_latex_subscript():
    # seed 004 line 65.
    issue = read("标题\n\n在除尘减霾清洁机、生物抑尘地膜、PM_{2.5}+臭氧协同治理等方面取得技术突破。\n")
    para = only(issue).paragraphs[0]
    assert para.text == "在除尘减霾清洁机、生物抑尘地膜、PM2.5+臭氧协同治理等方面取得技术突破。"
    (mark,) = para.marks
    assert para.text[mark.start : mark.end] == "2.5" and mark.style == "subscript"
    (repair,) = para.repairs
    assert (para.text[repair.start : repair.end], repair.orig) == ("PM2.5", "PM_{2.5}")


# --- paragraphs ------------------------------------------------------------------------


@rule("rejoin-broken-paragraph")
def test_rejoin_broken_paragraph():
    # seed 000 lines 9-11 and 15-17 ("…“果篮子”" / "需求。").
    art = only(
        read(
            f"走进上海，赴一场“世界之约”\n\n{BROKEN_000[0]}\n\n{BROKEN_000[1]}\n\n"
            f"{GREENGROCER[0]}\n\n{GREENGROCER[1]}\n"
        )
    )
    first, second = art.paragraphs
    assert first.text == BROKEN_000[0] + BROKEN_000[1]
    assert first.joins == (len(BROKEN_000[0]),)
    assert second.text == GREENGROCER[0] + GREENGROCER[1]


@rule("blank-line-ends-paragraph")
def test_blank_line_ends_paragraph():
    # corpus rmrb/20190201-10-01.txt lines 2-6 (CRLF): a standfirst that ends without a
    # full stop, set off by an indent-only line on a page that indents its paragraphs.
    page = (
        "\r\n用奋斗铸就盛会华彩乐章（体坛观澜）\r\n——写在北京冬奥会开幕倒计时三周年之际\r\n"
        "\u3000\u3000北京冬奥会开幕倒计时3周年之际，从建设者到运动健儿，从组织管理者到参与冰雪运动的大众，"
        "无数奋斗者的身影，正在为一届“精彩、非凡、卓越”的奥运盛会写下坚实的注脚\r\n\u3000\u3000\r\n"
        "\u3000\u3000洁白的冰雪描绘着梦想的模样。为梦想付出的所有努力，正铺就一条奔向2022之路。\r\n"
    )
    art = only(read(page))
    assert [p.text[-4:] for p in art.paragraphs] == ["实的注脚", "2之路。"]
    # Without the indent-only line the unfinished line goes on in the next (rule
    # rejoin-broken-paragraph), as on a page separated by blank lines.
    art = only(read(page.replace("\u3000\u3000\r\n\u3000\u3000洁白", "\u3000\u3000洁白")))
    assert len(art.paragraphs) == 1


@rule("photo-credit-inside-paragraph")
def test_photo_credit_inside_paragraph():
    # seed 003 lines 27-33.
    art = only(
        read(
            "万亩生态园 雨后现云海\n\n本报讯(记者 周利芳)11月8日，太原上空出现云海。\n\n"
            "登上西山万亩生态园启春阁顶层时，天际云海边缘泛起红\n\n\n\n高劲鹏 摄\n\n晕。随着朝阳升起，阳光为云海镶上金边。\n"
        )
    )
    para = art.paragraphs[1]
    assert (
        para.text
        == "登上西山万亩生态园启春阁顶层时，天际云海边缘泛起红晕。随着朝阳升起，阳光为云海镶上金边。"
    )
    (repair,) = para.repairs
    assert repair.reason == "photo-credit-inside-paragraph" and repair.orig == "高劲鹏 摄"
    assert para.text[: repair.start].endswith("泛起红")
    figure = art.body[art.body.index(para) + 1]
    assert isinstance(figure, Figure) and figure.credit.contributors[0].name == "高劲鹏"
    assert figure.credit.contributors[0].role is Role.PHOTOGRAPHER


@rule("fragment-not-headline")
def test_fragment_not_headline():
    # seed 001 line 125 (two commas) and seed 004 lines 7-9 (inside a 本报讯 report).
    art = only(
        read(
            "党建引领绘就“老青小”幸福底色\n\n今年以来，社区找到自己的乐趣。\n\n社区针对年轻人需求，一方面，依托新时代文明\n\n实践站，积极打造社交与成长空间。\n"
        )
    )
    assert (
        art.paragraphs[1].text == "社区针对年轻人需求，一方面，依托新时代文明实践站，积极打造社交与成长空间。"
    )
    issue = read(
        "本报讯 12月9日，省工信厅发布实施意见。\n\n构建以太原为核心、大同—吕梁—阳泉为支撑、多地市\n\n协同发展的“1+3+N”数据中心空间布局。\n\n(何宝国)\n"
    )
    art = only(issue)
    assert (
        art.paragraphs[1].text
        == "构建以太原为核心、大同—吕梁—阳泉为支撑、多地市协同发展的“1+3+N”数据中心空间布局。"
    )
    assert not any(isinstance(b, Subhead) for b in art.body)


# --- headlines ------------------------------------------------------------------------


@rule("headline-line")
def test_headline_line():
    issue = read(f"{HEADLINE_004}\n\n{DATELINE_004}\n")
    assert only(issue).title == HEADLINE_004


@rule("headline-wrap")
def test_headline_wrap():
    # seed 003 lines 39-40 and 5-6.
    assert (
        only(read("我市四城区入选\n中部百强区\n\n本报讯(记者 李静)11月6日，榜单出炉。\n")).title
        == "我市四城区入选中部百强区"
    )
    art = only(
        read(
            "全力收官“十四五” 科学谋划“十五五”\n在奋力推动高质量发展中展现小店担当\n\n本报讯 11月9日，林红玉宣讲。\n"
        )
    )
    assert art.title == "全力收官“十四五” 科学谋划“十五五” 在奋力推动高质量发展中展现小店担当"


@rule("headline-wrap-space")
def test_headline_wrap_space():
    # seed 004 line 74: printed over two lines after 两个, the dump keeps a space there.
    art = only(read("我市有了两个 国家双创示范基地\n\n本报讯 日前，名单公布。\n"))
    assert art.title == "我市有了两个国家双创示范基地"
    # a space between the clauses of a headline stays (seed 001, udn, rmrb), and so does
    # one after a measure word that ends a clause before a new one
    for title in ("社区干部巡查 发现走失老人", "沈有忠：台獨議題不存在 中華民國已建立115年",
                  "坚持问题导向 聚焦重点工作推动共建“一带一路”向高质量发展转变", "共建5G基站 3000个"):
        assert only(read(f"{title}\n\n本报讯 日前，名单公布。\n")).title == title, title


@rule("headline-stack")
def test_headline_stack():
    # seed 003 lines 3-10: kicker, two-line headline, subtitle; seed 004 lines 47-49.
    art = only(
        read(
            "林红玉在小店区宣讲调研时强调\n\n全力收官“十四五” 科学谋划“十五五”\n在奋力推动高质量发展中展现小店担当\n\n"
            "武晓花参加\n\n本报讯(记者 殷雪鸢 胡引平)11月9日，林红玉在小店区宣讲调研。\n"
        )
    )
    assert art.kicker == "林红玉在小店区宣讲调研时强调"
    assert art.subtitle == "武晓花参加"
    art = only(
        read("为全方位高质量发展“赋能添翼”\n\n——杏花岭区深化省校合作成果初探\n\n进入12月份，太原天气渐冷。\n")
    )
    assert (art.title, art.subtitle) == ("为全方位高质量发展“赋能添翼”", "——杏花岭区深化省校合作成果初探")


@rule("crawl-header-slots")
def test_crawl_header_slots():
    # corpus rmrb/20190201-01-02.txt lines 1-4 (kicker, headline, empty subtitle slot) and
    # rmrb/20190201-01-03.txt lines 1-4 (empty kicker slot, headline, a long deck).
    art = only(
        read(
            "《求是》杂志发表习近平总书记重要文章\r\n推动我国生态文明建设迈上新台阶\r\n\r\n"
            "\u3000\u3000新华社北京1月31日电\u00a0 2月1日出版的第3期《求是》杂志将发表中共中央总书记、"
            "国家主席、中央军委主席习近平的重要文章《推动我国生态文明建设迈上新台阶》。\r\n"
        )
    )
    assert (art.kicker, art.title, art.subtitle) == (
        "《求是》杂志发表习近平总书记重要文章",
        "推动我国生态文明建设迈上新台阶",
        None,
    )
    assert art.dateline == "新华社北京1月31日电"
    deck = (
        "习近平强调，中方高度重视筹办北京冬奥会，目前各项工作正在扎实有序推进。"
        "我们一定会积极努力，为世界呈现一届绿色、共享、开放、廉洁的冬奥会"
    )
    page = (
        f"\r\n习近平会见国际奥委会主席巴赫\r\n{deck}\r\n"
        "\u3000\u3000本报北京1月31日电\u00a0（记者杜一菲）国家主席习近平31日在人民大会堂会见国际奥林匹克委员会主席巴赫。\r\n"
    )
    art = only(read(page))
    assert (art.kicker, art.title, art.subtitle) == (None, "习近平会见国际奥委会主席巴赫", deck)
    assert art.dateline == "本报北京1月31日电"
    assert [(c.name, c.role) for c in art.byline.contributors] == [("杜一菲", Role.REPORTER)]
    assert len(art.paragraphs) == 1
    # Not the slots' shape (the text is not indented, or starts on another line): the
    # deck is text, as on any page.
    art = only(read(page.replace("\u3000\u3000本报", "本报")))
    assert art.subtitle is None and art.paragraphs[0].text == deck


@rule("column-label")
def test_column_label():
    # seed 001 lines 47-53.
    art = only(
        read("并州论坛 |\n\n科研创新是引擎更是号角\n\n袁剑锋\n\n中国科学院山西煤化所取得突破性成果。\n")
    )
    assert (art.column, art.title) == ("并州论坛", "科研创新是引擎更是号角")


@rule("column-label-bracketed")
def test_column_label_bracketed():
    # corpus rmrb/20190201-05-03.txt line 2 (half-width brackets in the dump) and
    # rmrb/20200501-03-07.txt line 2 (a label of two phrases).
    body = "\n\n2019年世界经济论坛年会近日在瑞士达沃斯落下帷幕。\n"
    art = only(read("有了灯光，也要留住星光(域外听风)" + body))
    assert (art.column, art.title) == ("域外听风", "有了灯光，也要留住星光")
    art = only(read("联合国首个全球人道主义应急枢纽在华启动(患难见真情 共同抗疫情)" + body))
    assert (art.column, art.title) == ("患难见真情 共同抗疫情", "联合国首个全球人道主义应急枢纽在华启动")
    # Two phrases joined by ·, quotes inside (corpus rmrb/rmrb_20260704_baodao_zhaiyao:
    # （海外观澜·百年大党的世界回响）, （“七一勋章”获得者）).
    art = only(read("“将理念转化为行动，将梦想变为现实”（海外观澜·百年大党的世界回响）" + body))
    assert (art.column, art.title) == ("海外观澜·百年大党的世界回响", "“将理念转化为行动，将梦想变为现实”")
    art = only(read("“永远做一名听党指挥的人民子弟兵”（“七一勋章”获得者）" + body))
    assert art.column == "“七一勋章”获得者"
    # A part, status or media word stays in the headline; so does a bracket with
    # punctuation or digits, or a longer one.
    for title in (
        "有了灯光，也要留住星光（上篇）",
        "有了灯光，也要留住星光（草案）",
        "有了灯光，也要留住星光（组图）",
        "有了灯光，也要留住星光（2019）",
        "有了灯光，也要留住星光（域外：听风）",
        "有了灯光，也要留住星光（一二三四五六七八九十一二三）",
    ):
        art = only(read(title + body))
        assert (art.column, art.title) == (None, title)


@rule("subhead")
def test_subhead():
    # seed 001 lines 3-13 (a feature's subhead) and seed 000 lines 57-65 (a roundup).
    art = only(
        read(
            "进阶攀高向新行\n\n——在进博会上展现太原奋进步伐\n\n深秋时节，世界目光再次投向黄浦江畔。\n\n扬开放之帆\n\n“很有成效，一年比一年好。”薛文凯笑意盈盈。\n"
        )
    )
    assert art.body[1] == Subhead("扬开放之帆")
    art = only(
        read(
            "转型发展蹚新路 基层进行时\n\n小店区\n\n11月4日，小店区委召开专题学习会。\n\n尖草坪区\n\n11月4日，尖草坪区委负责人调研。\n\n(以上由王勇编辑整理)\n"
        )
    )
    assert [b.text for b in art.body if isinstance(b, Subhead)] == ["小店区", "尖草坪区"]
    assert art.title == "转型发展蹚新路 基层进行时" and art.subtitle is None


@rule("banner")
def test_banner():
    # seed 001 line 143 (a running column banner at the end) and seed 002 lines 133-135.
    issue = read("党建引领绘就“老青小”幸福底色\n\n社区将持续创新。\n\n（李涛）\n\n抓党建促基层治理能力提升\n")
    assert [f.text for f in issue.furniture] == ["抓党建促基层治理能力提升"]
    assert issue.furniture[0].position == 1 and len(issue.articles) == 1
    issue = read(
        "抓党建促基层治理能力提升 党群服务中心架起党群“连心桥”\n\n通告 亲贤村项目,现决定更换物业公司。 特此通告 太原绿城房地产开发有限公司 2022年7月26日\n"
    )
    assert [f.kind for f in issue.furniture] == ["banner"] and issue.articles[0].kind is Kind.NOTICE


# --- credits ------------------------------------------------------------------------


@rule("dateline")
def test_dateline():
    art = only(
        read("太原理工大学两人参加中国第38次南极科考\n\n本报讯(记者 尹哲)太原理工大学11月7日传来喜讯。\n")
    )
    assert art.dateline == "本报讯" and art.byline.text == "（记者 尹哲）"
    assert art.paragraphs[0].text == "太原理工大学11月7日传来喜讯。"
    art = only(read("标题\n\n新华社北京11月5日电（记者 张伟）国务院新闻办公室今天举行发布会。\n"))
    assert art.dateline == "新华社北京11月5日电" and art.byline.contributors[0].name == "张伟"


@rule("closing-dateline")
def test_closing_dateline():
    # corpus rmrb/20200501-03-04.txt lines 9-10: the dateline closes the interview.
    art = only(
        read(
            "“只有共同努力，才能战胜疫情”\n\n——访俄罗斯国家杜马第一副主席梅利尼科夫\n\n"
            "“患难见真情。”梅利尼科夫说。\n\n"
            "梅利尼科夫认为，疫情在全球蔓延，任何国家都无法单独应对。\n\n（本报莫斯科4月30日电）\n"
        )
    )
    assert art.dateline == "本报莫斯科4月30日电"
    assert len(art.paragraphs) == 2
    assert all("莫斯科" not in p.text for p in art.paragraphs)


def test_page_from_filename():
    # The corpus's per-article dumps are named date-page-item: rmrb/20190201-05-03.txt.
    from pressout.read.meta import page_from_filename

    assert page_from_filename("20190201-05-03.txt") == 5
    assert page_from_filename("20200501-04-07.txt") == 4
    for name in ("20190201-00-03.txt", "20190231-05-03.txt", "x20190201-05-03.txt", "20190201-5-3.txt",
                 "000_c8ae31b64c1052c2.txt", "2019-02-01.txt"):
        assert page_from_filename(name) is None, name
    issue = read_text("标题\n\n本报讯 正文。\n", source="20190201-05-03.txt")
    assert (issue.date, issue.page) == (dt.date(2019, 2, 1), 5)
    assert read_text("标题\n\n本报讯 正文。\n", source="20190201-05-03.txt", meta=IssueMeta(page=7)).page == 7


@rule("credit-roles")
def test_credit_roles():
    # seed 000 line 45; a layout space inside a two-character name.
    art = only(
        read("社区干部巡查 发现走失老人\n\n本报讯(记者 韩睿 通讯员 高雅慧)11月5日晚，老人被家人接走。\n")
    )
    assert [(c.name, c.role) for c in art.contributors] == [
        ("韩睿", Role.REPORTER),
        ("高雅慧", Role.CORRESPONDENT),
    ]
    art = only(read("标题\n\n本报讯（本报记者 王 勇）11月5日晚，老人被家人接走。\n"))
    assert art.byline.text == "（本报记者 王勇）" and art.contributors[0].name == "王勇"


@rule("closing-credit")
def test_closing_credit():
    # seed 001 line 45 (after the last sentence), seed 004 line 45 (bracketed, two names),
    # seed 002 line 49 (several names alone on a line).
    art = only(read("进阶攀高向新行\n\n奋进之路永无终点，与时代同行、与世界共舞。 记者 李静\n"))
    assert art.paragraphs[0].text.endswith("与世界共舞。") and art.closing[0].text == "记者 李静"
    art = only(read(f"{HEADLINE_004}\n\n{DATELINE_004}\n\n(李涛、马卓)\n"))
    assert [(c.name, c.role) for c in art.contributors] == [("李涛", Role.AUTHOR), ("马卓", Role.AUTHOR)]
    art = only(read("标题\n\n正文。\n\n记者 王勇 司勇 李杰华 阎轶洁 侯慧琴 刘志刚\n"))
    assert len(art.closing[0].contributors) == 6
    # A place in brackets after a sentence is not a credit.
    art = only(read("标题\n\n实用新型平均16天(最短10天)。\n"))
    assert art.paragraphs[0].text == "实用新型平均16天（最短10天）。" and not art.closing


@rule("editor-credit")
def test_editor_credit():
    art = only(
        read(
            "转型发展蹚新路 基层进行时\n\n小店区\n\n11月4日，小店区委召开专题学习会。\n\n(以上由王勇编辑整理)\n"
        )
    )
    assert art.closing[0].text == "（以上由王勇编辑整理）"
    assert art.contributors[0].role is Role.EDITOR


@rule("author-line")
def test_author_line():
    art = only(
        read("并州论坛 |\n\n科研创新是引擎更是号角\n\n袁剑锋\n\n中国科学院山西煤化所取得突破性成果。\n")
    )
    assert art.byline.text == "袁剑锋" and art.contributors[0].role is Role.AUTHOR
    # A district name under a headline is a subhead, not an author.
    art = only(read("转型发展蹚新路 基层进行时\n\n古交市\n\n11月1日，古交市召开推进会。\n"))
    assert art.byline is None and art.body[0] == Subhead("古交市")


# --- items ------------------------------------------------------------------------


@rule("photo-item")
def test_photo_item():
    # seed 001 line 89 (credit on the same line), seed 004 lines 31-33 (next line).
    issue = read(
        "志愿助农抢收确保颗粒归仓\n\n本报讯 连日来，助农服务队深入田间地头。 (刘志刚)\n\n\n\n"
        "11月4日，太原市图书馆自习室座无虚席。考生们纷纷走进图书馆备考冲刺。 张澍宏 摄\n\n"
        "紫林醋业举办安全生产培训\n\n本报讯 11月1日，紫林醋业组织全体员工开展安全生产专项培训。\n"
    )
    photo = issue.articles[1]
    assert photo.kind is Kind.PHOTO and photo.title is None
    assert photo.display_title == "太原市图书馆自习室座无虚席"
    assert photo.body[0].credit.text == "张澍宏 摄"
    issue = read(
        "标题\n\n本报讯 陈凯感谢太原对安永的关注和支持。\n\n\n\n12月9日，进山中学校航天科技教育基地。图为师生观看现场直播。\n\n牛利敏 摄\n\n"
        f"{HEADLINE_004}\n\n{DATELINE_004}\n"
    )
    assert [a.kind for a in issue.articles] == [Kind.ARTICLE, Kind.PHOTO, Kind.ARTICLE]
    assert issue.articles[1].body[0].text.endswith("图为师生观看现场直播。")


@rule("headline-missing")
def test_headline_missing():
    # seed 004 lines 88-90.
    issue = read(
        "全省首家涉外 示范社区挂牌成立\n\n本报讯 12月9日，市外事办挂牌涉外示范社区。\n\n(张晓丽)\n\n"
        "本报讯 “问道金陵”赵国柱、徐晓梅、王志刚、冀卫东书法联展,近日在南京金陵美术馆展出,山西4位书法家的百余幅近作展示了山西书法的厚重。\n"
    )
    second = issue.articles[1]
    assert second.title is None and second.dateline == "本报讯"
    # The first sentence is over 60 characters: cut at its last clause break that fits.
    assert (
        second.display_title == "“问道金陵”赵国柱、徐晓梅、王志刚、冀卫东书法联展，近日在南京金陵美术馆展出"
    )


@rule("continuation-note")
def test_continuation_note():
    issue = read(
        "市委常委宣讲党的十九届六中全会精神\n\n本报讯 按照市委统一部署，市委常委深入基层一线。\n\n(下转第3版)\n\n"
        "太原知识产权服务业 集聚区建成运行\n\n本报讯 12月9日，集聚区已建成运行。\n"
    )
    first = issue.articles[0]
    assert first.body[-1] == Note("（下转第3版）") and first.body[-1].page == 3
    assert len(issue.articles) == 2


@rule("notice")
def test_notice():
    # seed 002 line 135.
    issue = read(
        "通告 亲贤村城中村改造太原广场项目地块二项目,为提高物业服务品质,现决定更换物业公司,解除与山西众诚物业管理有限公司的合作。 特此通告 太原绿城房地产开发有限公司 2022年7月26日\n"
    )
    notice = only(issue)
    assert notice.kind is Kind.NOTICE and notice.title == "通告"
    assert [p.text for p in notice.paragraphs] == [
        "亲贤村城中村改造太原广场项目地块二项目，为提高物业服务品质，现决定更换物业公司，解除与山西众诚物业管理有限公司的合作。",
        "特此通告",
        "太原绿城房地产开发有限公司",
        "2022年7月26日",
    ]


@rule("editor-box")
def test_editor_box():
    issue = read(f"{HEADLINE_004}\n\n{DATELINE_004}\n\n责任编辑：王勇 版式设计：李静\n")
    assert [(f.kind, f.text) for f in issue.furniture] == [("editor-box", "责任编辑：王勇 版式设计：李静")]


def test_every_rule_has_a_test():
    import importlib

    for name in RULE_TEST_MODULES:
        importlib.import_module(name)
    assert set(CASES) == set(RULE_NAMES)


def test_every_repair_names_its_rule(seed_paths):
    """A repair's reason is the rule that made it, so the TEI's reg/@type points at a
    statement of its editorialDecl."""
    from pressout.read import read_page

    reasons = {
        r.reason for p in seed_paths for a in read_page(p).articles for b in a.paragraphs for r in b.repairs
    }
    reasons |= {r.reason for r in only(read("标题\n\n**粗**体 m^{2} CO_2。\n")).paragraphs[0].repairs}
    assert reasons == {"latex-scripts", "photo-credit-inside-paragraph", "markdown-bold"}
    assert reasons <= RULE_NAMES
