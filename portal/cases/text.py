"""Chinese text helpers: keywords for pain points and tokens for search (jieba).

Search needs no PostgreSQL extension (DESIGN §7): the tokens jieba finds are stored in a
`tsvector` with the `simple` configuration, and a query is segmented the same way.
"""

import logging
import re

import jieba
import jieba.analyse

jieba.setLogLevel(logging.WARNING)

# Words that say nothing about the topic of an appeal, however often they appear.
STOP_WORDS = frozenset("""
企业 公司 我们 我司 你们 贵单位 单位 问题 请问 希望 需要 办理 相关 情况 如何 怎么 怎样 是否
可以 没有 已经 能否 一下 什么 为什么 目前 现在 一直 这个 那个 进行 有关 关于 咨询 求助 建议
投诉 反映 申请 要求 帮助 解决 谢谢 感谢 您好 你好 领导 部门 政府 工作 时间 今年 去年
""".split())

_WORD = re.compile(r"\w", re.UNICODE)
_PARTICLES = frozenset("的 了 和 与 及 在 是 吗 呢 吧 啊 把 被 对 从 向 或".split())


def keywords_of(text: str, *, limit: int = 5) -> list[str]:
    """Return up to `limit` keywords of `text`, most characteristic first (TF-IDF)."""
    words = jieba.analyse.extract_tags(text or "", topK=limit * 3)
    picked = [w.lower()[:30] for w in words if w not in STOP_WORDS and not w.isdigit()]
    return picked[:limit]


def search_tokens(text: str) -> str:
    """Return `text` segmented for the search index, tokens separated by spaces."""
    tokens = {t.strip().lower() for t in jieba.cut_for_search(text or "")}
    return " ".join(sorted(t for t in tokens if t and _WORD.search(t)))


def query_tokens(text: str) -> str:
    """Return a search query segmented like the index (all tokens must match)."""
    tokens = [t.strip().lower() for t in jieba.cut(text or "")]
    return " ".join(t for t in tokens if t and _WORD.search(t) and t not in _PARTICLES)
