"""kms-import-mock's pytest plugin (fixtures ``kms_import``, ``kms_import_server`` and the
``kms_import`` marker), registered through the ``pytest11`` entry point as ``kms_import_mock``.

Despite the generic top-level name, this package belongs to kms-import-mock and is not a
conftest of your project; there is nothing to import from it. The fixtures live in
:mod:`conftest_plugin.plugin`.
"""
