"""Online submission: the citizen's e-form, the photos and PDFs of the papers, the desk's queue."""
