"""Crisis triage: danger signals in Chinese free text (pure; no Django import).

Misses are worse than false alarms, so matching is generous and nothing is ever dropped:

* every lexicon word is looked up in the normalised text (full-width folded, spaces and
  zero-width characters removed, so "不 想 活" still matches);
* with jieba's segmentation, a multi-word entry also matches with up to two words inserted
  ("不想再活了", "不想继续活下去");
* regex entries (validated against catastrophic backtracking) catch colloquial shapes;
* a signal preceded in its clause by a negation ("不是不想活", "没有想死") is still returned,
  flagged `negated=True` with its context, for a human to judge.

Words come from the one jieba tokenizer shared with core.summary (loaded on first use, quietly).
"""

import functools
import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shezhi.core.summary import words

MAX_TERM_LENGTH = 30
MAX_PATTERN_LENGTH = 100
MAX_GAP_WORDS = 2
CONTEXT_CHARS = 30


class Category(StrEnum):
    SUICIDE = "suicide"
    VIOLENCE = "domestic_violence"
    MISSING = "missing"
    FALL = "fall"
    NO_FOOD = "no_food"
    CHILD_HARM = "child_harm"
    MEDICAL = "medical"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.SUICIDE: "自杀/自伤",
    Category.VIOLENCE: "家暴",
    Category.MISSING: "走失",
    Category.FALL: "跌倒",
    Category.NO_FOOD: "断粮/无食物",
    Category.CHILD_HARM: "儿童受害",
    Category.MEDICAL: "急病",
}


class LexiconError(ValueError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Entry:
    term: str
    category: Category
    severity: int = 3  # 3 = act now, 2 = urgent, 1 = watch
    is_regex: bool = False


@dataclass(frozen=True)
class Signal:
    category: Category
    term: str
    matched: str
    start: int  # offsets in the original text
    end: int
    severity: int
    negated: bool
    context: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "category": self.category.value,
            "category_label": self.category.label,
            "term": self.term,
            "matched": self.matched,
            "start": self.start,
            "end": self.end,
            "severity": self.severity,
            "negated": self.negated,
            "context": self.context,
        }


def _w(category: Category, severity: int, *terms: str) -> list[Entry]:
    return [Entry(t, category, severity) for t in terms]


def _r(category: Category, severity: int, *patterns: str) -> list[Entry]:
    return [Entry(p, category, severity, is_regex=True) for p in patterns]


_S, _V, _M, _F = Category.SUICIDE, Category.VIOLENCE, Category.MISSING, Category.FALL
_N, _C, _H = Category.NO_FOOD, Category.CHILD_HARM, Category.MEDICAL

# One clause: any character but a clause break (keeps regex matches inside a clause).
_G = "[^，。！？；,.!?;\\n]"

