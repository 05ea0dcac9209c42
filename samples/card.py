"""The content of one synthetic register card: what was recorded, before it is drawn.

A card is drawn in two steps so that its truth is known exactly: `draw_card` picks a
parcel's history (survey, later events, a chain of owners with dated causes) from
the vocabularies, and `samples.render` writes it onto the printed form. Ditto marks
and crossings-out are decided here, because they are part of what was written.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from samples import values, vocab
from samples.values import Value

DITTO_MARKS = ["仝", "〃", "同"]

LAND = "土地臺帳"
FOREST = "林野臺帳"

# The colonial surveys: land 1913–1918, forest 1917–1924.
SURVEY_PERIOD = {LAND: (dt.date(1913, 1, 10), dt.date(1918, 10, 31)),
                 FOREST: (dt.date(1917, 3, 1), dt.date(1924, 12, 20))}
LAST_DAY = dt.date(1975, 6, 30)


@dataclass(frozen=True)
class Entry:
    """One cell's writing: the value, what was actually written, and how."""

    value: Value
    written: str  # the value's hanja, or a ditto mark standing for it
    crossed: bool = False

    @property
    def ditto(self) -> bool:
        return self.written != self.value.hanja


@dataclass
class Event:
    date: Entry
    event: Entry


@dataclass
class Owner:
    date: Entry
    cause: Entry
    address: Entry
    name: Entry
    sealed: bool = False


@dataclass
class Card:
    form: str
    location: Entry
    lot: Entry
    category: Entry
    area: Entry
    grade: Entry | None
    events: list[Event] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    # Columns some printings add (賃貸價格, 地價, 備考), by form path ("extra[0].地價").
    extras: dict[str, Entry] = field(default_factory=dict)


def _later(rng: random.Random, after: dt.date, years: int = 12) -> dt.date:
    return min(LAST_DAY, values.random_date(rng, after + dt.timedelta(days=30),
                                            after + dt.timedelta(days=365 * years)))


def _address(rng: random.Random, home: dict[str, tuple[str, str]]) -> Value:
    """An owner's 住所: usually a village of the same 面, sometimes further, with a 番地."""
    place = home if rng.random() < 0.6 else values.pick_place(rng)
    base = values.place_value(place, ("gun", "myeon", "ri"))
    if rng.random() < 0.4:
        n = rng.randint(1, 400)
        return Value(base.hanja + values.write_number(n) + "番地",
                     f"{base.hangul} {n}번지", base.extra)
    return base


def _owner_name(rng: random.Random, day: dt.date) -> Value:
    if dt.date(1940, 2, 11) <= day <= dt.date(1945, 8, 14) and rng.random() < 0.6:
        return values.soshi_name(rng)
    return values.korean_name(rng)


def _ditto(rng: random.Random, value: Value, above: Value | None, p: float) -> Entry:
    if above is not None and above.hanja == value.hanja and rng.random() < p:
        return Entry(value, rng.choice(DITTO_MARKS))
    return Entry(value, value.hanja)


def draw_card(rng: random.Random, form: str, max_events: int, max_owners: int) -> Card:
    """Picks one parcel's record: place, lot, category, area, history and owners."""
    place = values.pick_place(rng)
    location = values.place_value(place, ("do", "gun", "myeon", "ri"))
    if form == LAND:
        hanja, hangul, _ = rng.choices(vocab.LAND_CATEGORIES,
                                       weights=[w for *_, w in vocab.LAND_CATEGORIES])[0]
        category = Value(hanja, hangul)
        area = values.write_land_area(rng)
        grade: Entry | None = _plain(values.write_grade(rng))
    else:
        category = Value(*vocab.FOREST_CATEGORY)
        area = values.write_forest_area(rng)
        grade = None

    survey_day = values.random_date(rng, *SURVEY_PERIOD[form])
    events = [Event(_plain(values.write_date(survey_day, rng)), _plain(Value(*vocab.SURVEY_EVENT)))]
    day = survey_day
    for _ in range(rng.randint(0, max_events - 1)):
        day = _later(rng, day, 20)
        events.append(Event(_plain(values.write_date(day, rng)),
                            _plain(Value(*rng.choice(vocab.LATER_EVENTS)))))

    owners: list[Owner] = []
    day, address, cause = survey_day, _address(rng, place), Value(*vocab.SURVEY_EVENT)
    for i in range(1 if rng.random() < 0.15 else rng.randint(2, max_owners)):
        if i:
            day = _later(rng, day)
            cause = Value(*rng.choice(vocab.TRANSFER_CAUSES))
            if rng.random() > 0.35:
                address = _address(rng, place)
        prev = owners[-1] if owners else None
        owners.append(Owner(
            date=_plain(values.write_date(day, rng)),
            cause=_ditto(rng, cause, prev.cause.value if prev else None, 0.5),
            address=_ditto(rng, address, prev.address.value if prev else None, 0.7),
            name=_plain(_owner_name(rng, day)),
            sealed=rng.random() < 0.3,
        ))
        if day >= LAST_DAY:
            break
    # Superseded owners are struck through in red (朱抹) on most cards: history, kept.
    for o in owners[:-1]:
        if rng.random() < 0.5:
            o.name = Entry(o.name.value, o.name.written, crossed=True)
    return Card(form, _plain(location), _plain(values.write_lot(rng)), _plain(category),
                _plain(area), grade, events, owners)


def _plain(value: Value) -> Entry:
    return Entry(value, value.hanja)
