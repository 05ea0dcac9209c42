"""The archive's tables. A scan is a file as received; a page is one image within it.

What the machine read is stored once and never rewritten: later corrections will be
rows of their own. Every search about a person leaves an `audit_log` row.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class Scan(Base):
    """A scan file, identified by the SHA-256 of its bytes: the same scan twice is one row."""

    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)  # where it was taken from
    stored: Mapped[str | None] = mapped_column(Text, nullable=True)  # the archive's copy
    size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="stored")
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    pages: Mapped[list[Page]] = relationship(back_populates="scan", order_by="Page.number",
                                             cascade="all, delete-orphan")


class Page(Base):
    """One page image of a scan (TIFF and PDF scans hold several)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("scan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_id: Mapped[int] = mapped_column(ForeignKey("scans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1-based
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    dpi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    engine: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="read")  # read | no form
    form: Mapped[str | None] = mapped_column(String(16), nullable=True)
    skew: Mapped[float | None] = mapped_column(Float, nullable=True)
    # the template the page was read by (a built-in form or one the archive learnt);
    # None for a page read by its printed labels
    template: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    scan: Mapped[Scan] = relationship(back_populates="pages")
    lines: Mapped[list[TextLineRow]] = relationship(
        back_populates="page", order_by="TextLineRow.order", cascade="all, delete-orphan")
    parcel: Mapped[Parcel | None] = relationship(back_populates="page",
                                                 cascade="all, delete-orphan")


class TextLineRow(Base):
    """A line as the OCR engine read it: text, quadrilateral box, confidence."""

    __tablename__ = "text_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    order: Mapped[int] = mapped_column("line_order", Integer)
    text: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float] = mapped_column(Float)
    box: Mapped[list[list[float]]] = mapped_column(JSON)
    field: Mapped[str | None] = mapped_column(String(32), nullable=True)  # form path, if any
    page: Mapped[Page] = relationship(back_populates="lines")


class Parcel(Base):
    """The register record a page was read as, exactly as the machine read it.

    `record` is the whole reading (every field: hanja as read, corrected, value,
    confidence, box, problems); the columns beside it are kept for lookups."""

    __tablename__ = "parcels"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), unique=True)
    form: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(Text, nullable=True)
    lot: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    category: Mapped[str | None] = mapped_column(String(16), nullable=True)
    final_owner: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    record: Mapped[dict] = mapped_column(JSON)
    current: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    location_hangul: Mapped[str | None] = mapped_column(Text, nullable=True)
    modern: Mapped[str | None] = mapped_column(Text, nullable=True)
    do: Mapped[str | None] = mapped_column(Text, nullable=True)
    gun: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    myeon: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    ri: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    area_m2: Mapped[float | None] = mapped_column(Float, nullable=True)
    page: Mapped[Page] = relationship(back_populates="parcel")
    owners: Mapped[list[Owner]] = relationship(back_populates="parcel", order_by="Owner.position",
                                               cascade="all, delete-orphan")
    events: Mapped[list[Event]] = relationship(order_by="Event.position",
                                               cascade="all, delete-orphan")
    corrections: Mapped[list[Correction]] = relationship(order_by="Correction.id",
                                                         cascade="all, delete-orphan")

    @property
    def effective(self) -> dict:
        """The record as it stands: the clerk's corrections over the machine's reading."""
        return self.current or self.record


class Reading(Base):
    """A machine reading a page had before it was read again with another engine or model
    (`toji process --reread`): kept whole, so what the machine once read is never lost."""

    __tablename__ = "readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    engine: Mapped[str] = mapped_column(String(32))
    form: Mapped[str | None] = mapped_column(String(16), nullable=True)
    template: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lines: Mapped[list] = mapped_column(JSON)  # [text, confidence, box, field] each
    record: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    needs_review: Mapped[bool] = mapped_column(Boolean)
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    replaced_by: Mapped[str] = mapped_column(String(32))  # the engine that read it again


