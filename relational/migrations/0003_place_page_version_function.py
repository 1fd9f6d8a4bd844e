"""A PL/pgSQL function answering a public place page's version (relational.pageversions).

The anonymous page cache asks it on every request it serves. PL/pgSQL keeps the query's plan for
the life of the connection, so PostgreSQL plans the three-table join once per connection rather
than once per request: about half the server's work for the question (measured in the README's
"Anonymous page cache").
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION relational_place_page_version(place_slug text, everywhere_id bigint)
RETURNS TABLE (is_public boolean, version bigint, everywhere bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT p.visibility = 'public', v.version, e.version
    FROM places_place p
    LEFT JOIN relational_pageversion v ON v.place_id = p.id
    LEFT JOIN relational_pageversion e ON e.place_id = everywhere_id
    WHERE p.slug = place_slug;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("relational", "0002_pageversion"),
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION, "DROP FUNCTION IF EXISTS relational_place_page_version(text, bigint);"
        ),
    ]
