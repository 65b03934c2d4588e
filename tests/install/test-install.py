#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`meson install` gives a working host, plugin, typelib and dm-1.0.pc.

Installs the build into a scratch DESTDIR, then, from the staged tree only:
runs the installed dm (LD_LIBRARY_PATH at the staged library directory,
DM_PLUGIN_PATH at the staged plugin directory) and checks it lists prune;
imports Dm from the staged typelib; and builds a third-party plugin
(third-party-plugin.c) against the staged dm-1.0.pc, with PKG_CONFIG_PATH
and PKG_CONFIG_SYSROOT_DIR, and checks the installed dm loads and runs it.

tests/install/meson.build passes the build's install layout in the
environment (MESON, DM_BUILD_ROOT, DM_PREFIX, DM_LIBDIR, ...).
"""

import math
import os
import shlex
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from dm_test_helpers import item_ids, run  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='dm-install-')
        cls.destdir = os.path.join(cls.scratch.name, 'destdir')
        install = run([os.environ['MESON'], 'install', '-C', os.environ['DM_BUILD_ROOT'],
                       '--no-rebuild', '--quiet', '--destdir', cls.destdir])
        if install.returncode != 0:
            raise AssertionError('meson install failed:\n' + install.stdout + install.stderr)

        def staged(directory):
            # Install directories are absolute or relative to the prefix.
            absolute = os.path.join(os.environ['DM_PREFIX'], directory)
            return os.path.join(cls.destdir, absolute.lstrip('/'))

        cls.bindir = staged(os.environ['DM_BINDIR'])
        cls.libdir = staged(os.environ['DM_LIBDIR'])
        cls.includedir = staged(os.environ['DM_INCLUDEDIR'])
        cls.datadir = staged(os.environ['DM_DATADIR'])
        cls.localedir = staged(os.environ['DM_INSTALL_LOCALEDIR'])
        cls.plugin_dir = staged(os.environ['DM_INSTALLED_PLUGIN_DIR'])
        cls.dm = os.path.join(cls.bindir, 'dm')

        # Nothing of the build tree: no build plugin path, no build catalogs.
        cls.environment = {key: value for key, value in os.environ.items()
                           if key not in ('DM_PLUGIN_PATH', 'DM_LOCALEDIR', 'GI_TYPELIB_PATH',
                                          'LD_LIBRARY_PATH', 'PKG_CONFIG_PATH')}
        cls.environment.update(LD_LIBRARY_PATH=cls.libdir, DM_PLUGIN_PATH=cls.plugin_dir)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def test_installs_every_part(self):
        expected = [
            self.dm,
            os.path.join(self.libdir, 'libdm-1.0.so'),
            os.path.join(self.libdir, 'libdm-1.0.so.0'),
            os.path.join(self.libdir, 'pkgconfig', 'dm-1.0.pc'),
            os.path.join(self.libdir, 'girepository-1.0', 'Dm-1.0.typelib'),
            os.path.join(self.datadir, 'gir-1.0', 'Dm-1.0.gir'),
            os.path.join(self.plugin_dir, 'libdmprune.so'),
            os.path.join(self.localedir, 'de', 'LC_MESSAGES', 'dm-prune.mo'),
            os.path.join(self.localedir, 'de', 'LC_MESSAGES', 'dm-1.0.mo'),
        ]
        headers = os.path.join(self.includedir, 'dm-1.0')
        expected += [os.path.join(headers, name) for name in
                     ('dm.h', 'dm-version-macros.h', 'dm-error.h', 'dm-item.h', 'dm-dataset.h', 'dm-dataset-io.h',
                      'dm-transform.h', 'dm-plugin-registry.h')]
        for path in expected:
            self.assertTrue(os.path.exists(path), 'meson install did not put %s' % path)

    def test_installed_dm_uses_the_staged_library(self):
        # The dynamic loader's answer, as ldd gives it, without running dm.
        trace = run([self.dm], env=dict(self.environment, LD_TRACE_LOADED_OBJECTS='1'))
        self.assertEqual(trace.returncode, 0, trace.stderr)
        lines = [line for line in trace.stdout.splitlines() if 'libdm-1.0.so' in line]
        self.assertEqual(len(lines), 1, trace.stdout)
        self.assertIn(self.libdir, lines[0])

    def test_installed_dm_lists_prune(self):
        transforms = run([self.dm, 'transforms'], env=self.environment)
        self.assertEqual(transforms.returncode, 0, transforms.stderr)
        names = [line.split(' ')[0] for line in transforms.stdout.splitlines()
                 if line and not line.startswith(' ')]
        self.assertIn('prune', names)

    def test_staged_typelib_imports(self):
        typelib_dir = os.path.join(self.libdir, 'girepository-1.0')
        script = ("import gi\n"
                  "gi.require_version('Dm', '1.0')\n"
                  "from gi.repository import Dm\n"
                  "print(gi.Repository.get_default().get_typelib_path('Dm'))\n"
                  "registry = Dm.PluginRegistry.get_default()\n"
                  "registry.add_default_directories()\n"
                  "registry.load()\n"
                  "print(' '.join(registry.list_transforms()))\n")
        result = run([sys.executable, '-c', script],
                     env=dict(self.environment, GI_TYPELIB_PATH=typelib_dir))
        self.assertEqual(result.returncode, 0, result.stderr)
        typelib, transforms = result.stdout.splitlines()
        self.assertEqual(os.path.realpath(os.path.dirname(typelib)), os.path.realpath(typelib_dir))
        self.assertIn('prune', transforms.split())

    def pkg_config(self, *arguments, sysroot=True):
        """pkg-config on the staged dm-1.0.pc. With the sysroot, pkg-config
        prefixes every path with DESTDIR, also those of the packages
        dm-1.0.pc requires (GLib, json-glib), which are not staged but on
        the system: their flags are given back their system paths."""
        environment = dict(self.environment, PKG_CONFIG_PATH=os.path.join(self.libdir, 'pkgconfig'))
        if sysroot:
            environment['PKG_CONFIG_SYSROOT_DIR'] = self.destdir
        result = run(['pkg-config'] + list(arguments) + ['dm-1.0'], env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        if not sysroot:
            return result.stdout.strip()

        staged_prefix = os.path.join(self.destdir, os.environ['DM_PREFIX'].lstrip('/'))
        flags = []
        for flag in shlex.split(result.stdout):
            option, path = flag[:2], flag[2:]
            if option in ('-I', '-L') and path.startswith(self.destdir + '/') \
                    and not path.startswith(staged_prefix + '/'):
                flag = option + path[len(self.destdir):]
            flags.append(flag)
        return flags

    def test_pkg_config_describes_the_staged_tree(self):
        self.assertEqual(self.pkg_config('--modversion', sysroot=False), os.environ['DM_VERSION'])
        self.assertIn('-I' + os.path.join(self.includedir, 'dm-1.0'), self.pkg_config('--cflags'))
        self.assertIn('-L' + self.libdir, self.pkg_config('--libs'))
        self.assertIn('-ldm-1.0', self.pkg_config('--libs'))
        # Where third-party plugins go, as dm looks for them once installed.
        self.assertEqual(self.pkg_config('--variable=plugindir', sysroot=False),
                         os.environ['DM_INSTALLED_PLUGIN_DIR'])

    def test_third_party_plugin_builds_and_runs(self):
        plugin_dir = os.path.join(self.scratch.name, 'third-party')
        os.makedirs(plugin_dir, exist_ok=True)
        module = os.path.join(plugin_dir, 'libeveryother.so')
        compiler = shlex.split(os.environ.get('CC', 'cc'))
        build = run(compiler + ['-std=c11', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter',
                                '-shared', '-fPIC', '-o', module,
                                os.path.join(HERE, 'third-party-plugin.c')]
                    + self.pkg_config('--cflags') + self.pkg_config('--libs'))
        self.assertEqual(build.returncode, 0, build.stderr)

        environment = dict(self.environment, DM_PLUGIN_PATH=plugin_dir + ':' + self.plugin_dir)
        transforms = run([self.dm, 'transforms'], env=environment)
        self.assertEqual(transforms.returncode, 0, transforms.stderr)
        self.assertIn('every-other — Every other item', transforms.stdout)
        # prune's label is its name: the menu shows the name alone.
        self.assertRegex(transforms.stdout, r'(?m)^prune$')

        # The installed host runs it on a dataset.
        source = os.path.join(self.scratch.name, 'source')
        destination = os.path.join(self.scratch.name, 'every-other')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', '11', source],
                       stdout=subprocess.DEVNULL, check=True)
        result = run([self.dm, 'transform', 'every-other', source, '-o', destination, '-q'],
                     env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        before, after = item_ids(source), item_ids(destination)
        self.assertEqual(sorted(after), sorted(before))
        for subset, ids in before.items():
            self.assertEqual(after[subset], ids[::2], subset)
            self.assertEqual(len(after[subset]), math.ceil(len(ids) / 2))

        # `dm every-other` has the plugin's own option, made from its
        # GParamSpec and alias: the host knows nothing of it.
        help_text = run([self.dm, 'every-other', '--help'], env=environment)
        self.assertEqual(help_text.returncode, 0, help_text.stderr)
        self.assertIn('-k, --offset=OFFSET', help_text.stdout)
        self.assertIn('Keep the items at even (0) or odd (1) places '
                      '(whole number from 0 to 1; default 0)', help_text.stdout)
        odd = os.path.join(self.scratch.name, 'every-other-odd')
        result = run([self.dm, 'every-other', source, '-k', '1', '-o', odd, '-q'], env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        after = item_ids(odd)
        for subset, ids in before.items():
            self.assertEqual(after.get(subset, []), ids[1::2], subset)
        # The positional convention the plugin declares: the same items.
        self.assertIn('SOURCE[:FORMAT] [OFFSET]', help_text.stdout)
        positional = os.path.join(self.scratch.name, 'every-other-positional')
        result = run([self.dm, 'every-other', source, '1', '-o', positional, '-q'], env=environment)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(item_ids(positional), after)
        extra = run([self.dm, 'every-other', source, '1', '0', '-o', positional + '-extra'], env=environment)
        self.assertEqual(extra.returncode, 2, extra.stderr)
        # A value out of the pspec's range: a one-line usage error, exit 2.
        bad = run([self.dm, 'every-other', source, '--offset', '2', '-o', odd + '-bad'], env=environment)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertEqual(bad.stderr.count('\n'), 1, bad.stderr)
        self.assertIn('offset', bad.stderr)
        self.assertFalse(os.path.exists(odd + '-bad'))


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
