"""Backup and restore of a whole instance: the database and the encrypted file store, with a manifest."""