# The curated floor; the admin-edited entries are added to it, never replace it.
DEFAULT_LEXICON: tuple[Entry, ...] = tuple(
    _w(_S, 3, "自杀", "轻生", "寻死", "想死", "不想活", "活不下去", "活着没意思", "活着没劲")
    + _w(_S, 3, "没意思活", "死了算了", "一死了之", "了结自己", "结束生命", "结束自己")
    + _w(_S, 3, "跳楼", "跳河", "跳江", "上吊", "割腕", "喝农药", "吃安眠药", "安眠药")
    + _w(_S, 3, "烧炭", "自残", "自伤", "伤害自己", "不如死了", "去死", "遗书", "陪老伴去")
    + _w(_S, 3, "活够了", "解脱了", "不想拖累", "死了好", "死了干净", "不活了")
    + _r(_S, 3, f"不想{_G}{{0,4}}活", f"死了{_G}{{0,3}}(算了|拉倒)")
    + _r(_S, 3, f"(吃|喝|攒){_G}{{0,4}}药{_G}{{0,4}}死")
    + _w(_V, 3, "家暴", "家庭暴力", "打老婆", "打妻子", "挨打", "被打", "动手打", "拳打脚踢")
    + _w(_V, 3, "掐脖子", "掐我", "拿刀", "砍我", "要杀了", "杀了我", "虐待", "威胁要杀")
    + _w(_V, 3, "揍我", "扇耳光", "扇我", "踢我", "不敢回家", "别打了")
    + _r(_V, 3, "打(我|她|他)(?!电话|手机|的电话|一顿电话)")
    + _r(_V, 3, f"(老公|丈夫|男人|儿子|媳妇|女婿|他爸|她爸){_G}{{0,6}}(打|揍|踢|掐)")
    + _w(_M, 3, "走失", "走丢", "找不到人", "一夜没回", "失踪", "联系不上", "不知去向")
    + _w(_M, 3, "出门没回", "迷路", "下落不明", "人不见了", "找不着人", "没回家")
    + _r(_M, 3, f"(出门|出去|走了){_G}{{0,8}}(没回|不见|找不到)")
    + _r(
        _M,
        3,
        f"(老人|老爷子|老太太|爷爷|奶奶|外婆|外公|母亲|父亲|妈|爸|老伴){_G}{{0,12}}"
        "(不见|没回|丢了|找不到|找不着)",
    )
    + _w(_F, 3, "摔倒", "跌倒", "摔了", "滑倒", "绊倒", "倒在地", "起不来", "爬不起来")
    + _w(_F, 3, "摔伤", "摔跤", "跌了一跤", "摔了一跤", "从床上掉", "跌伤", "栽倒")
    + _w(_N, 3, "断粮", "没饭吃", "没米", "没吃的", "没有吃的", "吃不上饭", "饿了两天")
    + _w(_N, 3, "饿了好几天", "好几天没吃", "没钱吃饭", "没钱买菜", "揭不开锅", "挨饿", "饿肚子")
    + _w(_N, 3, "没东西吃", "没有饭吃", "断顿")
    + _r(_N, 3, f"([0-9]|[一两二三四五六七八九十几]){_G}{{0,1}}天{_G}{{0,3}}没有?(吃|进食)")
    + _w(_C, 3, "打孩子", "虐待儿童", "虐童", "性侵", "猥亵", "孩子被打", "孩子身上有伤")
    + _w(_C, 3, "孩子没人管", "孩子一个人在家", "饿着孩子", "不给孩子饭吃", "拐卖", "童工")
    + _w(_C, 3, "孩子挨打", "小孩被打", "孩子离家出走", "孩子失踪", "体罚")
    + _r(
        _C,
        3,
        f"(孩子|小孩|儿童|女儿|儿子|学生|娃|闺女){_G}{{0,6}}"
        "(被打|挨打|被欺负|被摸|淤青|伤痕|被关|关在|没饭吃)",
    )
    + _r(_C, 3, f"(打|揍|虐待|关|饿){_G}{{0,3}}(孩子|小孩|娃)")
    + _w(_H, 2, "昏迷", "晕倒", "不省人事", "喘不上气", "呼吸困难", "胸口疼", "胸口痛", "中风了")
    # An acute stroke, not a past one ("中风后在家康复" is a care fact, not an emergency).
    + _w(_H, 2, "口眼歪斜", "嘴歪眼斜", "说话不清", "半边身子动不了", "半身不能动")
    + _r(_H, 2, f"(突然|刚刚|刚才|疑似|好像|可能|怕是){_G}{{0,2}}中风")
    + _w(_H, 2, "抽搐", "大出血", "吐血", "叫不醒", "煤气中毒", "叫了没反应", "发高烧")
)

NEGATIONS = frozenset(
    {
        "不",
        "不是",
        "并不是",
        "并非",
        "没",
        "没有",
        "并没有",
        "没想",
        "从没",
        "从没有",
        "从来不",
        "从来没",
        "从来没有",
        "从不",
        "绝不",
        "绝对不",
        "不会",
        "不再",
        "未",
        "从未",
        "非",
        "无",
        "否认",
        "并不",
        "也不",
        "也没",
        "也没有",
        "不曾",
        "没有过",
        "没想过",
        "从没想",
        "从来不想",
    }
)
# Words that may stand between a negation and the signal: "我并没有真的想死".
# Note 不要 / 别 are pleas ("别打我"), never negations.
FILLERS = frozenset(
    {
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "他们",
        "她们",
        "人",
        "并",
        "真的",
        "真",
        "也",
        "都",
        "还",
        "就",
        "是",
        "会",
        "要",
        "想",
        "有",
        "过",
        "曾",
        "曾经",
        "从来",
        "一点",
        "再",
        "说",
        "觉得",
        "打算",
        "准备",
        "啊",
        "呀",
    }
)
CLAUSE_BREAKS = frozenset("，。！？；,.!?;…\n：:、")
_DROPPED = frozenset({"\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"})


# --- validation -------------------------------------------------------------------------


