"""The Zalo Official Account channel: linking a dossier to a Zalo user (``links``), the
webhook (``webhook``), the OA's tokens and API (``api``), the channel that sends notices
(``channel``), and the dossier page's box (``pages``).

Nothing here is installed unless the settings configure the OA (``Settings.zalo_enabled``):
without it no route answers and no page mentions Zalo.
"""
