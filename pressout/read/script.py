"""Which script a Chinese text is written in, and the language tag that follows from it
(rule ``script-language``, ``pressout.read.rules``).

``script_of(text)`` counts, in the first ``SAMPLE_CHARS`` characters, the characters that
exist in one script only (``HANS_ONLY``: 这 们 说 国 …; ``HANT_ONLY``: 這 們 說 國 …, old
print forms such as 爲 卽 旣 included) and decides:

* ``"Hant"`` when there are at least 2 Traditional-only characters and more than 3 times
  as many as Simplified-only ones (a Traditional page quoting a mainland name stays
  Traditional); ``"Hans"`` the same way round;
* when both scripts are there substantially (at least 10 marked characters in all, neither
  3 times the other): the majority;
* None when too few characters are marked to tell (short or ASCII text, a tie).

``language_tag(text, region)`` turns that into a BCP 47 tag, given the paper's region
(ISO 3166 alpha-2, any case, or None when unknown): Traditional is ``zh-TW``, ``zh-HK``,
``zh-MO`` in those regions, else ``zh-Hant``; Simplified is ``zh-SG``, ``zh-MY`` there,
``zh-CN`` in China or an unknown region, else ``zh-Hans``; an undecided text takes its
region's usual tag (``zh-TW`` for TW, ``zh-HK`` for HK …), ``zh-CN`` by default.

Speed: the sample is read in chunks of ``_CHUNK`` characters with one regular expression
per script (no Python loop per character), and reading stops early once the verdict is
settled: ``_SETTLED`` marked characters of one script and at most 1/``_SETTLED_RATIO`` as
many of the other. A page that switches script after such an opening is judged by its
opening.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

__all__ = ["HANS_ONLY", "HANT_ONLY", "SAMPLE_CHARS", "Script", "language_tag", "script_counts", "script_of"]

Script = Literal["Hans", "Hant"]

SAMPLE_CHARS = 20_000  # at most this many characters from the start of the text are read
_CHUNK = 1_000  # read this many at a time ...
_SETTLED = 200  # ... and stop once one script has this many marked characters
_SETTLED_RATIO = 20  # and at least this many times the other's
_MIN = 2  # the winning script needs at least this many marked characters
_RATIO = 3  # and more than this many times the other's; else
_MIXED = 10  # with at least this many marked in all, the majority wins; else None

# The tables: characters written in one script only, most frequent first, as derived once
# by a throw-away script (not a dependency of pressout) from OpenCC's character tables
# (opencc-python-reimplemented 0.1.7: STCharacters, TSCharacters, HKVariants, TWVariants),
# jieba 0.42.1's word frequencies (dict.txt) and CC-CEDICT (zhon 2.1.1):
#
# * HANS_ONLY: the 500 most frequent characters (summing jieba's word frequencies) that
#   OpenCC converts to Traditional forms other than themselves (so not 后 面 里 干 台 种
#   只 系 云 于 余 …, which are Traditional characters too), that are no Traditional
#   character themselves (not in TSCharacters), no Hong Kong or Taiwan form (HKVariants,
#   TWVariants: 着 群 户 台 …), not in CC-CEDICT's Traditional column (离 宁 庄 迹), and
#   not one of these, by hand: 并 (并州) and 儿 (a radical); 内 况 减 决 冲 净 凉 凑 盖 却
#   强 潜 烟 胆 帮 污, variant forms that Traditional print and typing use as well.
# * HANT_ONLY: the 500 most frequent characters of jieba's words converted by OpenCC
#   (s2t, s2tw, s2hk) that OpenCC converts to Simplified forms other than themselves (so
#   not 乾 於 著 徵 覆 …) and that are no Simplified character themselves (not in
#   STCharacters); then 36 variant forms that no conversion writes (old print, Japanese-
#   influenced forms: 産 敎 眞 卽 綫 旣 舘 …) of the 1,500 most frequent Simplified
#   characters.
#
# Checked on tests/corpus: no Traditional page there has a HANS_ONLY character, no
# Simplified page a HANT_ONLY one.
HANS_ONLY = (
    "国为这个来会时学说们发对长过业经门动进区开产军还现机体与当两实关从没将员东头间无见战点场数样问级应资"
    "务气汉总电声设义统处马领队计别权话报给变书华议称张导术结师达题条规县风运组听济论黄选记职号类传带农边"
    "联质阳难历专认车举线团备争众连调转该尔让较际亲单红约亚则属积图装许参观鱼办复远构随势热网语铁断爱纪证"
    "编满觉双乐标织项飞节龙响药轻击请显罗营视护创兴虽费试宝识维宫环乡责严桥仅杀围态杨负层须续状银终钱赛独"
    "细获习医尽脸弹楼艺陆协镇检写苏验紧劳优财养陈卫伤绝阶刘刚亿闻审压监敌兰园树词岛预继执谁惊画辑剑谈礼乱"
    "讲临挥欧简担岁荆贵辖块额错剧欢够孙阵销坚练脚读测吴换异顾顺鲜败货矿归买险评吗遗笔输渐顶训录毕献爷纳钟"
    "脑饭扩齐赶诉诗础届静盘卖湾灵杂泽侧庆妈馆补旧轮妇载怀软枪墙恶顿稳诸绿荣针宽库罢谢页拥圣戏奖币圆烧讨误"
    "疗闭寻岗丽横驻纸夺灯坏丝径购阴择宪鲁庙舰课奥虚隐粮络摇厅赵访韦吨扬纵纷贸汇灭仪缓释润岭虑钢码坛锛损综"
    "伦韩竞乌铺脉纯谋剂谓频壮骑鸡绍铜摆签缩废订绩盐萨贴触莲抢闹纺讯誉梦峡残闪贼倾贫诺麦泪辈镜贡缘贝骂饮奋"
    "跃赞启阁劲晋沟锋凭闯汤迁叹储贯彻凤赏辽询毁弃亩伟览龄绕浓绪蓝荡阅鸿惯鸟辞穷键递隶厉闲袭灾涨湿郑译邓肠"
)
HANT_ONLY = (
    "國這個來會為時學們後發對長過業經說門動進區開產軍還爲種現機體與兩當實麼關從內沒將員東頭間無見戰點場裏"
    "數樣問萬級應資務説並氣漢總電聲設義統處馬兒領隊計別權話報給變書華幾議稱決張導術結師達題條規縣風運組聽"
    "濟論黨強黃選記卻職號類傳帶農邊據聯廣質陽難專認車舉線裡備爭連歷調轉團該爾讓較際親單紅價約亞則屬積圖極"
    "遊裝許參佈觀魚辦遠構隨劃勢熱網語鐵斷愛紀況證編滿覺雙樂標確織項飛節龍響藥幹準輕擊臺請眾離顯羅營視護創"
    "餘興雖佔費試寶識維宮環鄉責嚴橋僅勝殺圍採態製係楊負層續狀銀終須錢賽鬥獨細習醫臉彈樓藝陸協鎮羣檢寫範獲"
    "蘇驗緊勞優財養適陳傷絕階雲劉剛億聞審壓監敵蘭復園樹詞島預繼執誰驚畫輯劍談禮願築亂講臨揮歐葉簡擔歲荊貴"
    "轄幫塊額錯劇歡夠孫陣銷堅練腳衝讀測吳寧換異顧順鮮敗貨礦歸買險評嗎廠戶遺衛筆輸漸頂訓錄畢盡獻爺衆納腦豐"
    "飯擴齊趕訴詩礎屆靜盤賣灣減靈雜溫澤側慶媽館補舊輪婦載懷軟槍喫牆頓穩諸綠榮寬針庫罷惡謝頁擁複聖戲獎幣圓"
    "燒週討誤療閉尋崗麗橫駐紙奪燈壞絲徑購陰擇憲魯廟艦課奧虛隱糧絡搖潛莊廳趙訪韋噸揚縱紛貿滅儀隻緩蓋釋潤嶺"
    "儘慮鋼碼錛損綜壇倫煙掛韓競烏鋪脈純謀劑託謂頻壯鐘騎雞蟲紹銅擺縮廢訂績鹽薩貼觸蓮搶鬧紡訊譽繫夢峽沖殘閃"
    "麫産曏敎眞厤卽綫証埰寀査鎭絶陞畵旣嵗𡻕麯録鈡懞舘墻緑旂奬墰壜罎纍鷄汎駡凈"
)


@cache
def _pattern(chars: str) -> re.Pattern[str]:
    return re.compile(f"[{chars}]")


def script_counts(text: str) -> tuple[int, int]:
    """How many Simplified-only and Traditional-only characters the sample of ``text``
    holds: its first ``SAMPLE_CHARS`` characters, or fewer when the verdict was settled
    earlier (see the module's doc)."""
    hans_only, hant_only = _pattern(HANS_ONLY), _pattern(HANT_ONLY)
    hans = hant = 0
    end = min(len(text), SAMPLE_CHARS)
    for start in range(0, end, _CHUNK):
        stop = min(start + _CHUNK, end)
        hans += len(hans_only.findall(text, start, stop))
        hant += len(hant_only.findall(text, start, stop))
        high, low = max(hans, hant), min(hans, hant)
        if high >= _SETTLED and low * _SETTLED_RATIO <= high:
            break
    return hans, hant


def script_of(text: str) -> Script | None:
    """``"Hans"`` (Simplified), ``"Hant"`` (Traditional) or None (cannot tell): see the
    module's doc for the rule."""
    hans, hant = script_counts(text)
    if hant >= _MIN and hant > _RATIO * hans:
        return "Hant"
    if hans >= _MIN and hans > _RATIO * hant:
        return "Hans"
    if hans + hant >= _MIXED and hans != hant:
        return "Hant" if hant > hans else "Hans"
    return None


_HANT_TAGS = {"TW": "zh-TW", "HK": "zh-HK", "MO": "zh-MO"}
_HANS_TAGS = {"CN": "zh-CN", "SG": "zh-SG", "MY": "zh-MY"}
_USUAL_TAGS = {**_HANT_TAGS, **_HANS_TAGS}  # a region's tag when the text does not tell


def language_tag(text: str, region: str | None = None) -> str:
    """The BCP 47 tag of ``text``, a page of Chinese from a paper of ``region`` (an ISO 3166
    code such as ``TW``, any case; None: unknown): ``zh-TW``/``zh-HK``/``zh-MO``/``zh-Hant``
    for Traditional text, ``zh-CN``/``zh-SG``/``zh-MY``/``zh-Hans`` for Simplified, the
    region's usual tag (default ``zh-CN``) when the script cannot be told."""
    code = region.upper() if region else None
    script = script_of(text)
    if script == "Hant":
        return _HANT_TAGS.get(code or "", "zh-Hant")
    if script == "Hans":
        return "zh-CN" if code is None else _HANS_TAGS.get(code, "zh-Hans")
    return _USUAL_TAGS.get(code or "", "zh-CN")
