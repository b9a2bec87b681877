import sys

from sep_port_doctor.gui.entry import main

sys.exit(main())
