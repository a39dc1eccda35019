"""Reading rules from the evaluation corpus (tests/corpus): whole-issue dumps with page
headers (申報), People's Daily per-article files, Taiwan and Hong Kong forms (自由時報,
中國時報, 聯合報, 眾新聞), and the credit and role words they print.

One test per rule (``@rule``), each with real lines from the corpus files named in its
comments; where the corpus has only the container form of a line (a JSON or CSV record,
not unwrapped yet) the record is given here as a page: its title on the first line, a
blank line, then its text, as the container readers feed it to the same segmenter.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from rulecases import rule
from test_reader import _significant
from test_safety_reader import _pieces, assert_nothing_lost

from pressout.model import Figure, Kind, Role
from pressout.read import IssueMeta, read_page, read_text
from pressout.read import credits as cr

META = IssueMeta(date=dt.date(2021, 12, 10), date_cert="medium")
CORPUS = Path(__file__).parent / "corpus" / "files"


def read(text: str):
    return read_text(text, source="t.txt", meta=META)


def only(issue):
    assert len(issue.articles) == 1, [a.display_title for a in issue.articles]
    return issue.articles[0]


def people(found) -> list[tuple[str, Role]]:
    """(name, role) of a credit's, an article's or ``parse_people``'s contributors."""
    contributors = found if isinstance(found, tuple) else getattr(found, "contributors", ())
    return [(c.name, c.role) for c in contributors]


def furniture(issue) -> list[str]:
    return [f.text for f in issue.furniture]


def assert_kept(text: str, issue) -> None:
    """Every letter and digit of the page is in the model (in any order: a page header
    inside an article is furniture after it)."""
    model = "".join(readings[0] for readings in _pieces(issue))
    assert Counter(model) == Counter(_significant(text))


# --- 申報: whole-issue OCR dumps (tests/corpus/files/shenbao) --------------------------

# 1880-1-4902399_p1-2.txt lines 15-16, 20, 24-26 (the OCR prints no punctuation; cut short).
ESSAY_HEAD = "[龍見辨誣]  "
ESSAY_P1 = "\u3000\u3000余素不信鄕民占候之說故本月望前二日天氣驟煖如暮春光景特爲論說以易明之理解之"
ESSAY_P2 = "龍特體大而性靈故啓蟄之時風雨交作也然則龍自有風雨之助何有乎取水哉故此說不可信也"
NEWS_HEAD = "[李逆餘聞]  "
NEWS_TEXT = "\u3000\u3000○前讀邸抄知李揚材業經拿獲所有在事出力員弁均分別獎賞"


@rule("page-header")
def test_page_header():
    # shenbao 1880-1-4902399_p1-2.txt: the essay runs over the page break, one paragraph.
    page = f"Page 1\n\n \n \n{ESSAY_HEAD}\n{ESSAY_P1} \n \n \n\nPage 2\n\n \n \n{ESSAY_P2} \n{NEWS_HEAD}\n{NEWS_TEXT} \n"
    issue = read(page)
    essay, news = issue.articles
    assert essay.title == "龍見辨誣" and news.title == "李逆餘聞"
    assert len(essay.paragraphs) == 1
    assert essay.paragraphs[0].text == ESSAY_P1.strip() + ESSAY_P2
    assert furniture(issue) == ["Page 1", "Page 2"]
    assert "page-header" in issue.rules_applied
    assert_kept(page, issue)
    # The other shapes of a page header, between two items of a seed page.
    for header in ("第3版", "第03版：要闻", "A03 要闻", "A03版：要闻", "01版：要闻", "## A03 要闻", "[01版：要闻]",
                   "【第3版】", "4版"):
        page = f"快递网点实现“村村通”\n\n本报讯 市邮政管理局消息。\n\n{header}\n\n强化二次巡检 确保用水安全\n\n本报讯 切实把各项工作做到最好。\n"
        issue = read(page)
        assert [a.title for a in issue.articles] == ["快递网点实现“村村通”", "强化二次巡检 确保用水安全"], (
            header
        )
        assert furniture(issue) == [header.lstrip("# ")], header  # (a Markdown heading marker is no text)
        assert_nothing_lost(page, issue)
    # A headline that starts like one is none; nor is a bracketed headline (申報's form).
    art = read("G20 峰会开幕\n\n本报讯 峰会今天开幕。\n").articles[0]
    assert art.title == "G20 峰会开幕"
    assert read("[龍見辨誣]\n　　○龍之爲物也古今說者不一。\n").articles[0].title == "龍見辨誣"