def validate_entry(entry: Entry) -> Entry:
    """Refuse an empty or over-long term, a bad category or severity, and a regex that is
    invalid, matches empty text, or has a shape that can backtrack catastrophically."""
    term = (entry.term or "").strip()
    if not term:
        raise LexiconError("词条不能为空", field="term")
    try:
        category = Category(entry.category)
    except ValueError:
        raise LexiconError("请选择有效的信号类别", field="category") from None
    if isinstance(entry.severity, bool) or entry.severity not in (1, 2, 3):
        raise LexiconError("严重程度应为1到3", field="severity")
    if entry.is_regex:
        _validate_pattern(term)
    else:
        if len(term) > MAX_TERM_LENGTH:
            raise LexiconError(f"词条不能超过{MAX_TERM_LENGTH}个字符", field="term")
        if not any(ch.isalnum() for ch in normalise(term)[0]):
            raise LexiconError("词条不能只含空白或符号", field="term")
    return Entry(term, category, entry.severity, entry.is_regex)


def _validate_pattern(pattern: str) -> None:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise LexiconError(f"正则表达式不能超过{MAX_PATTERN_LENGTH}个字符", field="term")
    parser: Any = importlib.import_module("re._parser")
    try:
        parsed = parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise LexiconError(f"正则表达式有误：{getattr(exc, 'msg', exc)}", field="term") from None
    _check_shape(list(parsed), inside_repeat=False)
    if compiled.search("") is not None:
        raise LexiconError("正则表达式会匹配空文本，请写出具体词语", field="term")


_HANG = "正则表达式可能导致系统卡死（{}），请改写"


def _check_shape(items: Iterable[Any], *, inside_repeat: bool) -> None:
    for op, av in items:
        name = str(op)
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            _min, high, sub = av
            repeats = high > 1
            if repeats and inside_repeat:
                raise LexiconError(_HANG.format("嵌套的重复量词"), field="term")
            if repeats:
                _check_repeated_branches(list(sub))
            _check_shape(list(sub), inside_repeat=inside_repeat or repeats)
        elif name in {"GROUPREF", "GROUPREF_EXISTS"}:
            raise LexiconError(_HANG.format("不支持反向引用"), field="term")
        elif name == "SUBPATTERN":
            _check_shape(list(av[-1]), inside_repeat=inside_repeat)
        elif name == "BRANCH":
            for branch in av[1]:
                _check_shape(list(branch), inside_repeat=inside_repeat)
        elif name in {"ASSERT", "ASSERT_NOT"}:
            _check_shape(list(av[1]), inside_repeat=inside_repeat)
        elif name == "ATOMIC_GROUP":
            _check_shape(list(av), inside_repeat=inside_repeat)


def _check_repeated_branches(items: list[Any]) -> None:
    """Inside a repetition, alternatives must start with different literal characters;
    "(a|aa)+" or "(a|a?)*" can try exponentially many splits."""
    for op, av in items:
        name = str(op)
        if name == "SUBPATTERN":
            _check_repeated_branches(list(av[-1]))
        elif name == "BRANCH":
            firsts: list[int] = []
            for branch in av[1]:
                head = list(branch)[:1]
                if not head or str(head[0][0]) != "LITERAL":
                    raise LexiconError(_HANG.format("重复的分支无法区分"), field="term")
                firsts.append(head[0][1])
            if len(set(firsts)) != len(firsts):
                raise LexiconError(_HANG.format("重复的分支互相重叠"), field="term")


# --- scanning ---------------------------------------------------------------------------


