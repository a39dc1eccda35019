"""The conventions of Chinese newspaper pages, as data, and the named rules that use them.

Every rule the reader applies is listed in ``RULES`` with a stable name and one sentence
saying what it does; the TEI header's ``editorialDecl`` and the README are generated
from / kept in step with this list, and each rule has a test with a real line from the
seeds or the evaluation corpus (tests/test_rules.py, tests/test_conventions.py, …,
registered in tests/rulecases.py). No table here names a particular headline, person or
sentence: they hold the vocabulary of the genre (role words, surnames, verbs that end a
kicker …), so the rules carry over to other papers' dumps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["HEADLINE_WRAP_SPACE", "RULES", "Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    group: Literal["decoding", "cleaning", "paragraphs", "headlines", "credits", "items"]
    description: str
    # TEI: "silent" normalisations are declared once; "markup" repairs are recorded in
    # place (choice/orig/reg); "interpretation" is how structure was inferred.
    record: Literal["silent", "markup", "interpretation"] = "interpretation"


RULES: tuple[Rule, ...] = (
    # decoding
    Rule(
        "decode-encoding",
        "decoding",
        "Bytes are decoded as UTF-8 (with or without BOM), UTF-16/32 with BOM, the legacy encoding an HTML or XML dump declares (GB2312/GBK as GB18030, Big5 as Big5-HKSCS), or, when the page is not UTF-8 at all, GB18030 if it reads as Chinese, else Big5-HKSCS if it reads as Traditional Chinese.",
        "silent",
    ),
    Rule(
        "unicode-nfc",
        "decoding",
        "Text is normalised to Unicode NFC; CRLF and CR line ends become LF; a leading BOM is dropped.",
        "silent",
    ),
    Rule(
        "drop-control-characters",
        "decoding",
        "Control characters that XML forbids are removed (reported as a warning).",
        "silent",
    ),
    Rule(
        "container-html",
        "decoding",
        "An HTML page (e-paper scrape, digest) is unwrapped: each article element (or heading with the paragraphs under it) becomes an article, its markup paragraphs; character references are decoded.",
        "silent",
    ),
    Rule(
        "container-rss",
        "decoding",
        "An RSS 2.0 / RSS 1.0 file is unwrapped: each item becomes an article (title, description or content:encoded read as HTML, author, date, category); link and guid are kept as the article's metadata.",
        "silent",
    ),
    Rule(
        "container-atom",
        "decoding",
        "An Atom feed is unwrapped: each entry becomes an article (title, content or summary read as HTML, author, updated/published, category); links and ids are kept as metadata.",
        "silent",
    ),
    Rule(
        "container-json",
        "decoding",
        "A JSON export (an array of records, or an object holding one) is unwrapped: each record with a title or text field becomes an article; other fields are kept as metadata.",
        "silent",
    ),
    Rule(
        "container-jsonl",
        "decoding",
        "A JSON-lines export (one record per line) is unwrapped like a JSON array.",
        "silent",
    ),
    Rule(
        "container-csv",
        "decoding",
        "A CSV/TSV export with a header row naming title and text columns is unwrapped: one row, one article; other columns are kept as metadata.",
        "silent",
    ),
    Rule(
        "container-label-lines",
        "decoding",
        "A crawler's label-line records (title:/标题： … content:/内容：/summary: …, separated by rules or repeated labels) are unwrapped: one record, one article; link/date/media labels are metadata.",
        "silent",
    ),
    Rule(
        "spaced-paragraph-break",
        "paragraphs",
        "In a dump record's text a space after a full stop (…仪式。 上午…) is a paragraph break: Chinese prose puts none there, so it marks where a web page's paragraphs were joined.",
    ),
    Rule(
        "column-label-listed",
        "headlines",
        "In a dump's list of headlines (a section of an index page, headlines only), a short label and a colon opening a headline (坦言集：…) is the item's column when every headline of the section opens so, when the label opens two headlines and names no one (政情：…), or when it names a commentary (阿王評論：…); one headline with a colon is a speaker's (外交部：…) and keeps it.",
    ),
    Rule(
        "repeated-headline",
        "items",
        "A dump record whose text opens by repeating its own title (the CMS put the headline into the body field too) keeps the title once; the repeat is kept in the removed list.",
    ),
    Rule(
        "web-scaffolding",
        "decoding",
        "Web page scaffolding inside a dump's text (原文链接, 抓取时间, 字数, 首次上稿…更新時間, relative times, a CMS record leaked into the text) is taken out and kept in the issue's list of removed text.",
        "silent",
    ),
    Rule(
        "publication-from-text",
        "decoding",
        "The paper's name is taken from the dump itself when no metadata gives it: a front matter or record field, a channel or document title, a masthead line naming a known paper.",
        "silent",
    ),
    Rule(
        "script-language",
        "decoding",
        "The language tag follows the script: Traditional characters are zh-Hant (zh-TW, zh-HK where the paper is known), Simplified zh-CN (or the configured tag).",
        "silent",
    ),
    Rule(
        "front-matter",
        "decoding",
        "A YAML front matter block (--- … ---) at the top is read as issue metadata (date, publication, page), not as text.",
        "silent",
    ),
    # cleaning
    Rule(
        "blank-lines",
        "cleaning",
        "Whitespace-only lines count as blank; leading and trailing whitespace (spaces, U+3000 indents, NBSP, tabs) is trimmed.",
        "silent",
    ),
    Rule(
        "fullwidth-punctuation",
        "cleaning",
        "ASCII , : ; ( ) ? ! next to Chinese text become full width (，：；（）？！); between digits or Latin letters they stay (0351-2366977, 10:30, 1,000).",
        "silent",
    ),
    Rule(
        "stray-spaces",
        "cleaning",
        "Spaces between Chinese characters in running text are dropped, except inside quotation marks (“相约浦江 共享未来”); a space run in a headline is kept as one space.",
        "silent",
    ),
    Rule(
        "zero-width",
        "cleaning",
        "Zero-width spaces and joiners and stray BOMs inside the text are removed.",
        "silent",
    ),
    Rule(
        "markdown-heading",
        "cleaning",
        "Markdown heading markers (#, ##, ###) are removed; their level decides kicker, headline, subtitle and subhead.",
        "silent",
    ),
    Rule(
        "tab-joined-stack",
        "headlines",
        "A headline line (or a record's title) whose crawler joined the stack's three lines with tabs (引题\\t标题\\t副题) is read as the three lines: kicker, headline, subtitle.",
    ),
    Rule(
        "dash-signature",
        "credits",
        "A short dash-led line right after an article's text (——编 者, ——本报评论员, ——张三) signs the article: its closing credit (a person when it names one), not a headline or a banner.",
    ),
    Rule(
        "markdown-export",
        "cleaning",
        "A crawler's Markdown export is unwrapped: a section word heading (## 正文) and a table of contents (## 目录 and its links) are scaffolding, a metadata blockquote (> **作者**: … | **字数**: …) gives the author as a credit line and keeps its other fields in the removed list, and a headline's _报名 suffix is dropped (kept there too).",
        "silent",
    ),
    Rule(
        "markdown-html",
        "cleaning",
        "HTML inside a Markdown dump is read: a <figure> becomes a figure (its figcaption the caption, a trailing 攝/摄 the credit); an inline link [text](url) its text; image and link addresses are kept in the issue's list of removed text.",
        "silent",
    ),
    Rule(
        "markdown-bold",
        "cleaning",
        "Markdown bold markers (**…**) are removed; bold runs inside a paragraph are kept as bold marks.",
        "markup",
    ),
    Rule(
        "latex-scripts",
        "cleaning",
        "LaTeX-style sub- and superscripts (PM_{2.5}, m^{2}) become plain text with a subscript/superscript mark (PM2.5).",
        "markup",
    ),
    # paragraphs
    Rule(
        "rejoin-broken-paragraph",
        "paragraphs",
        "A body line that does not end a sentence continues in the next body line (page and column breaks in the dump split paragraphs mid-sentence).",
        "silent",
    ),
    Rule(
        "note-ends-paragraph",
        "paragraphs",
        "A bracketed note after the last sentence of a line (…贡献更多力量。（回信全文另发）) ends the paragraph: the next line is not its continuation.",
        "interpretation",
    ),
    Rule(
        "letter-signature",
        "paragraphs",
        "A short line followed by a full date line (习近平 / 2020年4月30日) after a finished paragraph signs a letter or statement printed in the text: both are paragraphs of the article, neither a headline nor a credit.",
        "interpretation",
    ),
    Rule(
        "blank-line-ends-paragraph",
        "paragraphs",
        "On a page that marks its paragraphs by a U+3000 indent, not by blank lines, a blank or indent-only line ends the paragraph before it even where no sentence ends (a standfirst set off from the text).",
        "interpretation",
    ),
    Rule(
        "photo-credit-inside-paragraph",
        "paragraphs",
        "A photo credit (甲 摄) that the layout dropped inside a broken paragraph is moved to a figure after the paragraph, and the paragraph is joined across it.",
        "markup",
    ),
    Rule(
        "fragment-not-headline",
        "paragraphs",
        "A short line is not taken for a headline when it reads as a broken piece of a paragraph: two or more commas, unbalanced quotes or brackets, a leading date clause, a dangling last character (的, 把), or, inside a 本报讯-style news report, when running text (not a dateline or another headline line) follows it.",
        "interpretation",
    ),
    # headlines
    Rule(
        "headline-line",
        "headlines",
        "A short line without sentence-ending punctuation that follows a finished paragraph, a credit or the top of the page is a headline line.",
        "interpretation",
    ),
    Rule(
        "headline-question",
        "headlines",
        "The page's first line, set apart by a blank line, is its headline even when it asks or exclaims (來亂的？卓伯源籲緊急重啟…, 賴清德「消獨」 林佳龍靈肉分離？).",
        "interpretation",
    ),
    Rule(
        "bracketed-headline",
        "headlines",
        "A line that is one bracketed phrase ([龍見辨誣]) is a headline line (the square brackets are the dump's markup) and starts an item; after one, the page marks its headlines so, and an unbracketed short line is text.",
        "interpretation",
    ),
    Rule(
        "headline-wrap",
        "headlines",
        "Consecutive headline lines with no blank line between them, on a page that separates paragraphs by blank lines, are one wrapped headline.",
        "interpretation",
    ),
    Rule(
        "headline-wrap-space",
        "headlines",
        "A space in a headline right after a number and its measure word (两个, 三项, 5家), before more of the same phrase, only marks where the printed line broke: it is taken out (我市有了两个国家双创示范基地); a space between a headline's clauses stays (社区干部巡查 发现走失老人).",
        "silent",
    ),
    Rule(
        "headline-stack",
        "headlines",
        "A stack of headline lines gives kicker (a line ending in 强调/指出/表示 … above the headline, or a lower Markdown level above), headline, and subtitle (a line starting with —— or ending in 出席/参加/主持 …, or a lower Markdown level below).",
        "interpretation",
    ),
    Rule(
        "deck-before-dateline",
        "headlines",
        "A line with no sentence-end mark (。！？) anywhere in it, between a headline line and a dateline, is the headline's subtitle (deck), however long; the headline line above it is a headline even inside a report.",
        "interpretation",
    ),
    Rule(
        "crawl-header-slots",
        "headlines",
        "A per-article dump whose first three lines are unindented and whose fourth starts the U+3000-indented text holds its headline stack in fixed slots: kicker, headline, subtitle (an empty line where the slot is not printed).",
        "interpretation",
    ),
    Rule(
        "column-label",
        "headlines",
        "A short line ending in | or ｜ (并州论坛 |) names the column of the next article.",
        "interpretation",
    ),
    Rule(
        "column-label-bracketed",
        "headlines",
        "A label of 2 to 12 hanzi in brackets at the end of a headline (有了灯光，也要留住星光（域外听风）; two phrases may be joined by a space or ·, and quotes may stand in it: （海外观澜·百年大党的世界回响）, （“七一勋章”获得者）) is the article's column, not part of the headline; a part, status or media word (上篇, 续, 草案, 试行, 组图 …) stays in the headline.",
        "interpretation",
    ),
    Rule(
        "column-label-leading",
        "headlines",
        "A recurring column label at the head of a headline (【重磅快評】…, 《國際經濟》…, 時論廣場》…, 人物側寫／…) is the article's column: a label of 2 to 8 hanzi ending in a genre word (評, 論, 廣場, 之眼, 側寫, 開箱, 專訪, 集, 經濟, 股 …), or one hanzi before 》 (影》); a topical label (婚變延燒》, 《北市議會開議》, NBC專訪／) and a book title (《求是》) stay in the headline.",
        "interpretation",
    ),
    Rule(
        "box-column",
        "headlines",
        "A short heading (up to 8 characters) above a report's own headline lines (速览 in a crawl's headline slot, then a brief's headline, its deck and its dateline) names a box of briefs: it is the column of every item after it, each brief an item.",
        "interpretation",
    ),
    Rule(
        "subhead",
        "headlines",
        "A single headline line inside an unfinished feature article (no 本报讯 dateline, no new dateline after it) is a subhead of that article; so are the unmarked lines of a headline stack below the headline.",
        "interpretation",
    ),
    Rule(
        "banner",
        "headlines",
        "Bold slogan blocks, and headline stacks that no text follows (running column banners, headlines whose story the dump lost), are page furniture, not articles.",
        "interpretation",
    ),
    # credits
    Rule(
        "dateline",
        "credits",
        "A run-in dateline at the start of a paragraph (本报讯, 本报北京11月14日电, 新华社北京11月5日电) with its credit in brackets starts a report.",
        "interpretation",
    ),
    Rule(
        "closing-dateline",
        "credits",
        "A dateline alone in brackets on its own line after the text ((本报莫斯科4月30日电)) is the dateline of the article it closes, not a headline or a paragraph.",
        "interpretation",
    ),
    Rule(
        "dateline-traditional",
        "credits",
        "Datelines as Taiwan and Hong Kong papers print them: 【本報訊】, 本報訊, a paper's own label (【明報專訊】, 【文匯網訊】), 中央社記者甲台北10日電 (中央社記者甲 is the byline, printed first, and 台北10日電 the dateline), （中央社） on its own line after the text (a closing dateline); and 本报北京电 without a date.",
        "interpretation",
    ),
    Rule(
        "bracketed-byline",
        "credits",
        "A byline in 〔〕 at the start of a paragraph (〔記者劉詠韻、甘孟霖／台北報導〕) credits its reporters and starts the report, without a dateline (the place and 報導 after ／ are not one); 記者甲／台北報導 and 記者甲／特稿 on their own line are credit lines.",
        "interpretation",
    ),
    Rule(
        "traditional-credits",
        "credits",
        "Credits in Traditional characters read as in Simplified: 記者, 本報記者, 特約記者, 實習記者, 通訊員, 攝影, 編輯, 責任編輯, 撰文, 文／, 甲攝, （圖文：記者甲） (reporter and photographer), （編輯：甲） (editor); a desk before the role word (中國組記者甲) is not part of the name, and a desk or outlet alone (眾新聞記者) credits no one.",
        "interpretation",
    ),
    Rule(
        "credit-roles",
        "credits",
        "Inside a credit, role words (记者, 本报记者, 特约记者, 见习记者, 实习生, 培训生, 新华社记者, 通讯员, 摄, 编辑, 责任编辑) give the role of the names after them; names are two to four hanzi, and single hanzi split by a layout space are one name (王 勇).",
        "interpretation",
    ),
    Rule(
        "closing-credit",
        "credits",
        "A credit after the last sentence or on its own line (记者 李静; （张波）; (李涛、马卓)) closes the article; bracketed names without a role word are authors and must start with a known surname.",
        "interpretation",
    ),
    Rule(
        "editor-credit",
        "credits",
        "（以上由甲编辑整理） credits the editor of a roundup and closes it.",
        "interpretation",
    ),
    Rule(
        "author-line",
        "credits",
        "A name alone on the line under a headline (a signed commentary) is the article's author.",
        "interpretation",
    ),
    Rule(
        "headline-author",
        "credits",
        "A person's name in brackets at the end of a headline (聲討簡舒培惡質索資（何豪毅）: two or three hanzi with a known surname) is the signed piece's author, not headline words; （作者為…） on its own line after the text is the author's note: a closing credit that names nobody, not a paragraph or a headline.",
        "interpretation",
    ),
    # items
    Rule(
        "photo-item",
        "items",
        "A caption ending in 甲 摄 (credit on the same or the next line) that stands between articles is a photo item; a single headline line printed right over it is the photo's headline.",
        "interpretation",
    ),
    Rule(
        "photo-credit-forms",
        "items",
        "Photo and graphic credits besides 甲 摄: 甲摄（人民视觉） (the agency after it is kept with the credit), 甲供图, 制图：甲, 新华社记者 甲 摄; 新华社发, 受访者供图 and 图据… credit an organisation or a source: a figure without a person.",
        "interpretation",
    ),
    Rule(
        "headline-missing",
        "items",
        "A paragraph starting with a dateline right after a finished article starts a new article whose headline the page does not print (title null).",
        "interpretation",
    ),
    Rule(
        "continuation-note",
        "items",
        "Jump lines ((下转第3版), (上接第1版)) become notes of the article they end or start.",
        "interpretation",
    ),
    Rule(
        "page-header",
        "items",
        "A page header line (Page 2, 第3版, A03 要闻, A03版：要闻, 01版：要闻, ## A03 …, an archive's masthead line 申報 日期：… 版次/卷期：02 版) is page furniture between items; a paragraph broken across it is rejoined, and the article it interrupts goes on after it.",
        "interpretation",
    ),
    Rule(
        "file-header",
        "items",
        "An archive dump's file header on the first line (# 1880 - 1 - 4902399: year, issue, archive id) is scaffolding, kept as page furniture.",
        "interpretation",
    ),
    Rule(
        "bracketed-advertisement",
        "items",
        "A bracketed headline with a bracketed signer after it on its line ([縮本汗簡出售] [㸃石齋告白]) heads an advertisement: the headline, the signer and every line up to the next headline or page header are page furniture.",
        "interpretation",
    ),
    Rule(
        "notice",
        "items",
        "A block starting with 通告/公告/启事/声明/公示 (聲明, 啟事), or containing 特此通告, is a notice item; its signature and date become paragraphs. A headline that is a notice's title in 【】 (【君綺高雄診所聲明】) heads a notice item.",
        "interpretation",
    ),
    Rule(
        "editor-box",
        "items",
        "Staff lines (责任编辑, 编辑, 校对, 美编, 版式设计, 本版策划, and 本版制图 / 本版摄影, which credit the whole page …) are page furniture.",
        "interpretation",
    ),
)

RULE_NAMES = frozenset(rule.name for rule in RULES)


# --- vocabulary -------------------------------------------------------------------

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RE = re.compile(f"[{HAN}]")
# Characters after which ASCII punctuation is "in Chinese text": hanzi, CJK punctuation,
# full-width forms.
CJK = HAN + r"\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026\u00b7"
CJK_RE = re.compile(f"[{CJK}]")

SENTENCE_END = "。！？!?…；;："  # a paragraph ending in one of these is finished
CLOSERS = "”’」』）)》〉】〕"  # finish a paragraph only right after a SENTENCE_END mark
OPENERS = {
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "（": "）",
    "《": "》",
    "〈": "〉",
    "【": "】",
    "〔": "〕",
}

HEADLINE_MAX = 40  # characters; a longer line is body text
HEADLINE_MAX_COMMAS = 1  # a line with more commas than this reads as a sentence piece

# Words that end a kicker (引题) printed above the headline: "林红玉在小店区宣讲调研时强调".
KICKER_ENDINGS = ("强调", "指出", "表示", "要求", "提出", "认为", "寄语", "勉励", "号召", "希望", "部署")
# Words that end a subtitle (副题) printed under the headline: "张新伟出席", "武晓花参加".
SUBTITLE_ENDINGS = ("出席", "参加", "主持", "陪同", "列席", "会见", "致辞", "见证", "出席会议", "参会")
SUBTITLE_DASHES = ("——", "—", "－－", "--", "──")
# A line ending in one of these is a broken sentence, not a headline: "…太原承担着更大的".
# (Only particles that end no common word: 地/和/与 end 基地, 祥和, 参与.)
DANGLING_ENDINGS = "的把"
# A date or time clause at the start of a line belongs to running text, not a headline.
LEADING_DATE = re.compile(
    r"^(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:[上下]午|晚|早|凌晨|中午|夜间|以来|起)?[，,]"
)

# Role words in credits, longest first so 本报记者 wins over 记者.
ROLE_WORDS: dict[str, str] = {
    "本报特约记者": "reporter",
    "本报见习记者": "reporter",
    "本报实习生": "reporter",
    "本报记者": "reporter",
    "本报通讯员": "correspondent",
    "新华社记者": "reporter",
    "新华社特约记者": "reporter",
    "人民日报记者": "reporter",
    "特约记者": "reporter",
    "见习记者": "reporter",
    "实习记者": "reporter",
    "首席记者": "reporter",
    "摄影记者": "photographer",
    "记者": "reporter",
    "实习生": "reporter",
    "培训生": "reporter",
    "通讯员": "correspondent",
    "特约通讯员": "correspondent",
    "摄影": "photographer",
    "图": "photographer",
    "图文": "author",  # text and pictures: the names are photographers too (credits.parse_people)
    "撰文": "author",
    "文": "author",
    "责任编辑": "editor",
    "编辑": "editor",
    "校对": "editor",
    "美编": "editor",
    # Traditional characters (rule traditional-credits)
    "本報特約記者": "reporter",
    "本報記者": "reporter",
    "本報通訊員": "correspondent",
    "新華社記者": "reporter",
    "中央社記者": "reporter",
    "特約記者": "reporter",
    "見習記者": "reporter",
    "實習記者": "reporter",
    "首席記者": "reporter",
    "攝影記者": "photographer",
    "記者": "reporter",
    "實習生": "reporter",
    "通訊員": "correspondent",
    "特約通訊員": "correspondent",
    "攝影": "photographer",
    "圖": "photographer",
    "圖文": "author",
    "責任編輯": "editor",
    "編輯": "editor",
    "校對": "editor",
    "美編": "editor",
}
# Role words whose names are also the photographers: 图文 / 圖文 (text and pictures).
PICTURES_TOO = frozenset(("图文", "圖文"))
ROLE_WORD_RE = "|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True))

# Run-in datelines: 本报讯; 本报北京11月14日电; 新华社北京11月5日电; 据新华社…电.
AGENCIES = (
    "新华社",
    "中新社",
    "中国新闻社",
    "人民日报",
    "央视新闻",
    "央广网",
    "光明日报",
    "经济日报",
    "中央广播电视总台",
)
# Agencies as Taiwan and Hong Kong papers print them (rule dateline-traditional): their
# datelines may leave out the month (中央社記者甲台北10日電).
AGENCIES_TRADITIONAL = ("中央社", "中央通訊社", "新華社", "中新社", "中通社")
DATELINE_FORMS = (
    r"【本[报報][讯訊]】|本报讯|本報訊|本[报報][^\s，。（(]{0,10}?\d{1,2}月\d{1,2}日[电讯電訊]"
    # a Hong Kong paper's own run-in label: 【明報專訊】, 【文匯網訊】, 【大公報訊】
    r"|【[^\s【】，。]{1,8}?(?:專訊|专讯|網訊|网讯|報訊|报讯)】"
    # 本报北京电, 本报电 (no date): a bracket, a space or the end must follow
    r"|本报(?:[\u4e00-\u9fff]{2,6}?)?电(?=[\s（(]|$)"
    r"|(?:据)?(?:" + "|".join(AGENCIES) + r")[^\s，。（(]{0,10}?\d{1,2}月\d{1,2}日[电讯]"
    r"|(?:據)?(?:" + "|".join(AGENCIES_TRADITIONAL) + r")[^\s，。（(]{0,16}?(?:\d{1,2}月)?\d{1,2}日[電电]"
)
DATELINE_RE = re.compile(f"^(?P<dateline>{DATELINE_FORMS})")
# A reporter named inside a Traditional agency dateline: 中央社記者劉品希台北10日電.
DATELINE_REPORTER_RE = re.compile(r"[記记]者(?P<who>[\u4e00-\u9fff、]{2,20}?)(?:\d{1,2}月)?\d{1,2}日[電电]$")
# Place names that follow the reporter's name in such a dateline (the longest first).
DATELINE_PLACES = tuple(
    sorted(
        "台北 臺北 新北 桃園 台中 臺中 台南 臺南 高雄 基隆 新竹 苗栗 彰化 南投 雲林 嘉義 屏東 宜蘭 花蓮 "
        "台東 臺東 澎湖 金門 馬祖 香港 澳門 北京 上海 東京 首爾 華盛頓 紐約 倫敦 巴黎 柏林 莫斯科 "
        "新加坡 曼谷 雪梨 洛杉磯 舊金山 布魯塞爾 日內瓦".split(),
        key=len,
        reverse=True,
    )
)

# A dateline printed alone in brackets after the text: （本报莫斯科4月30日电）.
CLOSING_DATELINE_RE = re.compile(
    f"^[（(]\\s*(?P<dateline>{DATELINE_FORMS}|" + "|".join(AGENCIES_TRADITIONAL) + ")\\s*[）)]$"
)

# Names: two to four hanzi (minority names may join parts with ·).
NAME = rf"[{HAN}]{{2,4}}(?:·[{HAN}]{{1,6}})?"
NAME_RE = re.compile(f"^{NAME}$")
# Place names and words that look like names but are not: a name never ends like these.
NOT_NAME_ENDINGS = tuple("区县市省镇乡村州盟旗街路局委办部厅院校所站队组社会报台网" "區縣鎮鄉辦廳隊組會報臺網處館")
NOT_NAME_WORDS = frozenset(AGENCIES) | frozenset(AGENCIES_TRADITIONAL) | {
    "本报",
    "本報",
    "综合",
    "綜合",
    "完",
    "待续",
    "待續",
    "未完",
    "全文完",
    "受访者",
    "受訪者",
}
# A desk or outlet printed before a role word (中國組記者曾海琪, 国际部记者 …) ends in one
# of these (rule traditional-credits): it is not part of the name.
DESK_ENDINGS = "组組部室科中心社台网網报報处處闻聞"

# Common Chinese surnames (single and compound). A bare bracketed credit （张波） or a
# name alone under a headline is taken for a person only if it starts with one of these.
SURNAMES_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 南宫 "
    "独孤 钟离 澹台 呼延 申屠 轩辕 万俟 闻人 赫连 百里 东郭 左丘 第五 公冶 太史 濮阳 "
    "歐陽 司馬 諸葛 東方 長孫 宇文 西門 南宮 獨孤 鍾離 軒轅 萬俟 聞人 赫連 東郭 濮陽"
).split()
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲"
    "房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟"
    "应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀"
    "郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴"
    "丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富"
    "尧闭由弓郦逄鄂蔚訾宦郗雒蹇靖薄贝忻钮和璩邴郄蓟习"
    # the same surnames in Traditional characters, where they differ
    "劉陳楊黃趙吳許鄭謝韓馮鄧蕭葉蘇呂盧蔣賈閻龔錢嚴羅孫馬湯溫樊齊喬龐顏莊聶魯歐關蘭寧紀畢單"
    "駱藍靳鮑華祁饒繆簡車項連蘆麥婁竇黨宮費衛應臧閔鄔邊師欒榮鞏遲鄺談荊樂儲鄢勞諶藺樓滿聞厲區"
    "闞權強帥蓋練豐國計晉門雲來闕鹿邸烏況鮮諸戰銀賓陰堯閉酈貝鈕薊習鍾鐘譚陸韋鄒賀顧郝萬覃"
    "倪殷詹翟龍傅盛涂翁"
)

# Notices and page furniture.
NOTICE_WORDS = ("通告", "公告", "启事", "声明", "公示", "讣告", "通知", "聲明", "啟事", "啓事", "訃告")
NOTICE_CLOSING_RE = re.compile(r"特此(?:通告|公告|声明|公示|通知)")
EDITOR_BOX_WORDS = (
    "责任编辑",
    "责任校对",
    "本版编辑",
    "编辑",
    "版式设计",
    "美术编辑",
    "本版策划",
    "策划",
    "校对",
    "组版",
    "版式",
    "图片编辑",
    "美编",
    # credits for the whole page (本版): no one figure's (rule editor-box)
    "本版制图",
    "本版摄影",
    "本版图片",
    # Traditional characters
    "責任編輯",
    "責任校對",
    "本版編輯",
    "編輯",
    "美術編輯",
    "校對",
    "美編",
    "圖片編輯",
    "本版製圖",
    "本版攝影",
)
EDITOR_BOX_RE = re.compile(r"^(?:" + "|".join(EDITOR_BOX_WORDS) + r")(?:\s*[：:]\s*|\s+)\S")
JUMP_RE = re.compile(r"^[（(]\s*(?:下转|上接|转|接|续)(?:第\s*\d+\s*版|\S{1,8}版)\s*[）)]$")
COLUMN_LABEL_RE = re.compile(r"^(?P<column>[^\s|｜]{2,12})\s*[|｜]\s*(?P<rest>.*)$")
# A column label in brackets after the headline: 有了灯光，也要留住星光（域外听风）,
# 联合国首个…在华启动（患难见真情 共同抗疫情）, …（海外观澜·百年大党的世界回响）,
# …（“七一勋章”获得者）. Hanzi and quotes (a space or · may join two phrases); each
# phrase's length is checked apart (COLUMN_BRACKET_MAX hanzi).
_LABEL_PART = rf"[{HAN}“”‘’]{{2,14}}"
COLUMN_BRACKET_RE = re.compile(rf"^(?P<title>.+?)\s*[（(](?P<column>{_LABEL_PART}(?:[ ·]{_LABEL_PART})?)[）)]$")
COLUMN_BRACKET_MAX = 12
# Bracketed words that belong to the headline itself: parts of a series (（上篇）, （之一）,
# （续二））, a document's status (（草案）, （试行）, （征求意见稿））, what comes with it
# (（组图）, （附名单））.
NOT_COLUMN_BRACKET_RE = re.compile(
    r"^(?:附|之|续|连载)|(?:篇|稿|草案|试行|暂行|修订|修正|节选|节录|摘要|摘编|全文|组图|图|图表|视频|名单)$"
)
# The per-article dump (rule crawl-header-slots): kicker, headline and subtitle slots.
CRAWL_HEADER_SLOTS = 3
CRAWL_INDENT = "\u3000"  # the body's indent, which no slot line has
# First characters that can open each kind of special line: a cheap test before the regex.
DATELINE_FIRST = frozenset("本据據【" + "".join(a[0] for a in AGENCIES + AGENCIES_TRADITIONAL))
CREDIT_FIRST = frozenset("（(〔【" + "".join(w[0] for w in ROLE_WORDS))
EDITOR_BOX_FIRST = frozenset(w[0] for w in EDITOR_BOX_WORDS)
FULL_DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")

# Rule page-header: a page header line of a whole-issue or multi-page dump. "Page 2",
# "第3版", "第3版：要闻", "A03 要闻", "A03版：要闻", "01版：要闻" (a Markdown heading marker is
# already taken off). Sections run A to F; a page name is a short word without sentence
# punctuation.
_PAGE_NAME = r"[^\s，。！？、：:]{1,12}(?: [^\s，。！？、：:]{1,12})?"
PAGE_HEADER_RE = re.compile(
    r"^(?:[Pp]age ?\d{1,3}"
    rf"|第 ?[A-Fa-f]?\d{{1,3}} ?版(?: ?[：:] ?{_PAGE_NAME}| {_PAGE_NAME})?"
    rf"|[A-F]\d{{2}}(?: ?版)?(?: ?[：:] ?| ){_PAGE_NAME}"
    r"|[A-F]\d{2} ?版"
    rf"|\d{{1,3}} ?版(?: ?[：:] ?| ){_PAGE_NAME}"
    r"|\d{1,3} ?版)$"
)
PAGE_HEADER_FIRST = frozenset("Pp第ABCDEF0123456789")
# An archive's masthead line that heads each page: "申報 日期：1949年5月1日 版次/卷期：02 版".
MASTHEAD_HEADER_RE = re.compile(
    r"^\S{2,12}\s+日期\s*[：:]\s*\S{4,20}"
    r"(?:\s+(?:版次|版面|版號|版号)(?:/卷期)?\s*[：:]\s*(?:第\s*)?(?P<page>[A-Fa-f]?\d{1,3})\s*版?)?$"
)
PAGE_HEADER_MAX = 30  # characters: a longer line is no page header
# Rule file-header: "# 1880 - 1 - 4902399" (year, issue, archive id) on the first line.
FILE_HEADER_RE = re.compile(r"^\d{4} ?- ?\d{1,4} ?- ?\d{3,}$")

# Rules bracketed-headline and bracketed-advertisement: "[龍見辨誣]", "[縮本汗簡出售] [ 㸃石齋告白]".
BRACKET_HEADLINE_RE = re.compile(
    rf"^\[ ?(?P<head>[^\[\]]*?[{HAN}][^\[\]]*?) ?\](?: ?\[ ?(?P<signer>[^\[\]]*?[{HAN}][^\[\]]*?) ?\])?$"
)

# Rule letter-signature: the signature line above the date line is short.
SIGNATURE_MAX = 20

# Rule box-column: the box's heading is short.
BOX_LABEL_MAX = 8

# Rule column-label-leading: a label at the head of a headline. Shapes: 【label】, 《label》,
# label》, label／ (full-width slash); the label is hanzi only.
LEADING_COLUMN_RE = re.compile(
    rf"^(?:【(?P<lenticular>[{HAN}]{{2,8}})】|《(?P<book>[{HAN}]{{2,8}})》|(?P<chevron>[{HAN}]{{1,8}})》"
    rf"|(?P<slash>[{HAN}]{{2,8}})／)\s*(?P<rest>\S.*)$"
)
LEADING_COLUMN_FIRST = frozenset("【《") | frozenset(chr(c) for c in range(0x4E00, 0xA000))
# Genre words that end a recurring column's name: commentary, forum, profile, interview,
# market report … (a topical label ends in an event: 延燒, 二審, 三讀, 開議).
COLUMN_GENRE_ENDINGS = (
    "評論", "评论", "快評", "快评", "短評", "短评", "時評", "时评", "社評", "社评", "社論", "社论",
    "論壇", "论坛", "廣場", "广场", "之眼", "側寫", "侧写", "開箱", "开箱", "專訪", "专访",
    "專欄", "专栏", "觀察", "观察", "觀點", "观点", "隨筆", "随笔", "札記", "札记", "終結站", "终结站",
    "經濟", "经济", "財經", "财经",
)  # fmt: skip
# One-character endings: 評/论 … (焦點評論, 冷眼集, 台股); inside 《》 only 股 (《港股》),
# since 《…論》 and 《…集》 are book titles.
COLUMN_GENRE_CHARS = "評评論论集股"
COLUMN_GENRE_CHARS_BOOK = "股"

# Rule headline-author: a headline ending in a bracketed name: 聲討簡舒培惡質索資（何豪毅）.
HEADLINE_AUTHOR_RE = re.compile(rf"^(?P<title>.+?)\s*（(?P<name>[{HAN}]{{2,3}})）$")
# The author's note after a signed piece: （作者為南華大學國際事務與企業學系教授）.
AUTHOR_NOTE_RE = re.compile(r"^[（(]作者(?:為|为|系|係|是)[^（）()]{2,80}[）)]$")

# Rule bracketed-byline: 〔記者劉詠韻、甘孟霖／台北報導〕 at the start of a paragraph, and the
# tail of a byline after the names: ／台北報導, ╱特稿, ／綜合報導.
BYLINE_TAIL_RE = re.compile(
    rf"\s*[／╱/]\s*[{HAN}]{{0,8}}?(?:報導|报道|報道|特稿|專訪|专访|專題|专题|連線|连线)$"
)
RUN_IN_BYLINE_RE = re.compile(r"^[〔【](?P<inner>[^〔〕【】]{3,60})[〕】]\s*")

# Rule photo-credit-forms: the last characters a photo or graphic credit can end in, and
# the forms without a person.
PHOTO_CREDIT_LAST = frozenset("摄攝影图圖发發")
ORGANISATION_CREDIT_RE = re.compile(
    r"^(?:(?P<org>新华社|新華社|中新社|人民视觉|人民視覺|视觉中国|視覺中國|受访者|受訪者|本报|本報)"
    r"(?:记者)?(?:发|發|供图|供圖|提供)|图据\S{2,20}|圖據\S{2,20}|图片来源[：:]\S{2,20}|圖片來源[：:]\S{2,20})$"
)
GRAPHIC_CREDIT_RE = re.compile(rf"^(?:制图|製圖)\s*[：:]?\s*(?P<names>[{HAN}、 ]{{2,30}})$")

# Rule headline-wrap-space: a number and its measure word end a printed line, the phrase
# goes on in the next (两个 / 国家双创示范基地): the dump's space there is no clause break.
HEADLINE_WRAP_SPACE = re.compile(
    r"(?<=[一二两三四五六七八九十百千万几数0-9０-９][个個项項条條批名家件次位座所处處种種类類])[ \u3000](?=[\u4e00-\u9fff])"
)
