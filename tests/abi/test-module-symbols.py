#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The prune module exports GIO's three entry points and nothing else.

Usage: test-module-symbols.py NM MODULE

Lists the module's defined dynamic symbols (`nm -D --defined-only`): the
core and the plugin's internals are linked in statically and must stay
local, or two plugins built on different core versions would bind each
other's functions.
"""

import subprocess
import sys
import unittest

NM, MODULE = sys.argv[1], sys.argv[2]
ENTRY_POINTS = {'g_io_module_load', 'g_io_module_unload', 'g_io_module_query'}


def exported():
    listing = subprocess.run([NM, '-D', '--defined-only', MODULE], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
    return {line.split()[-1] for line in listing.splitlines() if line.strip()}


class ModuleSymbolsTest(unittest.TestCase):
    def test_exports_exactly_the_entry_points(self):
        self.assertEqual(sorted(exported()), sorted(ENTRY_POINTS))


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