class Owner(Base):
    """One row of the 所有者 column; the last one is the parcel's final owner."""

    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer)
    is_final: Mapped[bool] = mapped_column(Boolean)
    name_hanja: Mapped[str | None] = mapped_column(Text, nullable=True)
    name_hangul: Mapped[str | None] = mapped_column(Text, nullable=True)
    address: Mapped[str | None] = mapped_column(Text, nullable=True)
    cause: Mapped[str | None] = mapped_column(Text, nullable=True)
    date_iso: Mapped[str | None] = mapped_column(String(10), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    parcel: Mapped[Parcel] = relationship(back_populates="owners")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"),
                                           index=True)
    position: Mapped[int] = mapped_column(Integer)
    date_iso: Mapped[str | None] = mapped_column(String(10), nullable=True)
    event: Mapped[str | None] = mapped_column(Text, nullable=True)


class Correction(Base):
    """A clerk's correction of one field: a new version beside the machine's reading."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="CASCADE"),
                                           index=True)
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SearchKey(Base):
    """Lookup keys of an owner's name: whole (hanja, hangul), two-syllable pieces, and the
    name with one syllable left out (for one misread syllable)."""

    __tablename__ = "search_keys"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"),
                                          primary_key=True)


class AuditEntry(Base):
    """Who looked for what, when: searches and certificates about people are recorded.
    Append-only and hash-chained (db.audit)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)  # db.audit


class RecogniserModel(Base):
    """A recogniser a server archive fine-tuned (`toji train`): its weights, dictionary
    and figures, kept in the database that every desk and worker of the archive reads,
    since a server archive has no folder of its own. Each machine writes it out to its
    cache before reading with it; a SQLite archive keeps its models in models/ beside it."""

    __tablename__ = "models"

    name: Mapped[str] = mapped_column(String(23), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    weights: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    dictionary: Mapped[str] = mapped_column(Text)
    info: Mapped[dict] = mapped_column(JSON)


class Setting(Base):
    """One archive-wide setting (issuing office, certificate key, document font)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Certificate(Base):
    """A certificate as issued: its content (what the paper says) and the HMAC code over
    it, kept so that `toji verify` can confirm a paper by its code or a file by its bytes."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id", ondelete="RESTRICT"),
                                           index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128))
    applicant: Mapped[str | None] = mapped_column(Text, nullable=True)
    content: Mapped[dict] = mapped_column(JSON)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the SHA-256 fingerprint of the signing certificate; None: issued before signing
    signer: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SigningKey(Base):
    """The public half of a key certificates are signed with. The private half is kept
    outside the archive (app.signing_keys); a retired key stays so that what it signed
    keeps verifying."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(Text)
    certificate: Mapped[str] = mapped_column(Text)  # PEM
    chain: Mapped[str] = mapped_column(Text, default="")  # PEM of its issuers, if imported
    source: Mapped[str] = mapped_column(String(16))  # "made" or "imported"
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    made_by: Mapped[str] = mapped_column(String(128))
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                           nullable=True)


class Job(Base):
    """A batch run over files and folders; `toji process --resume` continues the last one
    that did not finish."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|stopped|done
    engine: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    sources: Mapped[list] = mapped_column(JSON)


class JobItem(Base):
    """One file of a job (page None) until it is opened, then one row per page of it.
    Status: queued, split (a file whose pages are items now), stored, duplicate, failed."""

    __tablename__ = "job_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("scans.id", ondelete="SET NULL"),
                                                nullable=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"),
                                                nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now,
                                                    onupdate=_now)


class User(Base):
    """Someone who signs in: admin (users, settings), clerk (batch, review, full records)
    or desk (search and certificates for an applicant). Only an argon2id hash is kept."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                             nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Form(Base):
    """A printing the archive has learnt (`toji forms learn`): the template made from a
    page read by its labels, so the next page of that printing is read the fast way."""

    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # 土地臺帳 or 林野臺帳
    template: Mapped[dict] = mapped_column(JSON)  # ocr.layout.Template.to_json()
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"),
                                                nullable=True)  # the page it was learnt from
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    created_by: Mapped[str] = mapped_column(String(128))
