"""The intake form: procedure, applicant, components, attachments; save and print the receipt."""
