"""The conventions of Chinese newspaper pages, as data, and the named rules that use them.

Every rule the reader applies is listed in ``RULES`` with a stable name and one sentence
saying what it does; the TEI header's ``editorialDecl`` and the README are generated
from / kept in step with this list, and each rule has a test with a real line from the
seeds (tests/test_rules.py). No table here names a particular headline, person or
sentence: they hold the vocabulary of the genre (role words, surnames, verbs that end a
kicker …), so the rules carry over to other papers' dumps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["RULES", "Rule"]


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
        "Bytes are decoded as UTF-8 (with or without BOM), UTF-16/32 with BOM, or GB18030 when the page is not UTF-8 at all and reads as Chinese.",
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
        "headline-wrap",
        "headlines",
        "Consecutive headline lines with no blank line between them, on a page that separates paragraphs by blank lines, are one wrapped headline.",
        "interpretation",
    ),
    Rule(
        "headline-stack",
        "headlines",
        "A stack of headline lines gives kicker (a line ending in 强调/指出/表示 … above the headline, or a lower Markdown level above), headline, and subtitle (a line starting with —— or ending in 出席/参加/主持 …, or a lower Markdown level below).",
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
        "A label of 2 to 12 hanzi without punctuation in brackets at the end of a headline (有了灯光，也要留住星光（域外听风）) is the article's column, not part of the headline; a part, status or media word (上篇, 续, 草案, 试行, 组图 …) stays in the headline.",
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
        "credit-roles",
        "credits",
        "Inside a credit, role words (记者, 本报记者, 特约记者, 实习生, 通讯员, 摄) give the role of the names after them; names are two to four hanzi, and single hanzi split by a layout space are one name (王 勇).",
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
    # items
    Rule(
        "photo-item",
        "items",
        "A caption ending in 甲 摄 (credit on the same or the next line) that stands between articles is a photo item.",
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
        "notice",
        "items",
        "A block starting with 通告/公告/启事/声明/公示, or containing 特此通告, is a notice item; its signature and date become paragraphs.",
        "interpretation",
    ),
    Rule(
        "editor-box",
        "items",
        "Staff lines (责任编辑, 版式设计, 本版策划 …) are page furniture.",
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
    "特约记者": "reporter",
    "见习记者": "reporter",
    "实习记者": "reporter",
    "首席记者": "reporter",
    "摄影记者": "photographer",
    "记者": "reporter",
    "实习生": "reporter",
    "通讯员": "correspondent",
    "特约通讯员": "correspondent",
    "摄影": "photographer",
    "撰文": "author",
    "文": "author",
}
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
DATELINE_FORMS = (
    r"本报讯|本报[^\s，。（(]{0,10}?\d{1,2}月\d{1,2}日[电讯]"
    r"|(?:据)?(?:" + "|".join(AGENCIES) + r")[^\s，。（(]{0,10}?\d{1,2}月\d{1,2}日[电讯]"
)
DATELINE_RE = re.compile(f"^(?P<dateline>{DATELINE_FORMS})")

# A dateline printed alone in brackets after the text: （本报莫斯科4月30日电）.
CLOSING_DATELINE_RE = re.compile(f"^[（(]\\s*(?P<dateline>{DATELINE_FORMS})\\s*[）)]$")

# Names: two to four hanzi (minority names may join parts with ·).
NAME = rf"[{HAN}]{{2,4}}(?:·[{HAN}]{{1,6}})?"
NAME_RE = re.compile(f"^{NAME}$")
# Place names and words that look like names but are not: a name never ends like these.
NOT_NAME_ENDINGS = tuple("区县市省镇乡村州盟旗街路局委办部厅院校所站队组社会报台网")
NOT_NAME_WORDS = frozenset(AGENCIES) | {"本报", "综合", "完", "待续", "未完", "全文完"}

# Common Chinese surnames (single and compound). A bare bracketed credit （张波） or a
# name alone under a headline is taken for a person only if it starts with one of these.
SURNAMES_COMPOUND = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 令狐 端木 西门 南宫 "
    "独孤 钟离 澹台 呼延 申屠 轩辕 万俟 闻人 赫连 百里 东郭 左丘 第五 公冶 太史 濮阳"
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
    "尧闭由弓郦逄鄂蔚訾宦郗雒蹇靖薄贝忻钮和璩邴郄蓟"
)

# Notices and page furniture.
NOTICE_WORDS = ("通告", "公告", "启事", "声明", "公示", "讣告", "通知")
NOTICE_CLOSING_RE = re.compile(r"特此(?:通告|公告|声明|公示|通知)")
EDITOR_BOX_WORDS = (
    "责任编辑",
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
)
EDITOR_BOX_RE = re.compile(r"^(?:" + "|".join(EDITOR_BOX_WORDS) + r")(?:\s*[：:]\s*|\s+)\S")
JUMP_RE = re.compile(r"^[（(]\s*(?:下转|上接|转|接|续)(?:第\s*\d+\s*版|\S{1,8}版)\s*[）)]$")
COLUMN_LABEL_RE = re.compile(r"^(?P<column>[^\s|｜]{2,12})\s*[|｜]\s*(?P<rest>.*)$")
# A column label in brackets after the headline: 有了灯光，也要留住星光（域外听风）,
# 联合国首个…在华启动（患难见真情 共同抗疫情）. Hanzi only (a space may separate two
# phrases); the label's length is checked apart (COLUMN_BRACKET_MAX hanzi).
COLUMN_BRACKET_RE = re.compile(rf"^(?P<title>.+?)\s*[（(](?P<column>[{HAN}]{{2,12}}(?: [{HAN}]{{2,12}})?)[）)]$")
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
DATELINE_FIRST = frozenset("本据" + "".join(a[0] for a in AGENCIES))
CREDIT_FIRST = frozenset("（(" + "".join(w[0] for w in ROLE_WORDS))
EDITOR_BOX_FIRST = frozenset(w[0] for w in EDITOR_BOX_WORDS)
FULL_DATE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