def test_page_headers_start_pages():
    """Each page header starts a page (label and name), and each article is on the page of
    the last header before it; a page the dump returns to is one page."""
    from pressout.model import Page

    text = ("要闻导读\n\n本报讯 今日要目。\n\n[01版：要闻]\n\n快递网点实现“村村通”\n\n本报讯 市邮政管理局消息。\n\n"
            "第2版\n\n强化二次巡检 确保用水安全\n\n本报讯 切实把各项工作做到最好。\n\n"
            "A03 杭州新闻\n\n地铁三号线北延段今日开通\n\n本报讯 地铁今日起试运营。\n\n"
            "01版：要闻\n\n西湖景区迎客高峰\n\n本报讯 游客超过五十万人次。\n")
    issue = read(text)
    assert issue.pages == (Page("1", "要闻"), Page("2"), Page("A03", "杭州新闻"))
    assert [a.page for a in issue.articles] == [None, "1", "2", "A03", "1"]
    assert [(p.heading if p else None, len(run)) for p, run in issue.by_page()] == [
        (None, 1), ("第1版 要闻", 1), ("第2版", 1), ("A03版 杭州新闻", 1), ("第1版 要闻", 1)]
    assert issue.page is None and issue.title == "报刊不详 2021年12月10日"  # a whole issue: no page
    # A page dump with its header only: every article on that page, the title naming it.
    one = read("A03 杭州新闻\n\n地铁三号线北延段今日开通\n\n本报讯 地铁今日起试运营。\n")
    assert one.pages == (Page("A03", "杭州新闻"),) and one.articles[0].page == "A03"
    assert one.title == "报刊不详 2021年12月10日 A03版"


def test_front_matter_page_keeps_its_label_and_name():
    for printed, page, label, name in (("3", 3, "3", None), ("A03", 3, "A03", None),
                                       ("A03 杭州新闻", 3, "A03", "杭州新闻"), ("第2版：要闻", 2, "2", "要闻")):
        issue = read_text(f"---\ntitle: 地铁三号线北延段今日开通\ndate: 2026-04-04\npage: {printed}\n---\n\n"
                          "　　本报讯 地铁今日起试运营。\n", source="a.md")
        assert (issue.page, [(p.label, p.name) for p in issue.pages]) == (page, [(label, name)]), printed
        assert issue.articles[0].page == label
    assert issue.title == "报刊不详 2026年4月4日 第2版"


@rule("file-header")
def test_file_header():
    # shenbao 1880-1-4902399_p1-2.txt lines 1-5: the archive's header, then the page's.
    page = f"# 1880 - 1 - 4902399\n\n \n\nPage 1\n\n \n \n{ESSAY_HEAD}\n{ESSAY_P1} \n"
    issue = read(page)
    assert only(issue).title == "龍見辨誣"
    assert furniture(issue) == ["# 1880 - 1 - 4902399", "Page 1"]
    assert "file-header" in issue.rules_applied
    assert_nothing_lost(page, issue)
    # Only as the page's first line: further down it is a heading like any other.
    issue = read(f"{ESSAY_HEAD}\n{ESSAY_P1}\n# 1880 - 1 - 4902399\n\n本报讯 正文。\n")
    assert "file-header" not in issue.rules_applied


@rule("bracketed-headline")
def test_bracketed_headline():
    # shenbao 1880-1-4902399_p1-2.txt lines 25-28: each [headline] starts an item, even
    # where the headline reads like a name (李逆餘聞) and the text before is unfinished.
    page = f"{NEWS_HEAD}\n{NEWS_TEXT} \n[魚販齊行]  \n\u3000\u3000○漢皋地方遼闊商販輻　各業皆有帮口有會舘 \n"
    issue = read(page)
    assert [a.title for a in issue.articles] == ["李逆餘聞", "魚販齊行"]
    assert [len(a.paragraphs) for a in issue.articles] == [1, 1]
    assert not issue.articles[0].contributors
    assert issue.articles[0].paragraphs[0].text.startswith("○前讀邸抄")
    assert_nothing_lost(page, issue)


