"""Messages between citizens and the counter: the inbox and a dossier's thread with its reply box."""
