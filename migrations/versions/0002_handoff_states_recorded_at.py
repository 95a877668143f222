"""handoff_states.recorded_at: when the database inserted each transition, by its own clock

The live stream times a gap in the ids by it. `at` is when the app answered, on the app's
clock: with records written behind the answer, a transition answered before a database
outage is inserted long after its `at`, and the stream would take the gap before it for a
rolled-back id at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite cannot ADD COLUMN with a CURRENT_TIMESTAMP default: copy the table instead.
    # PostgreSQL adds it in place (now() is stable: no rewrite) and fills old rows once.
    recreate = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table("handoff_states", recreate=recreate) as batch_op:
        batch_op.add_column(
            sa.Column(
                "recorded_at",
                sa.DateTime(timezone=True),
                server_default=sa.func.now(),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("handoff_states") as batch_op:
        batch_op.drop_column("recorded_at")