@rule("bracketed-advertisement")
def test_bracketed_advertisement():
    # shenbao 1880-10-4902408_p1.txt lines 9-12 and 129-130 (the price list cut short).
    page = (
        "[新印各種書籍出售價目] [  木舘發售]  \n"
        "\u3000\u3000啓者本舘所排印書籍俱各精雅可喜茲特將各書實價附列如左 \n"
        "\u3000\u3000中英和約\u3000洋一角 \n"
        "\u3000\u3000中東和約\u3000洋一角 \n"
        "[書劉制軍封娼寮批示後]  \n"
        "\u3000\u3000遲任有言曰人惟求舊蓋以老成更事旣久人不得而欺之 \n"
    )
    issue = read(page)
    assert only(issue).title == "書劉制軍封娼寮批示後"
    ad = furniture(issue)
    assert ad[:2] == ["新印各種書籍出售價目", "木舘發售"]
    assert ad[2].startswith("啓者本舘") and ad[2].endswith("中東和約 洋一角")
    assert_nothing_lost(page, issue)
    # Both shenbao files read as their gold says: every item, no ad among them.
    for name, titles in (
        ("1880-10-4902408_p1.txt", ["書劉制軍封娼寮批示後"]),
        (
            "1880-1-4902399_p1-2.txt",
            ["龍見辨誣", "李逆餘聞", "魚販齊行", "引誘偷銀", "倚勢訛詐", "逐繩妓", "維揚油貴", "形家讕語"],
        ),
    ):
        issue = read_page(CORPUS / "shenbao" / name)
        assert [a.title for a in issue.articles] == titles
        assert all(len(a.paragraphs) == 1 for a in issue.articles)


# --- 人民日报 per-article files (tests/corpus/files/rmrb) --------------------------------

LETTER = (
    "\u3000\u3000值此“五一”国际劳动节之际，我向你们、向全国各族劳动群众致以节日的问候！\r\n"
    "\u3000\u3000习近平 \r\n"
    "\u3000\u30002020年4月30日 \r\n"
    "\u3000\u3000（新华社北京4月30日电） \r\n"
    "\u3000\u3000\r\n"
    "\u3000\u3000新华社北京4月30日电 在“五一”国际劳动节来临之际，习近平4月30日给郑州圆方集团全体职工回信。\r\n"
)


@rule("letter-signature")
def test_letter_signature():
    # rmrb 20200501-01-02.txt lines 8-13: the letter's signature and date, its closing
    # dateline, then the report.
    page = "弘扬劳动精神 克服艰难险阻\r\n\r\n" + LETTER
    art = only(read(page))
    texts = [p.text for p in art.paragraphs]
    assert texts[1:3] == ["习近平", "2020年4月30日"]
    assert len(texts) == 4 and not art.contributors
    assert art.dateline == "新华社北京4月30日电"
    # The whole file: one item of 10 paragraphs (corpus gold).
    art = only(read_page(CORPUS / "rmrb" / "20200501-01-02.txt"))
    assert len(art.paragraphs) == 10 and art.dateline == "新华社北京4月30日电" and not art.contributors


@rule("note-ends-paragraph")
def test_note_ends_paragraph():
    # rmrb 20200501-01-02.txt lines 15-16: （回信全文另发） after the last sentence.
    page = (
        "习近平给郑州圆方集团职工回信\r\n\r\n"
        "\u3000\u3000习近平指出，伟大出自平凡，英雄来自人民。（回信全文另发）\r\n"
        "\u3000\u3000圆方集团是河南省郑州市一家综合服务型民营企业，现有员工6万人。\r\n"
    )
    assert len(only(read(page)).paragraphs) == 2
    # A bracket that is no note after a sentence end does not end a line's paragraph.
    broken = "标题\n\n本报讯 切实把各项工作（做到\n最好）做到最优。\n"
    assert len(only(read(broken)).paragraphs) == 1


