#!/usr/bin/env python
from shezhi.__main__ import main

if __name__ == "__main__":
    main()
