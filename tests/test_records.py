"""Records of a container read as articles (pressout.read.records), the paper's name from
the dump (pressout.read.papers, rule publication-from-text), Markdown dumps' HTML (rule
markdown-html) and front matter lists, web scaffolding (rule web-scaffolding)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from rulecases import rule

from pressout.model import Figure, Role, Subhead
from pressout.read import IssueMeta, papers, read_page, read_text
from pressout.read.records import record_day

CORPUS = Path(__file__).parent / "corpus" / "files"


def _json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=1)


# --- the paper's name -----------------------------------------------------------------


@rule("publication-from-text")
def test_the_paper_is_named_by_the_dump():
    # a record's media field, by majority (a mixed feed keeps the others as metadata)
    records = [
        {"title": f"標題{n}", "media": "自由" if n < 3 else "中時", "summary": "內容。"} for n in range(4)
    ]
    issue = read_text(_json(records), source="today.json")
    assert issue.publication == "自由時報" and issue.publication_slug == "ltn"
    assert ("source", "中時") in issue.articles[3].meta
    # the channel's title, by a short name at its start
    rss = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>中時政治即時新聞</title>'
        "<item><title>標題</title><description>內容。</description></item></channel></rss>"
    )
    assert read_text(rss, source="feed.xml").publication == "中國時報"
    # the host of a front matter's address
    md = '---\ntitle: "標題"\nurl: "https://www.hkcnews.com/article/1/x"\n---\n\n# 標題\n\n內容。\n'
    assert read_text(md, source="a.md").publication == "眾新聞"
    # a masthead line that starts the page and stands alone
    assert read_text("人民日报\n\n标题\n\n正文。\n", source="p.txt").publication == "人民日报"


def test_an_unnamed_paper_is_unknown_and_said_so():
    issue = read_text("自由贸易试验区扩容\n\n本报讯 正文。\n", source="p.txt")
    assert issue.publication == "" and issue.masthead == "报刊不详"
    assert [d.code for d in issue.diagnostics if d.code == "PO105"] == ["PO105"]
    assert issue.id.startswith("paper-")
    # metadata wins, and an unknown paper's slug is stable and ASCII
    named = read_text("标题\n\n正文。\n", source="p.txt", meta=IssueMeta(publication="某某晚报"))
    assert named.publication == "某某晚报" and named.publication_slug == papers.slug_for("某某晚报")
    assert named.publication_slug.isascii() and not [d for d in named.diagnostics if d.code == "PO105"]


def test_paper_table_matches_whole_names_and_hosts():
    assert papers.find_in_text("人民日报海外版 20260704 报道摘要").slug == "rmrbhwb"
    assert papers.find_in_text("自由贸易区", boundary=True) is None
    assert papers.find_in_text("所得稅申報須知", boundary=True) is None
    assert papers.from_url("http://paper.people.com.cn/rmrbhwb/pc/content/1.html").slug == "rmrbhwb"
    assert papers.from_url("http://paper.people.com.cn/rmrb/pc/content/1.html").slug == "rmrb"
    assert papers.from_url("https://news.ltn.com.tw/news/politics/1").slug == "ltn"
    assert papers.from_url("ftp://example.com") is None
    assert len({p.slug for p in papers.PAPERS}) == len(papers.PAPERS)


# --- records ----------------------------------------------------------------------------


def test_a_record_is_one_article_with_its_fields():
    records = [
        {
            "title": "两部门约谈提醒汽车生产企业",
            "url": "http://finance.people.com.cn/n1/1.html",
            "publish_time": "2026-06-11 20:10",
            "source": "新华社",
            "content": ["新华社北京6月11日电 工业和信息化部约谈企业。", "要求企业加强价格合规建设。"],
        }
    ]
    issue = read_text(_json(records), source="x.json")
    [art] = issue.articles
    assert art.title == "两部门约谈提醒汽车生产企业"
    assert art.dateline == "新华社北京6月11日电"
    assert len(art.paragraphs) == 2
    assert ("url", "http://finance.people.com.cn/n1/1.html") in art.meta
    assert issue.date == dt.date(2026, 6, 11) and issue.publication == "新华社"


@rule("spaced-paragraph-break")
def test_a_space_after_a_full_stop_breaks_a_record_paragraph():
    records = [
        {
            "文章标题": "中央军委举行晋升上将军衔仪式",
            "摘要": "新华社北京7月3日电 （记者梅常伟）晋衔仪式3日在北京举行。 上午10时30分许，仪式开始。",
        }
    ]
    issue = read_text(_json(records), source="d.json")
    [art] = issue.articles
    assert [p.text for p in art.paragraphs] == ["晋衔仪式3日在北京举行。", "上午10时30分许，仪式开始。"]
    assert "spaced-paragraph-break" in issue.rules_applied
    # a space after a closing quote inside a headline-like line is the text's own
    one = [{"title": "标题", "content": "何欣纯提加码「每周2天鲜奶」 市府就跟进。"}]
    [art] = read_text(_json(one), source="d.json").articles
    assert len(art.paragraphs) == 1


def test_a_short_line_inside_a_record_is_a_subhead_not_a_story():
    records = [{"title": "标题", "content": ["第一段正文。", "小标题", "第二段正文。"]}]
    [art] = read_text(_json(records), source="x.json").articles
    assert art.title == "标题"
    assert [type(b).__name__ for b in art.body] == ["Paragraph", "Subhead", "Paragraph"]


def test_a_staff_line_record_is_furniture():
    records = [
        {"版面": "01版：要闻", "文章标题": "新闻标题", "摘要": "正文。"},
        {"版面": "01版：要闻", "文章标题": "一版责编：张三 李四", "摘要": ""},
    ]
    issue = read_text(_json(records), source="d.json")
    assert [a.title for a in issue.articles] == ["新闻标题"]
    assert [(f.kind, f.text) for f in issue.furniture] == [
        ("page-header", "01版：要闻"),
        ("editor-box", "一版责编：张三 李四"),
    ]
    assert issue.page == 1


def test_an_author_field_is_the_byline():
    records = [{"title": "标题", "author": "记者 王勇", "content": "正文。"}]
    [art] = read_text(_json(records), source="x.json").articles
    assert art.byline is not None and [(c.name, c.role) for c in art.byline.contributors] == [
        ("王勇", Role.REPORTER)
    ]


def test_record_days():
    assert record_day("2026-08-22 06:43") == dt.date(2026, 8, 22)
    assert record_day("Sat, 22 Aug 2026 06:43:00 +0800") == dt.date(2026, 8, 22)
    assert record_day("2026年8月2日") == dt.date(2026, 8, 2)
    assert record_day("yesterday") is None and record_day("2026-02-30") is None


@rule("web-scaffolding")
def test_web_scaffolding_is_taken_out_and_kept():
    records = [
        {
            "title": "標題",
            "media": "自由",
            "summary": "首次上稿 8-21 22:29更新時間 8-22 06:43\n總統今日宣布計畫。\n\n56分鐘前",
        }
    ]
    issue = read_text(_json(records), source="t.json")
    [art] = issue.articles
    assert [p.text for p in art.paragraphs] == ["總統今日宣布計畫。"]
    assert [(r.rule, r.text) for r in issue.removed if r.rule == "web-scaffolding"] == [
        ("web-scaffolding", "首次上稿 8-21 22:29更新時間 8-22 06:43"),
        ("web-scaffolding", "56分鐘前"),
    ]
    assert "web-scaffolding" in issue.rules_applied
    [note] = [d for d in issue.diagnostics if d.code == "PO107"]
    assert "web-scaffolding ×2" in note.message


# --- Markdown dumps -----------------------------------------------------------------------


@rule("markdown-html")
def test_markdown_figures_and_links():
    md = (
        '---\ntitle: "標題"\nauthor: "記者王小明"\ntags:\n  - "甲"\n  - "乙"\n---\n\n# 標題\n\n'
        "第一段，見[報告](https://example.com/r)全文。\n\n"
        '<figure>\n<img src="https://example.com/a.jpg" alt="">\n<figcaption>法官陳大文</figcaption>\n</figure>\n\n'
        "### 小標題\n\n第二段。\n"
    )
    issue = read_text(md, source="a.md", meta=IssueMeta(publication="眾新聞"))
    [art] = issue.articles
    assert art.title == "標題"
    assert art.paragraphs[0].text == "第一段，見報告全文。"
    figures = [b for b in art.body if isinstance(b, Figure)]
    assert [f.text for f in figures] == ["法官陳大文"]
    assert [b.text for b in art.body if isinstance(b, Subhead)] == ["小標題"]
    assert ("tags", "甲、乙") in art.meta
    kept = " ".join(r.text for r in issue.removed)
    assert "https://example.com/r" in kept and "https://example.com/a.jpg" in kept


def test_corpus_markdown_reads_as_one_article():
    for path in sorted((CORPUS / "hkcnews").glob("*.md")):
        issue = read_page(path)
        assert len(issue.articles) == 1, path
        assert issue.publication == "眾新聞" and issue.language == "zh-HK"
        assert issue.date is not None


def test_a_record_filed_under_a_photo_label_is_a_photo_item():
    records = [{"版面": "08版：副刊", "文章标题": "图片报道", "摘要": "中国画《盆草荔枝》，作者齐白石，中国美术馆藏。"}]
    [art] = read_text(_json(records), source="d.json").articles
    assert art.kind.value == "photo" and art.title is None
    assert [b.text for b in art.body if isinstance(b, Figure)] == ["中国画《盆草荔枝》，作者齐白石，中国美术馆藏。"]
    assert ("label", "图片报道") in art.meta


def test_a_markdown_post_keeps_uncaptioned_figures_and_its_appendix_apart():
    md = (
        '---\ntitle: "標題"\n---\n\n# 標題\n\n第一段。\n\n'
        '<figure>\n<img src="https://example.com/a.jpg" alt="">\n</figure>\n\n第二段。\n\n---\n\n請加入成為月費訂戶。\n'
    )
    issue = read_text(md, source="a.md", meta=IssueMeta(publication="眾新聞"))
    [art] = issue.articles
    assert [type(b).__name__ for b in art.body] == ["Paragraph", "Figure", "Paragraph"]
    assert [b.text for b in art.body] == ["第一段。", "", "第二段。"]
    assert [(f.kind, f.text) for f in issue.furniture] == [("banner", "請加入成為月費訂戶。")]
    # a long text after the rule is the article's own
    long_tail = md.replace("請加入成為月費訂戶。", "附記：" + "很長的補充說明。" * 60)
    [art] = read_text(long_tail, source="a.md", meta=IssueMeta(publication="眾新聞")).articles
    assert art.paragraphs[-1].text.startswith("附記")
    assert [type(b).__name__ for b in art.body] == ["Paragraph", "Figure", "Paragraph", "Paragraph"]


def test_big5_dumps_are_read():
    from pressout.read import read_bytes

    text = "聯合報記者報導，立法院今天三讀通過國防預算條例，行政院表示將盡快公布施行。" * 3
    page = f"國防預算條例三讀\n\n{text}\n"
    plain = read_bytes(page.encode("big5"), source="p.txt")
    assert plain.articles[0].title == "國防預算條例三讀" and plain.language == "zh-Hant"
    assert "decode-encoding" in plain.rules_applied
    html = (
        "<html><head><meta http-equiv='content-type' content='text/html; charset=big5'></head><body>"
        f"<div class='article'><h2>國防預算條例三讀</h2><p>{text}</p></div></body></html>"
    )
    issue = read_bytes(html.encode("big5"), source="p.html")
    assert [a.title for a in issue.articles] == ["國防預算條例三讀"]
    # GB2312 declared: read as GB18030
    gb = "<?xml version='1.0' encoding='GB2312'?><rss version='2.0'><channel><item><title>标题</title>" \
         "<description>正文内容。</description></item></channel></rss>"
    assert read_bytes(gb.encode("gb2312"), source="f.xml").articles[0].title == "标题"


def test_a_hong_kong_papers_own_label_is_the_dateline():
    for label in ("【明報專訊】", "【文匯網訊】", "【大公報訊】"):
        page = f"全民自願驗 林鄭認成效打折\n\n{label}政府昨公布兩星期後會展開普及社區檢測。\n"
        [art] = read_text(page, source="p.txt").articles
        assert art.dateline == label and art.paragraphs[0].text.startswith("政府昨公布")
    # a bracketed topical tag is no dateline
    [art] = read_text("標題\n\n【方仲賢案】法官今日拒批控方申請。\n", source="p.txt").articles
    assert art.dateline is None


def test_a_dump_pressout_cannot_unwrap_is_said_so():
    for text in ('{"settings": {"theme": "dark"}}', "<config><item>1</item></config>"):
        issue = read_text(text, source="x.json", meta=IssueMeta(publication="某报"))
        assert [d.code for d in issue.diagnostics if d.code == "PO106"] == ["PO106"], text
    plain = read_text("标题\n\n正文。\n", source="p.txt", meta=IssueMeta(publication="某报"))
    assert not [d for d in plain.diagnostics if d.code == "PO106"]


@rule("column-label-listed")
def test_labels_that_run_over_a_list_of_headlines_are_columns():
    def html(entries: list[str]) -> str:
        items = "".join(f'<li><a href="/n/{n}.html">{e}</a></li>' for n, e in enumerate(entries))
        return f"<html><body><h2>龍門陣</h2><ul>{items}</ul></body></html>"

    # every headline of the section opens with a label: columns (東方日報's 龍門陣)
    issue = read_text(html(["坦言集：技術戰", "龍吟虎嘯：傷不到與傷得到", "龍七公：抗疫不忘反中"]), source="l.html")
    assert [(a.column, a.title) for a in issue.articles] == [
        ("坦言集", "技術戰"), ("龍吟虎嘯", "傷不到與傷得到"), ("龍七公", "抗疫不忘反中"),
    ]
    assert "column-label-listed" in issue.rules_applied
    # a label on two headlines, a commentary's label; a speaker's colon stays
    entries = ["政情：騙徒扮官員呃錢", "政情：議辦貼海報", "阿王評論：救命定投票", "外交部：中方堅決反對", "深水埗冚淫窟"]
    issue = read_text(html(entries), source="l.html")
    assert [(a.column, a.title) for a in issue.articles] == [
        ("政情", "騙徒扮官員呃錢"), ("政情", "議辦貼海報"), ("阿王評論", "救命定投票"),
        (None, "外交部：中方堅決反對"), (None, "深水埗冚淫窟"),
    ]


def test_a_web_articles_editor_line_credits_its_editor():
    html = (
        "<html><head><title>旺角殺街 - 香港文匯網</title></head><body><article><h1>旺角殺街</h1>"
        "<p>【文匯網訊】（香港文匯報記者 顏晉傑 文森）西洋菜南街行人專用區正式殺街。</p>"
        "<p>藝人表示感到可惜。</p><p>責任編輯：劉雲</p></article></body></html>"
    )
    issue = read_text(html, source="w.html")
    [art] = issue.articles
    assert issue.publication == "香港文匯報" and issue.language == "zh-HK"
    assert art.dateline == "【文匯網訊】"
    assert [(c.name, c.role) for c in art.contributors] == [
        ("顏晉傑", Role.REPORTER), ("文森", Role.REPORTER), ("劉雲", Role.EDITOR),
    ]


@rule("markdown-export")
def test_a_crawlers_markdown_export_is_unwrapped():
    md = (
        "# 杭州日报 2024年3月5日\n\n## 目录\n- [城市大脑再升级](#a1)\n- [口袋公园](#a2)\n\n## A01 要闻\n\n"
        "### 城市大脑再升级_杭州日报\n\n> **作者**: 记者 王小明 通讯员 李华 | **字数**: 1200\n\n## 正文\n\n"
        "本报讯 昨天，城市大脑3.0版本正式上线。\n\n## A02 城事\n\n### 口袋公园_杭州日报\n\n"
        "> **作者**: 记者 张三 | **字数**: 800\n\n## 正文\n\n本报讯 西湖边又多了一处口袋公园。\n"
    )
    issue = read_text(md, source="export.md")
    assert (issue.publication, issue.date) == ("杭州日报", dt.date(2024, 3, 5))
    assert [(a.title, a.dateline) for a in issue.articles] == [("城市大脑再升级", "本报讯"), ("口袋公园", "本报讯")]
    assert [(c.name, c.role) for c in issue.articles[0].contributors] == [
        ("王小明", Role.REPORTER), ("李华", Role.CORRESPONDENT),
    ]
    assert [(f.kind, f.text) for f in issue.furniture if f.kind == "page-header"] == [
        ("page-header", "A01 要闻"), ("page-header", "A02 城事"),
    ]
    kept = [r.text for r in issue.removed if r.rule == "markdown-export"]
    assert "## 正文" in kept and "_杭州日报" in kept and "字数: 1200" in kept and "## 目录" in kept


def test_an_archives_masthead_line_heads_the_page():
    page = "申報 日期：1949年5月1日 版次/卷期：02 版\n\n本埠新聞\n\n本報訊 昨日市面平靜。\n"
    issue = read_text(page, source="a.txt")
    assert (issue.publication, issue.date, issue.page) == ("申報", dt.date(1949, 5, 1), 2)
    assert [a.title for a in issue.articles] == ["本埠新聞"]
    assert [(f.kind, f.text) for f in issue.furniture] == [("page-header", "申報 日期：1949年5月1日 版次/卷期：02 版")]


@rule("repeated-headline")
def test_a_body_that_repeats_its_headline():
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["title", "content"])
    writer.writerow(["标题二", "标题二 正文二，说了一件事。"])
    writer.writerow(["标题三", "正文三。"])
    issue = read_text(buf.getvalue(), source="x.csv", meta=IssueMeta(publication="某报"))
    assert [(a.title, [p.text for p in a.paragraphs]) for a in issue.articles] == [
        ("标题二", ["正文二，说了一件事。"]), ("标题三", ["正文三。"]),
    ]
    assert [(r.rule, r.text) for r in issue.removed if r.rule == "repeated-headline"] == [("repeated-headline", "标题二")]


@rule("tab-joined-stack")
def test_a_tab_joined_headline_stack():
    from pressout.read import read_bytes

    stack = "在全国抗击新冠肺炎疫情表彰大会上\t习近平发表重要讲话\t强调伟大抗疫精神"
    body = "\u3000\u3000新华社北京9月8日电\u3000全国抗击新冠肺炎疫情表彰大会8日上午在北京人民大会堂隆重举行。\r\n"
    page = read_bytes(f"{stack}\r\n\r\n{body}".encode(), source="a.txt", meta=IssueMeta(publication="人民日报"))
    crawl = read_text(f"标题：{stack}\n日期：2020-09-09\n内容：\n{body}", source="b.txt")
    for issue in (page, crawl):
        [art] = issue.articles
        assert (art.kicker, art.title, art.subtitle) == (
            "在全国抗击新冠肺炎疫情表彰大会上", "习近平发表重要讲话", "强调伟大抗疫精神",
        )
        assert art.dateline == "新华社北京9月8日电" and "tab-joined-stack" in issue.rules_applied
    # two parts, or a part that is a sentence: not a stack
    [art] = read_text("甲乙丙丁\t戊己庚辛\n\n正文。\n", source="c.txt", meta=IssueMeta(publication="某报")).articles
    assert art.kicker is None


@rule("dash-signature")
def test_a_dash_signature_closes_its_article():
    issue = read_text("致读者\n\n　　本报今起推出新栏目。欢迎来稿。\n\n　　——编 者\n", source="a.txt", meta=IssueMeta(publication="人民日报"))
    [art] = issue.articles
    assert [c.text for c in art.closing] == ["——编 者"] and not issue.furniture
    signed = read_text("短评\n\n　　这是一篇评论。\n\n　　——张伟\n", source="a.txt", meta=IssueMeta(publication="人民日报"))
    assert [(c.name, c.role) for c in signed.articles[0].contributors] == [("张伟", Role.AUTHOR)]