BRIEFS = CORPUS / "rmrb" / "20190201-11-03.txt"


@rule("deck-before-dateline")
def test_deck_before_dateline():
    # rmrb 20190201-11-03.txt lines 9-11: inside a report, a headline line, its long deck,
    # then the dateline of the next brief.
    lines = BRIEFS.read_bytes().decode("utf-8").split("\r\n")
    page = "\r\n".join(["证监会鼓励证券公司权益类投资", ""] + lines[5:12]) + "\r\n"
    first, second = read(page).articles
    assert second.title == "中国债券纳入彭博巴克莱债券指数"
    assert second.subtitle.startswith("截至去年末") and second.subtitle.endswith(
        "反映了国际投资者对中国经济的信心"
    )
    assert second.dateline == "本报北京1月31日电" and people(second.byline) == [("葛孟超", Role.REPORTER)]
    assert len(first.paragraphs) == 2 and len(second.paragraphs) == 2
    # A line with a full stop inside is text, not a deck.
    page = "标题\n\n习近平强调，目前各项工作正在扎实有序推进。我们一定会积极努力\n本报北京1月31日电 正文。\n"
    assert only(read(page)).subtitle is None


@rule("box-column")
def test_box_column():
    # rmrb 20190201-11-03.txt: 速览 in the headline slot, two briefs, the page's graphics
    # credit (corpus gold: column 速览, two items, staff furniture).
    issue = read_page(BRIEFS)
    first, second = issue.articles
    assert (first.column, first.title) == ("速览", "证监会鼓励证券公司权益类投资")
    assert first.subtitle.startswith("拟放宽证券公司投资权益类证券风险资本准备计算比例")
    assert (second.column, second.title) == ("速览", "中国债券纳入彭博巴克莱债券指数")
    assert [len(a.paragraphs) for a in issue.articles] == [2, 3]
    assert [(f.kind, f.text) for f in issue.furniture] == [("editor-box", "本版制图：蔡华伟")]
    # One report under a short heading is that heading's article (no box).
    page = "# 速览\n证监会鼓励证券公司权益类投资\n\n本报北京1月31日电 （记者许志峰）中国证监会今天宣布。\n"
    art = only(read(page))
    assert art.column is None and art.title == "速览"


# --- Taiwan and Hong Kong forms -----------------------------------------------------


@rule("headline-question")
def test_headline_question():
    # udn_news.txt record 6 (title and summary as a page).
    page = (
        "來亂的？卓伯源籲緊急重啟「彰化縣長4人對比式全民調」 藍基層轟背骨\n\n"
        "彰化縣前縣長卓伯源今提出「整合大平台」行動說帖。\n"
    )
    art = only(read(page))
    assert art.title == "來亂的？卓伯源籲緊急重啟「彰化縣長4人對比式全民調」 藍基層轟背骨"
    # Not the first line: a question is text (rmrb 20190201-18-01.txt line 15, cut).
    art = only(read("标题\n\n市长考及格了吗？\n\n每一个市民都有资格来打分。\n"))
    assert art.title == "标题" and art.paragraphs[0].text == "市长考及格了吗？"
    # Nor is a first line that text follows without a blank line.
    assert read("市长考及格了吗？\n每一个市民都有资格来打分。\n").articles[0].title is None


