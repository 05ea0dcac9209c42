"""Owner rows, events, corrections and search keys, derived from each parcel's record;
where the archive keeps its copy of each scan.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("stored", sa.Text))
    with op.batch_alter_table("parcels") as batch:
        for name in ("location_hangul", "modern", "do", "gun", "myeon", "ri"):
            batch.add_column(sa.Column(name, sa.Text))
        batch.add_column(sa.Column("area_m2", sa.Float))
        batch.add_column(sa.Column("current", sa.JSON))  # the record with corrections applied
    op.create_index("ix_parcels_gun", "parcels", ["gun"])
    op.create_index("ix_parcels_myeon", "parcels", ["myeon"])
    op.create_index("ix_parcels_ri", "parcels", ["ri"])
    op.create_table(
        "owners",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parcel_id", sa.Integer, sa.ForeignKey("parcels.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("is_final", sa.Boolean, nullable=False),
        sa.Column("name_hanja", sa.Text),
        sa.Column("name_hangul", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("cause", sa.Text),
        sa.Column("date_iso", sa.String(10)),
        sa.Column("confidence", sa.Float),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parcel_id", sa.Integer, sa.ForeignKey("parcels.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("date_iso", sa.String(10)),
        sa.Column("event", sa.Text),
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parcel_id", sa.Integer, sa.ForeignKey("parcels.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "search_keys",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("owners.id", ondelete="CASCADE"),
                  primary_key=True),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_keys_owner", "search_keys", ["owner_id"])


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("stored")
    for table in ("search_keys", "corrections", "events", "owners"):
        op.drop_table(table)
    for index in ("ix_parcels_gun", "ix_parcels_myeon", "ix_parcels_ri"):
        op.drop_index(index, "parcels")
    with op.batch_alter_table("parcels") as batch:
        for name in ("location_hangul", "modern", "do", "gun", "myeon", "ri", "area_m2",
                     "current"):
            batch.drop_column(name)
