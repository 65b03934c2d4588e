#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""libdm exports exactly the API its installed headers declare.

Usage: test-exported-symbols.py NM LIBRARY HEADER...

Lists the library's defined dynamic symbols (`nm -D --defined-only`) and
the functions the headers mark DM_AVAILABLE_IN_ALL (for a G_DECLARE_*_TYPE,
its _get_type), and checks the two sets are equal: a symbol no installed
header declares is an accidental export (the library is built with hidden
visibility), a marked declaration not exported a missing definition.
"""

import re
import subprocess
import sys
import unittest

NM, LIBRARY, HEADERS = sys.argv[1], sys.argv[2], sys.argv[3:]

# What follows the export macro: a G_DECLARE_*_TYPE (ModuleObj, module_obj, ...)
# or a declaration `type *name (`.
DECLARE_TYPE = re.compile(r'DM_AVAILABLE_IN_ALL\s+G_DECLARE_\w+\s*\(\s*\w+\s*,\s*(\w+)')
DECLARATION = re.compile(r'DM_AVAILABLE_IN_ALL\s+[^;(]*?\b(\w+)\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def declared():
    names = set()
    for header in HEADERS:
        with open(header, encoding='utf-8') as source:
            text = COMMENT.sub(' ', source.read())
        names |= {name + '_get_type' for name in DECLARE_TYPE.findall(text)}
        names |= {name for name in DECLARATION.findall(text)
                  if not name.startswith('G_DECLARE_')}
    return names


def exported():
    listing = subprocess.run([NM, '-D', '--defined-only', LIBRARY], stdout=subprocess.PIPE,
                             universal_newlines=True, check=True).stdout
    return {line.split()[-1] for line in listing.splitlines() if line.strip()}


class ExportedSymbolsTest(unittest.TestCase):
    def test_headers_declare_something(self):
        self.assertGreater(len(declared()), 50, 'no DM_AVAILABLE_IN_ALL found: the scan is broken')

    def test_every_export_is_declared(self):
        self.assertEqual(sorted(exported() - declared()), [],
                         'libdm exports symbols no installed header declares')

    def test_every_declaration_is_exported(self):
        self.assertEqual(sorted(declared() - exported()), [],
                         'installed headers declare symbols libdm does not export')


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