LEADING = {
    # (title as printed, column, headline): chinatimes RSS and CSV, ltn and udn crawls
    "晚安快評》聲討簡舒培惡質索資": ("晚安快評", "聲討簡舒培惡質索資"),
    "影》總預算協商  立委爭發言  韓國瑜怒了：這會還要不要開": (
        "影",
        "總預算協商 立委爭發言 韓國瑜怒了：這會還要不要開",
    ),
    "《國際經濟》戰事免驚 德國3月失業人數下降": ("國際經濟", "戰事免驚 德國3月失業人數下降"),
    "《港股》恆指漲0.7% 俄烏和談受惠股出頭": ("港股", "恆指漲0.7% 俄烏和談受惠股出頭"),
    "焦點評論》藍白搬石頭砸腳": ("焦點評論", "藍白搬石頭砸腳"),
    "政面交鋒專訪》莊競程轟高虹安施政如失速列車": ("政面交鋒專訪", "莊競程轟高虹安施政如失速列車"),
    "【總編開箱】一顆發芽馬鈴薯 讓賴政府超標的欺瞞與卸責毒素全現形": (
        "總編開箱",
        "一顆發芽馬鈴薯 讓賴政府超標的欺瞞與卸責毒素全現形",
    ),
    "【專家之眼】從兩岸交流之利 談國民黨主席為何該訪陸": (
        "專家之眼",
        "從兩岸交流之利 談國民黨主席為何該訪陸",
    ),
    "人物側寫／江啟臣找回海龍氣魄 以「爸爸市長」姿態出招": (
        "人物側寫",
        "江啟臣找回海龍氣魄 以「爸爸市長」姿態出招",
    ),
    "冷眼集／立院「誠意」 就是順民進黨的意": ("冷眼集", "立院「誠意」 就是順民進黨的意"),
    # topical labels, web tags and book titles stay in the headline
    "婚變延燒》趙建銘陳幸妤互控洩密 要求賠1億": (None, "婚變延燒》趙建銘陳幸妤互控洩密 要求賠1億"),
    "SOGO案二審》蘇震清判10年 廖國棟8年半": (None, "SOGO案二審》蘇震清判10年 廖國棟8年半"),
    "《北市議會開議》蔣萬安回應屢「複製貼上」 秦慧珠籲築防火牆": (
        None,
        "《北市議會開議》蔣萬安回應屢「複製貼上」 秦慧珠籲築防火牆",
    ),
    "影／打造國際級城市 何欣純提「三個第一」藍圖": (None, "影／打造國際級城市 何欣純提「三個第一」藍圖"),
    "民進黨民調／賴政府滿意度、信任度雙破5成": (None, "民進黨民調／賴政府滿意度、信任度雙破5成"),
    "NBC專訪／鄭麗文重申深化台美關係 推動兩岸和平穩定": (
        None,
        "NBC專訪／鄭麗文重申深化台美關係 推動兩岸和平穩定",
    ),
    "【方仲賢買雷射筆案】拒批控方將學生會FB帖文呈堂": (
        None,
        "【方仲賢買雷射筆案】拒批控方將學生會FB帖文呈堂",
    ),
    "《求是》杂志发表习近平总书记重要文章": (None, "《求是》杂志发表习近平总书记重要文章"),
}


@rule("column-label-leading")
def test_column_label_leading():
    for printed, (column, title) in LEADING.items():
        art = only(read(f"{printed}\n\n德國勞工局周四發布數據。\n"))
        assert (art.column, art.title) == (column, title), printed


@rule("headline-author")
def test_headline_author():
    # chinatimes week5_first12rows.csv row 6 and chinatimes_rss_4e5973e.xml item 5.
    page = (
        "時論廣場》避戰才是台灣唯一選項（戴東清）\n\n"
        "俄烏戰爭自2月24日開打以來已進入第5周，超出原本許多專家學者的預期。\n\n"
        "（作者為南華大學國際事務與企業學系教授）\n"
    )
    art = only(read(page))
    assert (art.column, art.title) == ("時論廣場", "避戰才是台灣唯一選項")
    assert people(art) == [("戴東清", Role.AUTHOR)]
    assert len(art.paragraphs) == 1 and art.closing[-1].text == "（作者為南華大學國際事務與企業學系教授）"
    art = only(read("晚安快評》聲討簡舒培惡質索資（何豪毅）\n\n民進黨台北市議員簡舒培索資事件。\n"))
    assert (art.column, art.title, people(art)) == (
        "晚安快評",
        "聲討簡舒培惡質索資",
        [("何豪毅", Role.AUTHOR)],
    )
    # rmrb 20190201-09-03.txt: the note names nobody and is no paragraph (corpus gold 7).
    art = only(read_page(CORPUS / "rmrb" / "20190201-09-03.txt"))
    assert len(art.paragraphs) == 7 and not art.contributors
    # A column label in brackets is no author (rmrb 20190201-18-01.txt, the rmrb and
    # rmrbhwb digests).
    for printed, column in (
        ("丰富群众“菜篮子”也是政绩（话说新农村）", "话说新农村"),
        ("一生守望（遇见）", "遇见"),
        ("“胖词典”要不得（金台随感）", "金台随感"),  # (金 is a surname: four hanzi, no name)
        ("勇担历史使命 建设科技强国（权威发布）", "权威发布"),
    ):
        art = only(read(f"{printed}\n\n正文。\n"))
        assert art.column == column and not art.contributors


