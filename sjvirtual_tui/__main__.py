from sjvirtual_tui.cli import main

raise SystemExit(main())
