"""The case search: several words, and every one must match, over the tracking number,
the title, the description and every note on the case's timeline (handling notes, the
departments' replies, the reasons given for a step).

Chinese is written without spaces and most words searched for are two characters long
(楼道, 消防, 物业): shorter than a trigram, so pg_trgm finds no trigram in `%楼道%` to
look up and SQLite's trigram tokenizer matches nothing under three characters; both would
read every row. The text is therefore indexed as overlapping bigrams (楼道消防 → 楼道 道消
消防), as search engines index CJK text, plus its Latin words and numbers, and a word is
found as the phrase of its bigrams, in order. The tokens are kept in `CaseSearchText`,
one row a case, written by the lifecycle with every step that changes them: on
PostgreSQL a GIN full-text index over them (`to_tsvector('simple', ...)`), on SQLite an
FTS5 table kept in step by the same code. A single Chinese character, which is no
bigram, is looked for as a substring of the tokens (a scan; rare).
"""

import re
import unicodedata
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from base.bulk import insert_many

from .models import Case, CaseEvent, CaseSearchText

FTS_TABLE = "visits_casesearchtext_fts"
CONFIG = "simple"
# Words of a search beyond these are ignored: each costs an index lookup.
MAX_WORDS = 10

_LATIN = re.compile(r"[0-9a-z]+")
# Runs of Latin letters and digits, and runs of any other letters (Chinese, and kana,
# Hangul and accented letters alike).
_RUNS = re.compile(r"[0-9a-z]+|[^\W0-9a-z_]+")
_NUMBER_LIKE = re.compile(r"[0-9a-z-]+")


def _normal(text: str) -> str:
    # Full-width letters and digits typed with a Chinese input method (ＸＣ－２０２６,
    # ３号楼) are the ASCII ones.
    return unicodedata.normalize("NFKC", text).casefold()


def tokens_of(text: str) -> list[str]:
    """A text's search tokens: the bigrams of each run of Chinese (or other) letters, a
    one-letter run as itself, and its Latin words and numbers, all in lower case."""
    tokens = []
    for run in _RUNS.findall(_normal(text)):
        if _LATIN.fullmatch(run) or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def text_of(case: Case, notes: Iterable[str]) -> str:
    parts = [case.number, case.title, case.description, *notes]
    return " ".join(token for part in parts for token in tokens_of(part))


def reindex(case: Case) -> None:
    """Write the case's search tokens again from what it holds now. Called by the
    lifecycle after each step that adds a note or changes the title or description."""
    notes = CaseEvent.objects.filter(case=case).exclude(note="").values_list("note", flat=True)
    tokens = text_of(case, notes.order_by("pk"))
    CaseSearchText.objects.update_or_create(case_id=case.pk, defaults={"tokens": tokens})
    if connection.vendor == "sqlite":
        _fts_write([(case.pk, tokens)])


def index_many(rows: list[tuple[int, str]], texts=CaseSearchText) -> None:
    """Bulk: the (case id, tokens) of cases without a search row, written in one go."""
    insert_many(texts, [texts(case_id=pk, tokens=tokens) for pk, tokens in rows])
    if connection.vendor == "sqlite":
        _fts_write(rows)


def rebuild(cases=None, events=CaseEvent, texts=CaseSearchText, chunk: int = 2000) -> int:
    """Write the search rows of every case again from what it holds, a chunk at a time;
    the number of cases. The models are arguments so that a migration passes its own."""
    cases = (cases if cases is not None else Case.objects).only("number", "title", "description")
    done = last = 0
    while batch := list(cases.filter(pk__gt=last).order_by("pk")[:chunk]):
        notes = {}
        held = events.objects.filter(case__in=batch).exclude(note="").order_by("pk")
        for case_id, note in held.values_list("case_id", "note"):
            notes.setdefault(case_id, []).append(note)
        with transaction.atomic():  # a search never sees a chunk deleted and not written
            texts.objects.filter(case__in=batch).delete()
            index_many([(c.pk, text_of(c, notes.get(c.pk, ()))) for c in batch], texts)
        done, last = done + len(batch), batch[-1].pk
    return done


def _fts_write(rows: list[tuple[int, str]]) -> None:
    # Delete, then insert: an id a flushed test database gives out again starts clean.
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (%s, %s)", rows)


def _phrase(tokens: list[str]) -> str:
    """The tokens in order, the last one as a prefix unless it is a bigram: the word
    may end inside a longer token of the text (号 in 号楼, 0012 in 001234)."""
    prefix = _LATIN.fullmatch(tokens[-1]) or len(tokens[-1]) == 1
    if connection.vendor == "postgresql":
        return " <-> ".join(f"'{t}'" for t in tokens) + (":*" if prefix else "")
    return '"' + " ".join(tokens) + '"' + ("*" if prefix else "")


def _texts(phrases: list[str], substrings: list[str]) -> QuerySet:
    """The search rows holding every phrase and every substring of their tokens."""
    texts = CaseSearchText.objects.all()
    if phrases and connection.vendor == "postgresql":
        query = SearchQuery(" & ".join(f"({p})" for p in phrases), config=CONFIG, search_type="raw")
        texts = texts.annotate(vector=SearchVector("tokens", config=CONFIG)).filter(vector=query)
    elif phrases:
        match = RawSQL(
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [" AND ".join(phrases)]
        )
        texts = texts.filter(case_id__in=match)
    for substring in substrings:
        texts = texts.filter(tokens__contains=substring)
    return texts


def _word(tokens: list[str]) -> tuple[list[str], list[str]]:
    """A word's phrase and substrings. Its first token may be the end of a longer token
    of the text (3 in 13号楼, 楼 in 号楼): when it is Latin or one letter and more
    follow, it is looked for as a substring beside the phrase of the rest."""
    head = []
    if len(tokens) > 1 and (_LATIN.fullmatch(tokens[0]) or len(tokens[0]) == 1):
        head, tokens = [tokens[0]], tokens[1:]
    if len(tokens) == 1 and len(tokens[0]) == 1 and not _LATIN.fullmatch(tokens[0]):
        return [], [*head, tokens[0]]  # one letter, maybe inside a bigram: a substring
    return [_phrase(tokens)], head


def search(cases: QuerySet[Case], q: str) -> QuerySet[Case]:
    """The cases where every word of `q` is found (on their own, the other filters and
    the list's order apply as before)."""
    phrases, substrings, numbers = [], [], []
    for word in q.split()[:MAX_WORDS]:
        tokens = tokens_of(word)
        if not tokens:
            continue  # punctuation only
        found = _word(tokens)
        if _NUMBER_LIKE.fullmatch(_normal(word)):
            # Any part of a tracking number (its end, 000123, is no prefix of a token).
            numbers.append((_normal(word), found))
        else:
            phrases.extend(found[0])
            substrings.extend(found[1])
    if phrases or substrings:
        cases = cases.filter(Exists(_texts(phrases, substrings).filter(case_id=OuterRef("pk"))))
    for number, (word_phrases, word_substrings) in numbers:
        texts = _texts(word_phrases, word_substrings).filter(case_id=OuterRef("pk"))
        cases = cases.filter(Q(number__icontains=number) | Exists(texts))
    return cases
