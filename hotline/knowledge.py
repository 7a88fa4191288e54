"""The 12345 knowledge base and its Chinese text search.

Chinese has no spaces, so a query is cut into overlapping two-character pieces (bigrams) — "社保卡
补办" gives 社保, 保卡, 卡补, 补办 — plus any Latin words, which are also matched against each
article's pinyin ("shebao", "sbk"). Candidates are found in SQL with LIKE on the precomputed
``search_text`` and pinyin columns; the few hundred candidates at most are then scored in Python,
title and keyword hits weighing more than hits in the answer.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import msgspec
from pypinyin import Style, lazy_pinyin

from audit import log as audit
from core import db, rows, timeutil
from core.errors import ProblemError, invalid
from hotline.tables import KnowledgeArticle
from regions import tree as regions

_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+")
MAX_TERMS = 16


class Hit(msgspec.Struct, frozen=True):
    id: uuid.UUID
    title: str
    snippet: str
    topic: str
    score: int


def terms(query: str) -> tuple[list[str], list[str]]:
    """(Chinese bigrams or single characters, Latin words) of a query, in order, without repeats."""
    text = query.strip().lower()
    chinese: list[str] = []
    for run in _CJK.findall(text):
        pieces = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        chinese.extend(pieces)
    latin = [word for word in _LATIN.findall(text) if len(word) >= 2]
    return list(dict.fromkeys(chinese))[:MAX_TERMS], list(dict.fromkeys(latin))[:4]


def index_columns(title: str, question: str, answer: str, keywords: str) -> dict[str, str]:
    words = [title, *[k.strip() for k in keywords.split(",") if k.strip()]]
    return {
        "search_text": " ".join([title, question, keywords, answer]).lower(),
        "pinyin_full": " ".join("".join(lazy_pinyin(w, errors="ignore")).lower() for w in words),
        "pinyin_initials": " ".join(
            "".join(lazy_pinyin(w, style=Style.FIRST_LETTER, errors="ignore")).lower() for w in words
        ),
    }


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def score(article: dict[str, Any], chinese: list[str], latin: list[str], query: str) -> int:
    title, keywords = article["title"].lower(), article["keywords"].lower()
    question, answer = article["question"].lower(), article["answer"].lower()
    total = 0
    for term in chinese:
        total += 3 * (term in title) + 3 * (term in keywords) + 2 * (term in question) + (term in answer)
    for word in latin:
        total += 2 * (word in article["pinyin_full"] or word in article["pinyin_initials"].split())
        total += word in title or word in answer
    if query and query in title:
        total += 5
    return total


def _snippet(article: dict[str, Any]) -> str:
    answer = " ".join(article["answer"].split())
    return answer if len(answer) <= 80 else answer[:79] + "…"


async def search(query: str, *, region: str | None = None, limit: int = 10) -> list[Hit]:
    chinese, latin = terms(query)
    if not chinese and not latin:
        return []
    conditions = [" \"search_text\" LIKE {} ESCAPE '\\'" for _ in chinese]
    args: list[Any] = [_like(term) for term in chinese]
    for word in latin:
        conditions.append(" \"pinyin_full\" LIKE {} ESCAPE '\\' OR \"pinyin_initials\" LIKE {} ESCAPE '\\'")
        args += [_like(word), _like(word)]
        conditions.append(" \"search_text\" LIKE {} ESCAPE '\\'")
        args.append(_like(word))
    sql = (
        'SELECT "id", "title", "question", "answer", "keywords", "topic", "pinyin_full", "pinyin_initials" '
        'FROM "hotline_knowledge" WHERE "status" = \'published\''
    )
    if region:
        tree = await regions.tree()
        places = ["", *tree.ancestors(region)] if region in tree else [""]
        sql += f' AND "region_code" IN ({", ".join("{}" for _ in places)})'
        args = [*places, *args]
    sql += " AND (" + " OR ".join(conditions) + ") LIMIT 300"
    candidates = await KnowledgeArticle.raw(sql, *args)
    needle = query.strip().lower()
    scored = [(score(row, chinese, latin, needle), row) for row in candidates]
    scored = [item for item in scored if item[0] > 0]
    scored.sort(key=lambda item: (-item[0], item[1]["title"]))
    return [Hit(row["id"], row["title"], _snippet(row), row["topic"], points) for points, row in scored[:limit]]


async def get(article_id: uuid.UUID, *, count_hit: bool = False) -> dict[str, Any]:
    row = await rows.one(KnowledgeArticle, article_id)
    if row is None or row["status"] != "published":
        raise ProblemError("not_found")
    if count_hit:
        async with db.write_tx():
            await KnowledgeArticle.update({KnowledgeArticle.hits: KnowledgeArticle.hits + 1}).where(
                KnowledgeArticle.id == article_id
            )
    return row


async def save(
    *,
    title: str,
    question: str,
    answer: str,
    keywords: str,
    topic: str,
    region_code: str,
    actor: audit.Actor,
    updated_by: uuid.UUID | None,
    article_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Create (or replace) an article; the search columns are derived here and nowhere else."""
    if not title.strip():
        raise invalid("title")
    if not answer.strip():
        raise invalid("answer")
    if region_code and region_code not in await regions.tree():
        raise invalid("region_code", "region_invalid")
    row = {
        "title": title.strip()[:200],
        "question": question.strip(),
        "answer": answer.strip(),
        "keywords": keywords.strip()[:300],
        "topic": topic.strip()[:64],
        "region_code": region_code,
        "status": "published",
        "updated_by": updated_by,
        "updated_at": timeutil.now(),
        **index_columns(title.strip(), question.strip(), answer.strip(), keywords.strip()),
    }
    async with db.write_tx():
        if article_id is None:
            row["id"] = timeutil.uuid7()
            await rows.insert(KnowledgeArticle, row)
        else:
            if not await rows.update(KnowledgeArticle, row, id=article_id):
                raise ProblemError("not_found")
            row["id"] = article_id
        await audit.append("knowledge.saved", actor=actor, object_type="knowledge", object_id=row["id"])
    return row