@rule("dateline-traditional")
def test_dateline_traditional():
    art = only(read("總統府回應\n\n【本報訊】總統府今天表示，將持續關注。\n"))
    assert art.dateline == "【本報訊】" and art.paragraphs[0].text == "總統府今天表示，將持續關注。"
    art = only(read("農委會公布數據\n\n中央社記者劉品希台北10日電 農委會今天公布數據。\n\n（中央社）\n"))
    assert art.byline.text == "中央社記者劉品希" and art.dateline == "台北10日電"
    assert people(art.byline) == [("劉品希", Role.REPORTER)]
    art = only(read("農委會公布數據\n\n農委會今天公布數據。\n\n（中央社）\n"))
    assert art.dateline == "中央社" and len(art.paragraphs) == 1
    # rmrbhwb digest: a dateline without a date, its author in brackets.
    art = only(read("澳门青年“北上”实习拓宽就业视野\n\n本报电（钟欣）“粤港澳大湾区青年见习计划”启动。\n"))
    assert art.dateline == "本报电" and people(art.byline) == [("钟欣", Role.AUTHOR)]
    art = only(read("标题\n\n本报海口电 （记者王五）正文。\n"))
    assert art.dateline == "本报海口电"
    assert cr.match_dateline("本报电视台今天开播。") is None


@rule("bracketed-byline")
def test_bracketed_byline():
    # ltn today_news_32c4793.json record 8: the print subtitle, then the byline.
    page = (
        "藍白放行634億無人機預算 綠轟：藉機炒股\n\n"
        "鍾佳濱：藍為擋2100億特別預算 預先墊高談判籌碼\n"
        "〔記者陳政宇、方瑋立／台北報導〕立法院昨審議總預算案前一刻，國民黨團突宣布全數放行總計六三四億元的無人機相關預算。\n"
    )
    art = only(read(page))
    assert art.subtitle == "鍾佳濱：藍為擋2100億特別預算 預先墊高談判籌碼"
    assert art.dateline is None and art.byline.text == "〔記者陳政宇、方瑋立／台北報導〕"
    assert people(art) == [("陳政宇", Role.REPORTER), ("方瑋立", Role.REPORTER)]
    assert art.paragraphs[0].text.startswith("立法院昨審議")
    assert_nothing_lost(page, read(page))
    # The same record's byline on a page after another story: a new report.
    issue = read("标题\n\n本报讯 正文。\n\n" + page.split("\n", 3)[3])
    assert len(issue.articles) == 2 and people(issue.articles[1]) == people(art)
    # ltn today_news_32c4793.json record 15: 記者甲／特稿 on its own line.
    art = only(
        read("焦點評論》藍白搬石頭砸腳\n\n記者陳政宇／特稿\n立法院在會期尾聲一口氣通過三項公投提案。\n")
    )
    assert people(art) == [("陳政宇", Role.REPORTER)] and art.subtitle is None and len(art.paragraphs) == 1
    assert people(cr.match_credit_line("記者許詠晴╱台北報導")) == [("許詠晴", Role.REPORTER)]
    # A desk, no person: no credit, the words stay in the text.
    art = only(read("美參議員提法案\n\n〔國際新聞中心／綜合報導〕美國參議員提出法案。\n"))
    assert not art.contributors and art.paragraphs[0].text.startswith("〔國際新聞中心／綜合報導〕")