def normalise(text: str) -> tuple[str, list[int]]:
    """Fold full-width forms and case, drop spaces and zero-width characters (newlines become
    clause breaks). Returns the text and, for each of its characters, the original offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text or ""):
        if ch in _DROPPED:
            continue
        if ch in "\r\n":
            chars.append("\n")
            offsets.append(index)
            continue
        if ch.isspace():
            continue
        for folded in unicodedata.normalize("NFKC", ch).lower():
            if folded.isspace():
                continue
            chars.append(folded)
            offsets.append(index)
    return "".join(chars), offsets


def segment(text: str) -> list[str]:
    """Words of the text, by the one shared jieba tokenizer (core.summary)."""
    return words(text)


def scan(text: str, lexicon: Sequence[Entry] = DEFAULT_LEXICON) -> list[Signal]:
    """Every danger signal in `text`, each once per place, in text order."""
    norm, offsets = normalise(text)
    if not norm:
        return []
    spans: dict[tuple[int, int, Category], Entry] = {}
    for entry in lexicon:
        for start, end in _find(entry, norm):
            key = (start, end, entry.category)
            if key not in spans or spans[key].severity < entry.severity:
                spans[key] = entry
    spans.update(_gapped(norm, lexicon, spans))
    signals = []
    for (start, end, category), entry in sorted(spans.items(), key=lambda kv: kv[0][:2]):
        if _covered(start, end, category, spans):
            continue
        o_start, o_end = offsets[start], offsets[end - 1] + 1
        signals.append(
            Signal(
                category=category,
                term=entry.term,
                matched=text[o_start:o_end],
                start=o_start,
                end=o_end,
                severity=entry.severity,
                negated=_negated(norm, start)
                or (entry.is_regex or end - start > len(entry.term))
                and _negated_inside(norm[start:end]),
                context=_context(text, o_start, o_end),
            )
        )
    return signals


def _find(entry: Entry, norm: str) -> Iterable[tuple[int, int]]:
    if entry.is_regex:
        for m in re.finditer(entry.term, norm):
            if m.end() > m.start():
                yield m.start(), m.end()
        return
    term = normalise(entry.term)[0]
    if not term:
        return
    start = norm.find(term)
    while start != -1:
        yield start, start + len(term)
        start = norm.find(term, start + 1)


def _gapped(
    norm: str, lexicon: Sequence[Entry], found: dict[tuple[int, int, Category], Entry]
) -> dict[tuple[int, int, Category], Entry]:
    """Multi-word entries matched with up to MAX_GAP_WORDS words inserted between their words."""
    words = [e for e in lexicon if not e.is_regex]
    if not words:
        return {}
    tokens = segment(norm)
    bounds = []
    pos = 0
    for token in tokens:
        bounds.append((pos, pos + len(token)))
        pos += len(token)
    extra: dict[tuple[int, int, Category], Entry] = {}
    for entry in words:
        parts = _parts(entry.term)
        if len(parts) < 2:
            continue
        for i, token in enumerate(tokens):
            if not token.endswith(parts[0]):
                continue
            j, ok = i, True
            for n, part in enumerate(parts[1:], start=2):
                nxt = _next_index(tokens, j + 1, part, prefix=n == len(parts))
                if nxt is None:
                    ok = False
                    break
                j = nxt
            if ok:
                start = bounds[i][1] - len(parts[0])
                key = (start, bounds[j][0] + len(parts[-1]), entry.category)
                if key not in found:
                    extra[key] = entry
    return extra


@functools.lru_cache(maxsize=4096)
def _parts(term: str) -> tuple[str, ...]:
    return tuple(segment(normalise(term)[0]))


def _next_index(tokens: list[str], start: int, part: str, *, prefix: bool) -> int | None:
    """The next token that is `part` (or, for an entry's last word, starts with it: 活 in
    活下去) within MAX_GAP_WORDS inserted words of the same clause."""
    for k in range(start, min(len(tokens), start + MAX_GAP_WORDS + 1)):
        if tokens[k] == part or (prefix and tokens[k].startswith(part)):
            return k
        if tokens[k] and tokens[k][0] in CLAUSE_BREAKS:
            return None
    return None


def _covered(
    start: int, end: int, category: Category, spans: dict[tuple[int, int, Category], Entry]
) -> bool:
    """A span inside a longer span of the same category is reported once, by the longer one."""
    return any(
        c == category and s <= start and end <= e and (s, e) != (start, end) for (s, e, c) in spans
    )


def _negated(norm: str, start: int) -> bool:
    clause_start = start
    while clause_start > 0 and norm[clause_start - 1] not in CLAUSE_BREAKS:
        clause_start -= 1
    prefix = norm[clause_start:start]
    if not prefix:
        return False
    skipped = 0
    for token in reversed(segment(prefix)):
        if token in NEGATIONS:
            return True
        if token in FILLERS and skipped < 3:
            skipped += 1
            continue
        return False
    return False


# Negations that, inside a regex or gapped match, turn it around: "孩子不是被打的".
STRONG_NEGATIONS = frozenset(
    {"不是", "并非", "并不是", "并没有", "不会", "从没", "从来没有", "没有过"}
)


def _negated_inside(matched: str) -> bool:
    return any(token in STRONG_NEGATIONS for token in segment(matched)[1:])


def _context(text: str, start: int, end: int) -> str:
    left = max(0, start - CONTEXT_CHARS)
    right = min(len(text), end + CONTEXT_CHARS)
    snippet = text[left:right].replace("\n", " ").strip()
    return ("…" if left else "") + snippet + ("…" if right < len(text) else "")


def worst(signals: Iterable[Signal]) -> Signal | None:
    """The signal to show first: not negated before negated, then the most severe."""
    ordered = sorted(signals, key=lambda s: (s.negated, -s.severity, s.start))
    return ordered[0] if ordered else None
