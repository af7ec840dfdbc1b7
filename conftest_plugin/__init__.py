"""pytest plugin of kms-import-mock, registered through the ``pytest11`` entry point."""
