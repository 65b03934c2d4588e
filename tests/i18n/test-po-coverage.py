#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The translations cover the sources as they are now, in each project:
the prune plugin (po/, domain dm-prune) and the dm host (subprojects/dm/po,
domain dm-1.0):

* every C file of the project that marks strings (_(), N_(), C_(), NC_())
  is listed in po/POTFILES, and every file listed there exists;
* extracting the strings afresh (xgettext, with meson's `glib` preset that
  po/meson.build uses) gives no msgid that a po/LINGUAS catalog lacks or
  leaves untranslated or fuzzy (msgcmp, msgmerge + msgattrib);
* every catalog passes `msgfmt --check` (format directives agree).

Needs DM_SOURCE_ROOT (tests/i18n/meson.build sets it).
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

SOURCE_ROOT = os.environ['DM_SOURCE_ROOT']
# Each project's root and gettext domain; its catalogs are in ROOT/po.
PROJECTS = [
    (SOURCE_ROOT, 'dm-prune'),
    (os.path.join(SOURCE_ROOT, 'subprojects', 'dm'), 'dm-1.0'),
]

# meson's i18n.gettext(preset: 'glib') arguments (mesonbuild/modules/i18n.py).
XGETTEXT_GLIB_PRESET = [
    '--from-code=UTF-8', '--add-comments', '-k_',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]

# What each project's po/meson.build passes to xgettext beside the preset:
# the plugin's transforms declare their phases' counted forms with
# dm_transform_class_add_phase() (argument 4 the singular, 5 the plural).
XGETTEXT_PROJECT_ARGS = {
    'dm-prune': ['--keyword=dm_transform_class_add_phase:4,5'],
}

# A gettext marker called as a function: _( N_( C_( NC_( but not foo_(.
MARKER = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC)?_\s*\(')

# Tests, benchmarks and fuzzers print to developers, not users.
NOT_TRANSLATED_DIRS = ('tests', 'subprojects')


def listed_files(root):
    with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as potfiles:
        return [line.strip() for line in potfiles
                if line.strip() and not line.lstrip().startswith('#')]


def languages(root):
    with open(os.path.join(root, 'po', 'LINGUAS'), encoding='utf-8') as linguas:
        return [word for line in linguas if not line.lstrip().startswith('#')
                for word in line.split()]


def strip_comments_and_strings(text):
    """C source without comments or string literals, so a `_(` in a comment
    or a message does not count as a marker."""
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    return pattern.sub(' ', text)


def files_with_markers(root):
    found = set()
    for directory, subdirectories, files in os.walk(root):
        relative = os.path.relpath(directory, root)
        if relative == '.':
            # Build directories and hidden ones (.git) hold no sources.
            subdirectories[:] = [d for d in subdirectories
                                 if not d.startswith(('.', 'build')) and d not in NOT_TRANSLATED_DIRS]
        for name in files:
            if not name.endswith('.c'):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding='utf-8', errors='replace') as source:
                if MARKER.search(strip_comments_and_strings(source.read())):
                    found.add(os.path.normpath(os.path.join(relative, name)))
    return found


def run(*command):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


class PotfilesTest(unittest.TestCase):
    def test_every_marked_file_is_listed(self):
        for root, domain in PROJECTS:
            with self.subTest(domain=domain):
                marked = files_with_markers(root)
                self.assertTrue(marked, 'no source file marks a string: the scan is broken')
                missing = sorted(marked - set(listed_files(root)))
                self.assertEqual(missing, [], 'files with translatable strings missing from %s/po/POTFILES'
                                 % os.path.relpath(root, SOURCE_ROOT))

    def test_every_listed_file_exists_and_marks_strings(self):
        for root, domain in PROJECTS:
            marked = files_with_markers(root)
            for path in listed_files(root):
                with self.subTest(domain=domain, path=path):
                    self.assertTrue(os.path.isfile(os.path.join(root, path)),
                                    'po/POTFILES lists %s, which does not exist' % path)
                    self.assertIn(path, marked, 'po/POTFILES lists %s, which marks no string' % path)


class CatalogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='dm-po-')
        cls.pots = {}
        for root, domain in PROJECTS:
            pot = os.path.join(cls.scratch.name, domain + '.pot')
            xgettext = run('xgettext', '--package-name=' + domain, '-f', os.path.join(root, 'po', 'POTFILES'),
                           '-D', root, '-o', pot, *XGETTEXT_GLIB_PRESET,
                           *XGETTEXT_PROJECT_ARGS.get(domain, []))
            if xgettext.returncode != 0:
                raise AssertionError('xgettext failed:\n' + xgettext.stdout)
            cls.pots[root] = pot

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_extraction_finds_strings(self):
        for root, domain in PROJECTS:
            with self.subTest(domain=domain), open(self.pots[root], encoding='utf-8') as pot:
                self.assertGreater(pot.read().count('\nmsgid "') - 1, 20)  # minus the header

    def test_linguas_has_german(self):
        for root, domain in PROJECTS:
            with self.subTest(domain=domain):
                self.assertIn('de', languages(root))

    def test_catalogs_translate_every_msgid(self):
        for root, domain in PROJECTS:
            for language in languages(root):
                with self.subTest(domain=domain, language=language):
                    po = os.path.join(root, 'po', language + '.po')
                    msgcmp = run('msgcmp', po, self.pots[root])
                    self.assertEqual(msgcmp.returncode, 0,
                                     '%s lacks or leaves untranslated msgids of the sources '
                                     '(update it with `meson compile %s-update-po`):\n%s'
                                     % (po, domain, msgcmp.stdout))

                    merged = os.path.join(self.scratch.name, domain + '.' + language + '.merged.po')
                    msgmerge = run('msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po,
                                   self.pots[root])
                    self.assertEqual(msgmerge.returncode, 0, msgmerge.stdout)
                    for kind in ('--untranslated', '--only-fuzzy'):
                        leftover = run('msgattrib', kind, '--no-obsolete', merged)
                        self.assertEqual(leftover.returncode, 0, leftover.stdout)
                        self.assertEqual(leftover.stdout.strip(), '',
                                         '%s has %s messages' % (po, kind.lstrip('-')))

    def test_catalogs_pass_msgfmt_check(self):
        for root, domain in PROJECTS:
            for language in languages(root):
                with self.subTest(domain=domain, language=language):
                    msgfmt = run('msgfmt', '--check', '-o', os.devnull,
                                 os.path.join(root, 'po', language + '.po'))
                    self.assertEqual(msgfmt.returncode, 0, msgfmt.stdout)
                    self.assertNotIn('warning', msgfmt.stdout)


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
