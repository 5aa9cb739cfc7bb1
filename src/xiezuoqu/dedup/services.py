"""Duplicate detection (重复件识别): index documents, find earlier near-duplicates, record decisions.

The app is generic: it indexes *documents* named by the caller as ``(kind, object_id)`` — kind
``"report"``, ``"clue"`` … — in a commission, and knows nothing of the models behind them. The caller
(intake on registration, clues on opening) checks who may see what; this module only keeps every
lookup inside the commissions the caller passes.

    index_document(kind="report", object_id=report.pk, commission_id=c, text=..., accused_names=["张三"])
    find_similar(text=..., accused_names=["张三"], commission_ids=[c], exclude=("report", report.pk))
    decide_link(actor=actor, kind="report", object_id=new.pk, other_kind="report", other_id=old.pk,
                decision="confirmed")

The final score of a match (0–1) combines the exact Jaccard similarity ``J`` of the two texts'
shingle sets with the same-person signal as a noisy-OR:

    score = J                              if no accused name is shared
    score = 1 − (1 − J) × (1 − 0.5)        if one is (= 0.5 + 0.5 J)

so a shared accused name alone scores 0.5 and shows above the default ``min_score`` 0.3, and text
similarity raises it towards 1. See docs/decisions/0008-duplicate-detection.md.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from xiezuoqu.audit.services import record_event
from xiezuoqu.crypto import blind_index, keyring
from xiezuoqu.errors import NotFound, RuleViolation, ValidationFailed

from . import minhash
from .models import DuplicateLink, IndexedDocument, LshBucket, PersonKey

if TYPE_CHECKING:
    from xiezuoqu.access.actor import Actor

NAME_PURPOSE = "accused.name"
SHINGLE_PURPOSE = "dedup.shingle"
PERSON_WEIGHT = 0.5
# Bounds on the exact scoring per lookup: the documents sharing the most LSH bands, and the most
# recent documents naming the same accused person.
MAX_TEXT_CANDIDATES = 200
MAX_PERSON_CANDIDATES = 100
# Below this many shingles (≈ 10 characters) a text says too little for its similarity to mean much.
SHORT_TEXT_SHINGLES = 8
BULK_BATCH = 1_000
# Dots inside names (买买提·艾力) are written many ways; they do not tell two persons apart.
_NAME_DOTS = str.maketrans("", "", "·・•‧.．")
_DOCUMENT_COLUMNS = ("kind", "object_id", "commission_id", "person_keys", "shingles", "shingle_count")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,19}")


@dataclass(frozen=True)
class Match:
    """An earlier document that may be a duplicate of the text looked up."""

    kind: str
    object_id: int
    commission_id: int
    score: float  # combined, 0–1 (see the module docstring)
    text_score: float  # exact Jaccard similarity of the shingle sets
    same_person: bool  # an accused person's name is the same
    reasons: tuple[str, ...]  # in Chinese, for the registrar
    decision: str | None = None  # an earlier confirmed/rejected decision on this pair, if any


def combined_score(text_score: float, same_person: bool) -> float:
    if not same_person:
        return text_score
    return 1.0 - (1.0 - text_score) * (1.0 - PERSON_WEIGHT)


@lru_cache(maxsize=1)
def _shingle_key() -> bytes:
    """The secret key of the shingle hashes (outside the database, like every data key)."""
    return keyring().key_for(SHINGLE_PURPOSE)


@lru_cache(maxsize=32)
def fingerprint(text: str) -> minhash.Fingerprint:
    """The text's fingerprint under the product's key. Cached: registration looks a text up and then
    indexes it, and the fingerprint is most of the CPU either costs."""
    return minhash.fingerprint(text, key=_shingle_key())


def name_form(name: str) -> str:
    """A name as matched: NFKC, no whitespace, no dots (the blind index folds the rest)."""
    return "".join(unicodedata.normalize("NFKC", name).translate(_NAME_DOTS).split())


def person_keys_by_name(names: Iterable[str]) -> dict[str, str]:
    """Blind index (HMAC-SM3, purpose ``accused.name``) → the name it came from, for non-empty names."""
    keys: dict[str, str] = {}
    for name in names:
        form = name_form(name or "")
        if form:
            keys.setdefault(blind_index(form, purpose=NAME_PURPOSE), form)
    return keys


def _check_document(kind: str, object_id: int) -> None:
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise ValidationFailed("文档类别无效。", field_errors={"kind": ["类别须为不超过 20 个字符的英文标识。"]})
    if isinstance(object_id, bool) or not isinstance(object_id, int):
        raise ValidationFailed("对象编号无效。", field_errors={"object_id": ["对象编号须为整数。"]})


def _delete_index_rows(document: IndexedDocument) -> None:
    """Delete a document's bucket and person rows by their primary keys, recomputed from its stored
    shingles and person keys: no index on the document column is needed."""
    keys = minhash.Fingerprint.of_packed(bytes(document.shingles)).bucket_keys
    if keys:
        LshBucket.objects.filter(
            commission_id=document.commission_id, bucket_hash__in=keys, document_id=document.pk
        ).delete()
    if document.person_keys:
        PersonKey.objects.filter(
            commission_id=document.commission_id, key__in=document.person_keys, document_id=document.pk
        ).delete()


def _insert_index_rows(alias: str, rows: list[tuple[int, int, int]], persons: list[tuple[int, str, int]]) -> None:
    """A document's bucket rows in one INSERT, its person rows in another (the ORM's per-object work
    would cost more than the rows: this runs on every registration)."""
    _insert_rows(alias, LshBucket, ["commission_id", "bucket_hash", "document_id"], rows)
    _insert_rows(alias, PersonKey, ["commission_id", "key", "document_id"], persons)


def _insert_rows(
    alias: str, model: type[LshBucket] | type[PersonKey], columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    connection = connections[alias]
    quote = connection.ops.quote_name
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) VALUES {values}",
            [value for row in rows for value in row],
        )


@lru_cache(maxsize=8)
def _insert_document_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = [*_DOCUMENT_COLUMNS, "created_at", "updated_at"]
    return (
        f"INSERT INTO {quote(IndexedDocument._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({quote('kind')}, {quote('object_id')}) DO NOTHING RETURNING {quote('id')}"
    )


def _prepared(field_name: str, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """A value as the field would send it (JSON, binary and time adaptation differ per database)."""
    field: Any = IndexedDocument._meta.get_field(field_name)
    return field.get_db_prep_save(value, connection)


def index_document(
    *,
    kind: str,
    object_id: int,
    commission_id: int,
    text: str,
    accused_names: Iterable[str] = (),
    replace: bool = True,
) -> bool:
    """Put a document into the duplicate index, or bring its entry up to date (idempotent).

    Call it in the transaction that registers (or edits) the document: it joins that transaction
    (no savepoint of its own). With ``replace=False`` an existing entry is left as it is. Stores no
    text and no names: keyed shingle hashes, LSH bucket keys and blind indexes of the accused names.
    Returns whether the index changed (False: already indexed with this text, names and commission).
    """
    _check_document(kind, object_id)
    fp = fingerprint(text)
    person_keys = sorted(person_keys_by_name(accused_names))
    shingles = fp.packed_shingles()
    alias = router.db_for_write(IndexedDocument)
    connection = connections[alias]
    with transaction.atomic(using=alias, savepoint=False):
        now = timezone.now()
        # A new document (the registration path) is one INSERT; a known one is locked and replaced.
        with connection.cursor() as cursor:
            cursor.execute(
                _insert_document_sql(alias),
                [
                    kind,
                    object_id,
                    commission_id,
                    _prepared("person_keys", person_keys, connection),
                    _prepared("shingles", shingles, connection),
                    fp.shingle_count,
                    _prepared("created_at", now, connection),
                    _prepared("updated_at", now, connection),
                ],
            )
            inserted = cursor.fetchone()
        if inserted is not None:
            pk = inserted[0]
            _insert_index_rows(
                alias,
                [(commission_id, key, pk) for key in fp.bucket_keys],
                [(commission_id, key, pk) for key in person_keys],
            )
            return True
        document = IndexedDocument.objects.select_for_update().get(kind=kind, object_id=object_id)
        if not replace:
            return False
        values: dict[str, Any] = {
            "commission_id": commission_id,
            "person_keys": person_keys,
            "shingles": shingles,
            "shingle_count": fp.shingle_count,
        }
        stored = (document.commission_id, document.person_keys, bytes(document.shingles), document.shingle_count)
        if stored == tuple(values.values()):
            return False
        _delete_index_rows(document)
        for name, value in values.items():
            setattr(document, name, value)
        document.save(update_fields=[*values, "updated_at"])
        _insert_index_rows(
            alias,
            [(commission_id, key, document.pk) for key in fp.bucket_keys],
            [(commission_id, key, document.pk) for key in person_keys],
        )
        return True


def remove_document(kind: str, object_id: int) -> bool:
    """Take a document out of the index (its link decisions stay on record). False if it was not in."""
    _check_document(kind, object_id)
    with transaction.atomic(savepoint=False):
        document = IndexedDocument.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
        if document is None:
            return False
        _delete_index_rows(document)
        document.delete()
        return True


@dataclass(frozen=True)
class DocumentText:
    """One document for ``index_documents`` (the bulk load of an existing ledger)."""

    kind: str
    object_id: int
    commission_id: int
    text: str
    accused_names: tuple[str, ...] = ()


def index_documents(documents: Iterable[DocumentText], *, batch_size: int = BULK_BATCH) -> int:
    """Bulk-load documents that are not in the index yet (taking over a commission's past ledgers).

    Insert only: a document already indexed makes its batch fail with ``IntegrityError`` — use
    ``index_document`` to update. Each batch is one transaction; returns the number indexed.
    """
    total = 0
    batch: list[DocumentText] = []
    for item in documents:
        batch.append(item)
        if len(batch) >= batch_size:
            total += _index_batch(batch)
            batch = []
    if batch:
        total += _index_batch(batch)
    return total


def _index_batch(batch: list[DocumentText]) -> int:
    prints = []
    rows = []
    for item in batch:
        _check_document(item.kind, item.object_id)
        fp = fingerprint(item.text)
        prints.append(fp)
        rows.append(
            IndexedDocument(
                kind=item.kind,
                object_id=item.object_id,
                commission_id=item.commission_id,
                person_keys=sorted(person_keys_by_name(item.accused_names)),
                shingles=fp.packed_shingles(),
                shingle_count=fp.shingle_count,
            )
        )
    alias = router.db_for_write(LshBucket)
    with transaction.atomic(using=alias):
        created = IndexedDocument.objects.using(alias).bulk_create(rows)
        buckets = [
            (document.commission_id, key, document.pk)
            for document, fp in zip(created, prints, strict=True)
            for key in fp.bucket_keys
        ]
        persons = [(document.commission_id, key, document.pk) for document in created for key in document.person_keys]
        _copy_rows(alias, LshBucket, ["commission_id", "bucket_hash", "document_id"], buckets)
        _copy_rows(alias, PersonKey, ["commission_id", "key", "document_id"], persons)
    return len(created)


def _copy_rows(
    alias: str, model: type[LshBucket] | type[PersonKey], columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Many narrow rows at once: COPY on PostgreSQL, one prepared INSERT run for every row on SQLite."""
    if not rows:
        return
    connection = connections[alias]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


# --- rebuilding the index (xiezuoqu dedup_reindex) -------------------------------------------------------


def clear_index_rows() -> tuple[int, int]:
    """Empty the bucket and person-key tables (the start of a rebuild). The documents stay, with their
    stored fingerprints, until each is indexed again; lookups meanwhile find fewer candidates."""
    with transaction.atomic():
        buckets, _ = LshBucket.objects.all().delete()
        persons, _ = PersonKey.objects.all().delete()
    return buckets, persons


def reindex_batch(batch: Sequence[DocumentText]) -> int:
    """Index these documents again from their texts under the current key and banding, whether or not
    they are in the index (a rebuild after ``clear_index_rows``). Joins the caller's transaction.

    Their bucket and person rows are inserted skipping the ones already there (a document registered
    during the rebuild was indexed by the normal path already). Returns the number of documents.
    """
    if not batch:
        return 0
    alias = router.db_for_write(IndexedDocument)
    prints = {}
    values = {}
    for item in batch:
        _check_document(item.kind, item.object_id)
        fp = minhash.fingerprint(item.text, key=_shingle_key())
        prints[(item.kind, item.object_id)] = fp
        values[(item.kind, item.object_id)] = {
            "commission_id": item.commission_id,
            "person_keys": sorted(person_keys_by_name(item.accused_names)),
            "shingles": fp.packed_shingles(),
            "shingle_count": fp.shingle_count,
        }
    with transaction.atomic(using=alias, savepoint=False):
        rule = Q()
        for kind in {item.kind for item in batch}:
            rule |= Q(kind=kind, object_id__in=[i.object_id for i in batch if i.kind == kind])
        existing = {(d.kind, d.object_id): d for d in IndexedDocument.objects.select_for_update().filter(rule)}
        now = timezone.now()
        changed = []
        for key, document in existing.items():
            for name, value in values[key].items():
                setattr(document, name, value)
            document.updated_at = now
            changed.append(document)
        IndexedDocument.objects.bulk_update(
            changed, ["commission_id", "person_keys", "shingles", "shingle_count", "updated_at"]
        )
        created = IndexedDocument.objects.bulk_create(
            [IndexedDocument(kind=k, object_id=o, **v) for (k, o), v in values.items() if (k, o) not in existing]
        )
        documents = [*changed, *created]
        buckets = [(d.commission_id, key, d.pk) for d in documents for key in prints[(d.kind, d.object_id)].bucket_keys]
        persons = [(d.commission_id, key, d.pk) for d in documents for key in d.person_keys]
        _insert_missing(alias, LshBucket, ["commission_id", "bucket_hash", "document_id"], buckets)
        _insert_missing(alias, PersonKey, ["commission_id", "key", "document_id"], persons)
    return len(batch)


def _insert_missing(
    alias: str, model: type[LshBucket] | type[PersonKey], columns: list[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows, skipping those whose primary key is there already (ON CONFLICT DO NOTHING)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BULK_BATCH):
            chunk = rows[start : start + BULK_BATCH]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES {', '.join([row] * len(chunk))} "
                "ON CONFLICT DO NOTHING",
                [value for item in chunk for value in item],
            )


@lru_cache(maxsize=32)
def _candidates_sql(alias: str, commissions: int, buckets: int, keys: int) -> str:
    """One statement for the whole lookup: the documents sharing the most LSH bands, and the most recent
    documents naming the same accused person, with what the exact scoring needs of each."""
    quote = connections[alias].ops.quote_name
    doc = quote(IndexedDocument._meta.db_table)
    bucket = quote(LshBucket._meta.db_table)
    person = quote(PersonKey._meta.db_table)

    def marks(n: int) -> str:
        return ", ".join(["%s"] * n)

    sources = []
    if buckets:
        sources.append(
            f"SELECT * FROM (SELECT {quote('document_id')} FROM {bucket} "
            f"WHERE {quote('commission_id')} IN ({marks(commissions)}) "
            f"AND {quote('bucket_hash')} IN ({marks(buckets)}) "
            f"GROUP BY {quote('document_id')} ORDER BY COUNT(*) DESC, {quote('document_id')} DESC "
            f"LIMIT {MAX_TEXT_CANDIDATES}) t"
        )
    if keys:
        sources.append(
            f"SELECT * FROM (SELECT {quote('document_id')} FROM {person} "
            f"WHERE {quote('commission_id')} IN ({marks(commissions)}) AND {quote('key')} IN ({marks(keys)}) "
            f"ORDER BY {quote('document_id')} DESC LIMIT {MAX_PERSON_CANDIDATES}) p"
        )
    columns = ", ".join(quote(c) for c in ("id", "kind", "object_id", "commission_id", "shingles", "person_keys"))
    return (
        f"SELECT {columns} FROM {doc} WHERE {quote('id')} IN ({' UNION '.join(sources)}) "
        f"AND {quote('commission_id')} IN ({marks(commissions)})"
    )


def find_similar(
    *,
    text: str,
    accused_names: Iterable[str] = (),
    commission_ids: Iterable[int],
    exclude: tuple[str, int] | None = None,
    limit: int = 10,
    min_score: float = 0.3,
) -> list[Match]:
    """Earlier documents in these commissions that may repeat this text, best first.

    Candidates come from the LSH buckets (texts likely to be similar: ≈ 68 % of pairs at Jaccard 0.3,
    94 % at 0.4, all but a few in a thousand from 0.5 on) and from the accused persons' blind-indexed
    names; each is then scored exactly from its stored shingle hashes (no text is read). One query.
    ``exclude`` is the document being registered, if it is already indexed.
    """
    scope = sorted({int(c) for c in commission_ids})
    if not scope or limit <= 0:
        return []
    fp = fingerprint(text)
    names = person_keys_by_name(accused_names)
    if not fp.bucket_keys and not names:
        return []
    alias = router.db_for_read(IndexedDocument)
    connection = connections[alias]
    sql = _candidates_sql(alias, len(scope), len(fp.bucket_keys), len(names))
    params: list[Any] = []
    if fp.bucket_keys:
        params += [*scope, *fp.bucket_keys]
    if names:
        params += [*scope, *names]
    params += scope
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    person_field = IndexedDocument._meta.get_field("person_keys")
    short = fp.shingle_count < SHORT_TEXT_SHINGLES
    if exclude is not None:
        rows = [row for row in rows if (row[1], row[2]) != (exclude[0], exclude[1])]
    text_scores = minhash.jaccard_many(fp.packed_shingles(), [bytes(row[4]) for row in rows])
    matches: list[tuple[float, int, Match]] = []
    for (pk, kind, object_id, commission_id, _, keys), text_score in zip(rows, text_scores, strict=True):
        shared: list[str] = []
        if names and keys:
            if isinstance(keys, str):  # the drivers return the JSON text; parse it only if it can match
                keys = (
                    person_field.from_db_value(keys, None, connection)  # type: ignore[arg-type]
                    if any(f'"{k}"' in keys for k in names)
                    else ()
                )
            shared = sorted({names[k] for k in keys if k in names})
        score = combined_score(text_score, bool(shared))
        if score < min_score:
            continue
        reasons = []
        if shared:
            reasons.append("被反映人姓名相同：" + "、".join(shared))
        reasons.append(f"内容相似度 {text_score:.2f}")
        if short and text_score > 0:
            reasons.append("内容较短，相似度仅供参考")
        match = Match(
            kind, object_id, commission_id, round(score, 4), round(text_score, 4), bool(shared), tuple(reasons)
        )
        matches.append((score, pk, match))
    matches.sort(key=lambda item: (-item[0], -item[1]))
    result = [match for _, _, match in matches[:limit]]
    if exclude is not None and result:
        result = _with_decisions(exclude, result)
    return result


@lru_cache(maxsize=8)
def _decisions_sql(alias: str) -> str:
    """The decisions on a document's pairs, in either direction: plain SQL, built once (it runs on
    every lookup, where the ORM's building of the OR cost more than the statement)."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(c) for c in ("kind", "object_id", "other_kind", "other_id", "decision"))
    return (
        f"SELECT {columns} FROM {quote(DuplicateLink._meta.db_table)} "
        f"WHERE ({quote('kind')} = %s AND {quote('object_id')} = %s) "
        f"OR ({quote('other_kind')} = %s AND {quote('other_id')} = %s)"
    )


def _with_decisions(document: tuple[str, int], matches: list[Match]) -> list[Match]:
    """Attach the decisions already taken on (document, match) pairs, in either direction."""
    kind, object_id = document
    decided: dict[tuple[str, int], str] = {}
    alias = router.db_for_read(DuplicateLink)
    with connections[alias].cursor() as cursor:
        cursor.execute(_decisions_sql(alias), [kind, object_id, kind, object_id])
        for k, o, ok, oi, decision in cursor.fetchall():
            decided[(ok, oi) if (k, o) == (kind, object_id) else (k, o)] = decision
    if not decided:
        return matches
    return [dataclasses.replace(m, decision=decided.get((m.kind, m.object_id))) for m in matches]


def decide_link(
    *,
    actor: Actor,
    kind: str,
    object_id: int,
    other_kind: str,
    other_id: int,
    decision: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> DuplicateLink:
    """Record the registrar's decision that ``(kind, object_id)`` does (or does not) repeat ``other``.

    The caller has fetched both objects through their own policies; here both must be indexed in a
    commission the actor works in. The score is computed again from the index, not taken from the
    client. A later decision on the same pair replaces the earlier one; each is an audit event
    (``duplicate.confirmed`` / ``duplicate.rejected``).
    """
    _check_document(kind, object_id)
    _check_document(other_kind, other_id)
    if decision not in DuplicateLink.Decision.values:
        raise ValidationFailed("结论无效。", field_errors={"decision": ["请选择“确认为重复件”或“不是重复件”。"]})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed("说明过长。", field_errors={"note": ["说明不超过 500 个字符。"]})
    if (kind, object_id) == (other_kind, other_id):
        raise RuleViolation("不能把一件材料与它自己关联为重复件。")
    if actor.is_admin:  # 三员分立: administrators see no case content
        raise NotFound()
    reach = set(actor.commission_ids) | ({actor.commission_id} if actor.commission_id else set())
    with transaction.atomic():
        # Lock the document first: decisions on its pairs queue behind each other.
        document = IndexedDocument.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
        other = IndexedDocument.objects.filter(kind=other_kind, object_id=other_id).first()
        if document is None or other is None or not {document.commission_id, other.commission_id} <= reach:
            raise NotFound()
        text_score = minhash.jaccard(
            set(minhash.unpack_u32(bytes(document.shingles))), set(minhash.unpack_u32(bytes(other.shingles)))
        )
        same_person = bool(set(document.person_keys) & set(other.person_keys))
        score = round(combined_score(text_score, same_person), 4)
        fields = {
            "score": score,
            "text_score": round(text_score, 4),
            "same_person": same_person,
            "decision": decision,
            "note": note,
        }
        link = (
            DuplicateLink.objects.select_for_update()
            .filter(kind=kind, object_id=object_id, other_kind=other_kind, other_id=other_id)
            .first()
        )
        now = timezone.now()
        if link is None:
            link = DuplicateLink.objects.create(
                commission_id=document.commission_id,
                kind=kind,
                object_id=object_id,
                other_kind=other_kind,
                other_id=other_id,
                decided_by_id=actor.user_id,
                decided_at=now,
                **fields,
            )
            changes = {name: [None, value] for name, value in fields.items()}
        else:
            changes = {
                name: [getattr(link, name), value] for name, value in fields.items() if getattr(link, name) != value
            }
            if not changes.keys() - {"score", "text_score", "same_person"} and link.decided_by_id == actor.user_id:
                return link  # the same decision again: nothing to record
            for name, value in fields.items():
                setattr(link, name, value)
            link.decided_by_id = actor.user_id
            link.decided_at = now
            link.save(update_fields=[*fields, "decided_by", "decided_at"])
        record_event(
            actor=actor,
            action=f"duplicate.{decision}",
            target=link,
            changes=changes,
            detail={
                "document": f"{kind}:{object_id}",
                "other": f"{other_kind}:{other_id}",
                "score": score,
                "text_score": round(text_score, 4),
                "same_person": same_person,
            },
            request=request,
        )
        return link


__all__ = [
    "DocumentText",
    "Match",
    "clear_index_rows",
    "combined_score",
    "decide_link",
    "find_similar",
    "index_document",
    "index_documents",
    "reindex_batch",
    "remove_document",
]