@rule("traditional-credits")
def test_traditional_credits():
    # hkcnews front matter authors (article_49005.md, article_49016.md, article_49010.md).
    assert people(cr.match_credit_line("中國組記者曾海琪")) == [("曾海琪", Role.REPORTER)]
    assert people(cr.match_credit_line("記者邢穎琦")) == [("邢穎琦", Role.REPORTER)]
    assert cr.match_credit_line("眾新聞記者") is None
    # hkcnews article_49016.md line 22: a figcaption's credit.
    caption, credit = cr.match_photo_credit("被告方仲賢。邢穎琦攝")
    assert caption == "被告方仲賢。" and people(credit) == [("邢穎琦", Role.PHOTOGRAPHER)]
    # ltn today_news_06aab57.json: （圖文：記者游太郎） credits the text and the picture.
    page = "跨區增援 花防部戰鬥車輛夜抵宜蘭\n\n陸軍花東防衛指揮部實施「聯合防禦操演」，完成「跨區增援」任務。（圖文：記者游太郎）\n"
    art = only(read(page))
    assert people(art) == [("游太郎", Role.REPORTER), ("游太郎", Role.PHOTOGRAPHER)]
    assert len(art.paragraphs) == 1 and sum(isinstance(b, Figure) for b in art.body) == 1
    # chinatimes week5_first12rows.csv row 8: the editor, then the wire's date code.
    page = (
        "俄承諾減少軍事行動 拜登：拭目以待\n\n美國將持續向烏克蘭提供物資、安全援助。（編輯：陳政一）1110330\n"
    )
    art = only(read(page))
    assert people(art) == [("陳政一", Role.EDITOR)] and art.closing[0].text == "（編輯：陳政一）1110330"
    assert len(art.paragraphs) == 1
    for line, who in (
        ("特約記者 王五", [("王五", Role.REPORTER)]),
        ("實習記者 王五 通訊員 李六", [("王五", Role.REPORTER), ("李六", Role.CORRESPONDENT)]),
        ("文／王五 圖／李六", [("王五", Role.AUTHOR), ("李六", Role.PHOTOGRAPHER)]),
        ("撰文 王五 攝影 李六", [("王五", Role.AUTHOR), ("李六", Role.PHOTOGRAPHER)]),
        ("責任編輯：王五", [("王五", Role.EDITOR)]),
    ):
        assert people(cr.parse_people(line, default=Role.AUTHOR, strict_names=False)) == who, line


@rule("photo-credit-forms")
def test_photo_credit_forms():
    # rmrbhwb digest 06版 (环球掠影): a caption, its credit and the agency after it.
    caption, credit = cr.match_photo_credit("图为俄罗斯青年在秦皇岛博物馆内参观。 曹建雄摄（人民视觉）")
    assert caption == "图为俄罗斯青年在秦皇岛博物馆内参观。"
    assert credit.text == "曹建雄摄（人民视觉）" and people(credit) == [("曹建雄", Role.PHOTOGRAPHER)]
    # An organisation or a source: a figure without a person.
    for line in ("受访者供图", "新华社发", "图据央视新闻", "眾新聞製圖"):
        caption, credit = cr.match_photo_credit(line)
        assert caption == "" and credit.text == line and credit.contributors == (), line
    for line, who in (("王五供图", "王五"), ("制图：蔡华伟", "蔡华伟"), ("新华社记者 王五 摄", "王五")):
        assert people(cr.match_photo_credit(line)[1]) == [(who, Role.PHOTOGRAPHER)], line
    # In a story: a figure known by its credit, no person for the organisation.
    page = "标题\n\n本报讯 活动现场人头攒动，气氛热烈。\n受访者供图\n\n活动持续到晚上。\n"
    art = only(read(page))
    figures = [b for b in art.body if isinstance(b, Figure)]
    assert len(figures) == 1 and figures[0].credit.text == "受访者供图" and not art.contributors
    # Credits for the whole page are its staff line, not a figure's (rmrb 20190201-11-03.txt).
    issue = read("标题\n\n本报讯 正文。\n\n本版制图：蔡华伟\n本版摄影 王五\n")
    assert [(f.kind, f.text) for f in issue.furniture] == [
        ("editor-box", "本版制图：蔡华伟"),
        ("editor-box", "本版摄影 王五"),
    ]


# --- Simplified role words (rule credit-roles) and staff lines (rule editor-box) -----


