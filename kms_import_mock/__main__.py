from kms_import_mock.server.cli import main

raise SystemExit(main())
