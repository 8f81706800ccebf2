from fig.cli.main import main

raise SystemExit(main())
