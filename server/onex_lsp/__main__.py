"""``python -m onex_lsp`` runs the command line."""

from onex_lsp.cli import main

raise SystemExit(main())
