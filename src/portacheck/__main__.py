from portacheck.cli import main

raise SystemExit(main())
