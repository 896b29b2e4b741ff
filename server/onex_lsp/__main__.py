"""``python -m onex_lsp`` runs the command line."""

from onex_lsp.cli.main import main

raise SystemExit(main())
