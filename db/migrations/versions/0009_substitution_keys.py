"""Name keys for one syllable replaced at a given place (s:김정?), so a search for a name
one syllable off looks only at names of its length that differ in that one place, not
at every name sharing two of its syllables anywhere (d:김정). Written for every owner
already stored, from its reading, inside the database.

Revision ID: 0009
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LONGEST = 8  # no stored name is longer; a longer one simply gets no key past this


def upgrade() -> None:
    places = " UNION ALL ".join(f"SELECT {i} AS i" for i in range(1, LONGEST + 1))
    op.execute(
        "INSERT INTO search_keys (key, owner_id) "
        "SELECT DISTINCT 's:' || substr(o.name_hangul, 1, p.i - 1) || '?' || "
        "substr(o.name_hangul, p.i + 1), o.id "
        f"FROM owners o CROSS JOIN ({places}) p "
        "WHERE o.name_hangul IS NOT NULL AND length(o.name_hangul) >= 2 "
        "AND p.i <= length(o.name_hangul)")


def downgrade() -> None:
    op.execute("DELETE FROM search_keys WHERE key LIKE 's:%'")
