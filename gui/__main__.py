import sys

from gui.entry import main

sys.exit(main())
