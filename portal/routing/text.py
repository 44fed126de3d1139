"""Chinese text for routing: jieba segmentation with our domain terms, and keyword matching.

Segmentation is jieba's precise mode on the process-wide dictionary, then consecutive words
that together make one of the terms in `data/domain_words.txt` are joined (用/电报/装 →
用电报装, 人/社局 → 人社局). Joining never splits a word jieba found, and the process-wide
dictionary is left as it is, so other apps' segmentation (the case engine's keywords and
search) does not change with the order in which modules are imported.

Keywords of a routing rule match **whole words**: the keyword, segmented the same way, must be
a run of consecutive words of the text. So 用地 does not match 使用地址 (使用 | 地址), and 社保
does not match 社保局 (one word), while it matches 社保缴费 (社保 | 缴费). A keyword ending in
"*" matches words that *start* with it: 社保* matches 社保, 社保局, 社保卡; 施工许可* matches
施工许可证. Punctuation ends a run: 社保，卡 is not 社保卡. The "try the rules" admin page shows
how a text is segmented. See docs/adr/0006-routing-suggestions.md.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

DOMAIN_WORDS_FILE = Path(__file__).resolve().parent / "data" / "domain_words.txt"
PREFIX_MARK = "*"
# Stands for any run of spaces and punctuation between words: nothing matches across it.
BREAK = " "

_WORD = re.compile(r"\w", re.UNICODE)

# Words that say nothing about which unit should handle an appeal: left out of the learned
# model's features, never out of keyword matching (there the department decides).
STOP_WORDS = frozenset("""
的 了 和 与 及 在 是 吗 呢 吧 啊 把 被 对 从 向 或 也 都 就 还 又 很 我 你 他 她 它 我们 你们 他们
企业 公司 我司 贵单位 单位 问题 请问 希望 需要 办理 相关 情况 如何 怎么 怎样 是否 可以 没有 已经
能否 一下 什么 为什么 目前 现在 一直 这个 那个 进行 有关 关于 咨询 求助 建议 反映 申请 要求
帮助 解决 谢谢 感谢 您好 你好 领导 部门 政府 工作 时间 今年 去年 一个 这些 那些 因为 所以 但是
""".split())


def normalize(text: str) -> str:
    """Fold full-width and compatibility forms (ＥＴＣ → etc) and lower-case Latin letters."""
    return unicodedata.normalize("NFKC", text or "").lower()


@functools.cache
def domain_words() -> frozenset[str]:
    """Return the domain terms (read once per process)."""
    words = set()
    for raw in DOMAIN_WORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            words.add(normalize(line))
    return frozenset(words)


@functools.cache
def _longest_domain_word() -> int:
    return max((len(w) for w in domain_words()), default=0)


def _join_domain_words(words: list[str]) -> list[str]:
    """Join runs of consecutive words that spell a domain term, longest first."""
    terms, longest = domain_words(), _longest_domain_word()
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        best_end, joined = i + 1, words[i]
        if words[i] != BREAK:
            text, j = words[i], i + 1
            while j < n and words[j] != BREAK and len(text) + len(words[j]) <= longest:
                text += words[j]
                j += 1
                if text in terms:
                    best_end, joined = j, text
        out.append(joined)
        i = best_end
    return out


def segment(text: str) -> tuple[str, ...]:
    """Return the words of `text` in order; spaces and punctuation become one BREAK each."""
    words: list[str] = []
    for token in jieba.cut(normalize(text)):
        if _WORD.search(token) and not token.isspace():
            words.append(token.strip())
        elif words and words[-1] != BREAK:
            words.append(BREAK)
    if words and words[-1] == BREAK:
        words.pop()
    return tuple(_join_domain_words(words))


def clean_keyword(keyword: str) -> str:
    """Return `keyword` as rules store it: normalized, without spaces, '*' kept at the end."""
    keyword = normalize(keyword).strip()
    prefix = keyword.endswith(PREFIX_MARK)
    core = "".join(ch for ch in keyword.rstrip(PREFIX_MARK) if _WORD.match(ch))
    return f"{core}{PREFIX_MARK}" if prefix and core else core


@functools.lru_cache(maxsize=4096)
def keyword_tokens(keyword: str) -> tuple[str, ...]:
    """Return a whole-word keyword segmented like a text (cached: rules are read every call)."""
    return tuple(t for t in segment(keyword) if t != BREAK)


class Text:
    """A text segmented once, for matching many keywords and for the model's features."""

    def __init__(self, text: str):
        self.words = segment(text)
        self.word_set = frozenset(self.words)

    def find(self, keyword: str) -> bool:
        """Return True when `keyword` (as stored by clean_keyword) occurs as described above."""
        if keyword.endswith(PREFIX_MARK):
            return self._starts_a_word(keyword[:-1])
        wanted = keyword_tokens(keyword)
        if not wanted:
            return False
        if len(wanted) == 1:
            return wanted[0] in self.word_set
        first, size, words = wanted[0], len(wanted), self.words
        return any(words[i] == first and words[i:i + size] == wanted
                   for i in range(len(words) - size + 1))

    def _starts_a_word(self, stem: str) -> bool:
        if not stem:
            return False
        words = self.words
        for i, word in enumerate(words):
            if word == BREAK or word[0] != stem[0]:
                continue
            text, j = word, i + 1
            while len(text) < len(stem) and j < len(words) and words[j] != BREAK:
                text += words[j]
                j += 1
            if text.startswith(stem):
                return True
        return False

    def features(self) -> list[str]:
        """Return the words the learned model looks at (no stop words, numbers or breaks)."""
        return [w for w in self.words
                if w != BREAK and w not in STOP_WORDS and not w.isdigit() and len(w) <= 30]