def test_simplified_roles():
    for line, who in (
        ("记者 王五 培训生 李六", [("王五", Role.REPORTER), ("李六", Role.REPORTER)]),
        ("见习记者 王五", [("王五", Role.REPORTER)]),
        ("实习生 李六", [("李六", Role.REPORTER)]),
        ("特约记者 赵七", [("赵七", Role.REPORTER)]),
        ("新华社记者 王五", [("王五", Role.REPORTER)]),
        ("（记者 王五 通讯员 李六）", [("王五", Role.REPORTER), ("李六", Role.CORRESPONDENT)]),
    ):
        assert people(cr.match_credit_line(line)) == who, line
    # A closing credit with a trainee: two people, no one named 培训生.
    art = only(read("标题\n\n本报讯 正文。 记者 王五 培训生 李六\n"))
    assert people(art) == [("王五", Role.REPORTER), ("李六", Role.REPORTER)]


def test_staff_lines_are_furniture():
    for line in ("责任编辑：王五", "编辑 王五", "校对：李六", "美编 赵七", "責任編輯：王五"):
        issue = read(f"标题\n\n本报讯 正文。\n\n{line}\n")
        assert [(f.kind, f.text) for f in issue.furniture] == [("editor-box", line)], line
        assert not issue.articles[0].contributors


def test_traditional_articles_read_without_loss():
    """Every letter and digit of the pages above is in the model, in page order."""
    for page in (
        "焦點評論》藍白搬石頭砸腳（戴東清）\n\n記者陳政宇／特稿\n立法院通過提案。（編輯：陳政一）1110330\n",
        "總統府回應\n\n中央社記者劉品希台北10日電 總統府今天表示。\n\n（中央社）\n",
        "跨區增援\n\n〔記者游太郎／宜蘭報導〕陸軍完成任務。（圖文：記者游太郎）\n",
    ):
        issue = read(page)
        assert_nothing_lost(page, issue)
        assert issue.articles[0].kind is Kind.ARTICLE


def test_headline_over_a_photo_is_its_title():
    """Rule photo-item: rmrbhwb digest 06版 (环球掠影), title and caption as a page."""
    page = (
        "博物馆研学览古今  架起中俄友谊桥梁（环球掠影）\n"
        "图为俄罗斯青年在秦皇岛博物馆内参观。 曹建雄摄（人民视觉）\n"
    )
    art = only(read(page))
    assert art.kind is Kind.PHOTO and (art.title, art.column) == (
        "博物馆研学览古今 架起中俄友谊桥梁",
        "环球掠影",
    )
    assert people(art) == [("曹建雄", Role.PHOTOGRAPHER)]


def test_bracketed_notice_title():
    """Rule notice: udn_news_b527a75.txt record 5, a statement under its title in 【】."""
    art = only(read("【君綺高雄診所聲明】\n\n首先，感謝媒體朋友及社會大眾對本事件的關心。\n"))
    assert art.kind is Kind.NOTICE and art.title == "【君綺高雄診所聲明】" and len(art.paragraphs) == 1
    # A topical tag in 【】 heads a story (hkcnews article_49016.md).
    art = only(read("【方仲賢買雷射筆案】拒批控方將學生會FB帖文呈堂\n\n時任學生會會長方仲賢前年被捕。\n"))
    assert art.kind is Kind.ARTICLE


def test_markdown_heading_is_no_author_line():
    """hkcnews article_49005.md: ### 官員落馬 reads like a name; it is a subhead."""
    page = "# 廣州斬樹觸發官場大地震\n\n在廣州，一棵棵樹被連根拔起。\n\n### 官員落馬\n\n被問責的涉及多個部門主要官員。\n"
    art = only(read(page))
    assert not art.contributors and len(art.paragraphs) == 2


def test_page_headers_name_their_pages():
    from pressout.read.segment import header_page

    assert [header_page(h) for h in ("Page 2", "第3版", "A03 要闻", "01版：要闻", "A03版：要闻")] == [
        2,
        3,
        3,
        1,
        3,
    ]


def test_a_credit_in_brackets_is_no_column():
    """Rule column-label-bracketed: （记者 丁一） after a headline-like line is a credit."""
    for credit in ("（记者 丁一）", "（以上由丁一编辑整理）"):
        art = only(read(f"一…{credit}\n\n本报讯 正文。\n"))
        assert art.column is None, credit
