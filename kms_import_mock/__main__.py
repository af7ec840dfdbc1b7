from kms_import_mock._cli import main

raise SystemExit(main())
