"""Name keys for one hanja replaced at a given place (s:金正?), beside the hangul ones of
0009: a search in hanja takes first, among names one syllable off, those that share
every other hanja in place (the most alike), then the rest. Written for every
owner already stored, inside the database.

Revision ID: 0010
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LONGEST = 8  # no stored name is longer; a longer one simply gets no key past this


def upgrade() -> None:
    places = " UNION ALL ".join(f"SELECT {i} AS i" for i in range(1, LONGEST + 1))
    op.execute(
        "INSERT INTO search_keys (key, owner_id) "
        "SELECT DISTINCT 's:' || substr(o.name_hanja, 1, p.i - 1) || '?' || "
        "substr(o.name_hanja, p.i + 1), o.id "
        f"FROM owners o CROSS JOIN ({places}) p "
        "WHERE o.name_hanja IS NOT NULL AND length(o.name_hanja) >= 2 "
        "AND p.i <= length(o.name_hanja) "
        # a name written in hangul, or one character read as no hanja, makes the same key
        "ON CONFLICT DO NOTHING")


def downgrade() -> None:
    # The hanja ones: the first character that is not the open place is not hangul.
    op.execute("DELETE FROM search_keys WHERE key LIKE 's:%' AND (CASE WHEN "
               "substr(key, 3, 1) = '?' THEN substr(key, 4, 1) ELSE substr(key, 3, 1) END) "
               "NOT BETWEEN '가' AND '힣'")
