#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""dm and the prune plugin speak German under a German locale.

Runs $DM_CLI with LC_ALL=de_DE.UTF-8 and the build tree's catalogs
(DM_LOCALEDIR for dm's domain dm-1.0, DM_PRUNE_LOCALEDIR for the plugin's
domain dm-prune, which dm and the plugin read at run time) and
checks that the German of po/de.po appears: the help, the transform menu
(label, description, parameter blurbs, which come from the plugin's
domain) and error messages. The expected text is looked up in the built
catalog, not written here, and each check is also run under C.UTF-8,
where the English original must appear instead, so a check cannot pass
without the catalog being used.

gettext ignores LANGUAGE under the C locale, so this needs a real
de_DE.UTF-8 locale: tools/install-deps.sh generates one; failing that,
the test compiles one with localedef into a scratch directory (LOCPATH).
"""

import gettext
import os
import re
import subprocess
import sys
import tempfile
import unittest

DM_CLI = os.environ['DM_CLI']
# Each domain's build-tree locale directory.
DOMAINS = (('dm-1.0', os.environ['DM_LOCALEDIR']), ('dm-prune', os.environ['DM_PRUNE_LOCALEDIR']))
GERMAN = 'de_DE.UTF-8'


def has_locale(name):
    listed = subprocess.run(['locale', '-a'], stdout=subprocess.PIPE, universal_newlines=True).stdout
    wanted = name.lower().replace('-', '')
    return any(line.strip().lower().replace('-', '') == wanted for line in listed.splitlines())


def printf_pattern(text):
    """A regex matching what printf makes of @text: each directive
    (%s, %u, %g, %zu, ...) stands for any text."""
    directive = re.compile(r'%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp%]')
    parts = directive.split(text)
    return '.*?'.join(re.escape(part) for part in parts)


class GermanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='dm-i18n-')
        cls.environment = {key: value for key, value in os.environ.items()
                           if not key.startswith('LC_') and key not in ('LANG', 'LANGUAGE')}
        if not has_locale(GERMAN):
            locpath = os.path.join(cls.scratch.name, 'locales')
            os.mkdir(locpath)
            localedef = subprocess.run(['localedef', '-i', 'de_DE', '-f', 'UTF-8',
                                        os.path.join(locpath, GERMAN)],
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       universal_newlines=True)
            if localedef.returncode not in (0, 1):  # 1: compiled with warnings
                raise AssertionError('no %s locale and localedef cannot make one (run '
                                     'tools/install-deps.sh):\n%s' % (GERMAN, localedef.stdout))
            cls.environment['LOCPATH'] = locpath

        cls.catalog = None
        for domain, localedir in DOMAINS:
            mo = os.path.join(localedir, 'de', 'LC_MESSAGES', domain + '.mo')
            if not os.path.isfile(mo):
                raise AssertionError('%s is not built' % mo)
            catalog = gettext.translation(domain, localedir=localedir, languages=['de'])
            if cls.catalog is None:
                cls.catalog = catalog
            else:
                cls.catalog.add_fallback(catalog)

        # A source that exists, for the commands that get as far as loading.
        cls.source = os.path.join(cls.scratch.name, 'source')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', '8', cls.source],
                       stdout=subprocess.DEVNULL, check=True)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def dm(self, locale, *arguments):
        environment = dict(self.environment, LC_ALL=locale)
        return subprocess.run([DM_CLI] + list(arguments), env=environment,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)

    def german(self, msgid):
        translated = self.catalog.gettext(msgid)
        self.assertNotEqual(translated, msgid, 'po/de.po does not translate %r' % msgid)
        return translated

    def assert_translated(self, msgids, *arguments, stream='stdout', status=0):
        """Runs dm in German and in English; each msgid must appear in
        German in the first and in English in the second."""
        for locale, expected in ((GERMAN, self.german), ('C.UTF-8', lambda msgid: msgid)):
            result = self.dm(locale, *arguments)
            output = getattr(result, stream)
            with self.subTest(locale=locale, arguments=arguments):
                if status == 0:
                    self.assertEqual(result.returncode, 0, result.stderr)
                else:
                    self.assertNotEqual(result.returncode, 0, result.stdout)
                for msgid in msgids:
                    self.assertRegex(output, printf_pattern(expected(msgid)),
                                     'dm %s under %s' % (' '.join(arguments), locale))

    def test_usage(self):
        self.assert_translated(['Usage: dm COMMAND [OPTION…]', 'Commands:',
                                'Transforms (dm TRANSFORM SOURCE[:FORMAT] [OPTION…]):',
                                'Run “dm COMMAND --help” for a command’s options.'],
                               '--help')

    def test_prune_options(self):
        # The host's options in its domain; the transform's, made from its
        # GParamSpecs, in the plugin's.
        self.assert_translated(['Output directory',
                                'Print only errors and warnings: no progress, summary or list of skipped items',
                                'The fraction of the items kept, greater than 0 and at most 1',
                                'number from %g to %g; default %g', '%s (%s; required)',
                                'Keep a representative subset of the items: at random, by clustering their hash keys, or without near-duplicates'],
                               'prune', '--help')

    def test_transform_menu(self):
        # The label, description and blurbs are the plugin's, translated in
        # its own domain, which it binds when it is loaded.
        self.assert_translated(['Compute hash keys',
                                'Keep a representative subset of the items: at random, by clustering their hash keys, or without near-duplicates',
                                'Parameters:', 'How the kept items are chosen',
                                'The fraction of the items kept, greater than 0 and at most 1',
                                'Seeds every random choice: the same seed keeps the same items',
                                'one of %s; default %s', 'number from %g to %g; default %g'],
                               'transforms')

    def test_bad_ratio(self):
        destination = os.path.join(self.scratch.name, 'bad-ratio')
        self.assert_translated(['Invalid value “%s” for parameter “%s”: expected a number'],
                               'prune', '-m', 'random', '-r', 'half', self.source, '-o', destination,
                               stream='stderr', status=1)
        self.assertFalse(os.path.exists(destination))

    def test_ratio_out_of_range(self):
        destination = os.path.join(self.scratch.name, 'ratio-range')
        self.assert_translated(['Invalid value “%s” for parameter “%s”: out of range %s'],
                               'prune', '-m', 'random', '-r', '2', self.source, '-o', destination,
                               stream='stderr', status=1)

    def test_unknown_method(self):
        destination = os.path.join(self.scratch.name, 'method')
        self.assert_translated(['Invalid value “%s” for parameter “%s”: expected one of %s'],
                               'prune', '-m', 'best', self.source, '-o', destination,
                               stream='stderr', status=1)

    def test_missing_source(self):
        # A message of the host library's formats, in the same domain.
        self.assert_translated(['Cannot read %s: no such file or directory'],
                               'prune', '-m', 'random', os.path.join(self.scratch.name, 'nowhere'),
                               '-o', os.path.join(self.scratch.name, 'from-nowhere'),
                               stream='stderr', status=1)

    def test_usage_error(self):
        self.assert_translated(['no %s: pass %s'], 'prune', self.source,
                               stream='stderr', status=2)

    def test_destination_not_empty(self):
        self.assert_translated(['Cannot write to %s: it is inside the source dataset %s'],
                               'prune', '-m', 'random', self.source,
                               '-o', os.path.join(self.source, 'inside'),
                               stream='stderr', status=1)

    def test_prune_progress_and_summary(self):
        # Not on a terminal, dm logs each phase on standard output ("%s…"
        # with the translated phase name) beside its summary.
        for locale, expected in ((GERMAN, self.german), ('C.UTF-8', lambda msgid: msgid)):
            destination = os.path.join(self.scratch.name, 'pruned-' + locale)
            result = self.dm(locale, 'prune', '-m', 'random', '-r', '0.5', self.source,
                             '-o', destination)
            with self.subTest(locale=locale):
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertRegex(result.stdout, printf_pattern(expected('%s…') % expected('selecting')))
                self.assertRegex(result.stdout, printf_pattern(expected('Kept %u of %u items (%s) in %s\n')))
        # The count goes where the language puts it: the verb last in German.
        self.assertIn('4 Elemente schreiben …\n', self.dm(GERMAN, 'prune', '-m', 'random', '-r', '0.5', self.source,
                                                            '-o', os.path.join(self.scratch.name, 'order')).stdout)

    def test_plugin_phases(self):
        # A phase of the plugin's is shown by what its class declares, in
        # the plugin's domain (dm knows none of them): the line that
        # announces the hashing of the 8 images, and the label of a phase
        # without a count.
        for locale, expected in ((GERMAN, self.german), ('C.UTF-8', lambda msgid: msgid)):
            if locale == GERMAN:
                counted = self.catalog.ngettext('hashing %u image', 'hashing %u images', 8)
                self.assertNotEqual(counted, 'hashing %u images', 'po/de.po does not translate it')
            else:
                counted = 'hashing %u images'
            destination = os.path.join(self.scratch.name, 'phases-' + locale)
            result = self.dm(locale, 'prune', '-m', 'centroid', '-r', '0.5', self.source, '-o', destination)
            with self.subTest(locale=locale):
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertIn(expected('%s…') % (counted % 8) + '\n', result.stdout)
                self.assertIn(expected('%s…') % expected('clustering') + '\n', result.stdout)

    def test_python_host_gets_german_menu(self):
        # A host using the typelib: the plugin binds its domain to
        # DM_PRUNE_LOCALEDIR when loaded, so the label comes back in German.
        script = (
            "import locale, gi\n"
            "locale.setlocale(locale.LC_ALL, '')\n"
            "gi.require_version('Dm', '1.0')\n"
            "from gi.repository import Dm\n"
            "registry = Dm.PluginRegistry.get_default()\n"
            "registry.add_default_directories()\n"
            "registry.load()\n"
            "transform = registry.create_transform('prune')\n"
            "print(transform.get_label())\n"
            "print(transform.get_description())\n")
        for locale, expected in ((GERMAN, self.german), ('C.UTF-8', lambda msgid: msgid)):
            result = subprocess.run([sys.executable, '-c', script],
                                    env=dict(self.environment, LC_ALL=locale),
                                    stdout=subprocess.PIPE, universal_newlines=True)
            self.assertEqual(result.returncode, 0)
            self.assertEqual(result.stdout.splitlines(),
                             [expected('Prune'),
                              expected('Keep a representative subset of the items: at random, '
                                       'by clustering their hash keys, or without near-duplicates')])

    def test_python_host_gets_german_library_errors(self):
        # libdm binds its own domain when loaded: a host that binds none
        # gets the library's messages in German.
        missing = os.path.join(self.scratch.name, 'missing')
        script = (
            "import locale, sys, gi\n"
            "locale.setlocale(locale.LC_ALL, '')\n"
            "gi.require_version('Dm', '1.0')\n"
            "from gi.repository import Dm, GLib\n"
            "try:\n"
            "    Dm.Dataset.load(sys.argv[1], None, None)\n"
            "except GLib.Error as error:\n"
            "    print(error.message)\n")
        for locale, expected in ((GERMAN, self.german), ('C.UTF-8', lambda msgid: msgid)):
            result = subprocess.run([sys.executable, '-c', script, missing],
                                    env=dict(self.environment, LC_ALL=locale),
                                    stdout=subprocess.PIPE, universal_newlines=True)
            with self.subTest(locale=locale):
                self.assertEqual(result.returncode, 0)
                self.assertEqual(result.stdout.strip(),
                                 expected('Cannot read %s: no such file or directory') % missing)


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
