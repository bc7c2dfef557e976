"""The counter list: today's dossiers, search, and one dossier's details and history."""
