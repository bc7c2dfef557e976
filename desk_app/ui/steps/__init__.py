"""The workflow's steps as the screens offer them: a small form for each step's inputs, then the service."""
