from jiuzhu.cli import main

raise SystemExit(main())
