"""The desk's side of the central server: the HTTP client, backoff, and the background runner.

Nothing here touches the desk's database: the use cases that read the outbox and apply
what was pulled are in ``desk_app.services.sync``, which hands its work to the runner.
"""
