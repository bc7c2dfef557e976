"""The central server the desks of a province share: sync API and the citizen's status lookup.

It imports ``desk_app.domain`` (pure rules: event kinds, the workflow, codes) and nothing
else of the desk; it has its own storage, on SQLite for a demo and PostgreSQL in production.
Start it with ``desk-app server`` (see ``docs/server.md``); build it with ``app.create_app``.
"""
