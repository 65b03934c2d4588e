#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""data/examples/prune.py keeps what `dm prune` keeps.

Makes a sample dataset ($DM_MAKE_SAMPLE), prunes it with the Python
example (through the typelib) and with $DM_CLI for the same method, ratio
and seed, and compares the item ids kept per subset in the two outputs'
annotation files. Also checks the example's menu and its errors.
"""

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from dm_test_helpers import item_ids, run  # noqa: E402

EXAMPLE = os.environ['DM_PRUNE_EXAMPLE']
DM_CLI = os.environ['DM_CLI']


class PruneExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='dm-gi-example-')
        cls.source = os.path.join(cls.scratch.name, 'source')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', '48', cls.source],
                       stdout=subprocess.DEVNULL, check=True)
        cls.source_ids = item_ids(cls.source)
        cls.n_items = sum(len(ids) for ids in cls.source_ids.values())

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def prune_both(self, method, ratio, seed, source=None):
        source = source or self.source
        name = '%s-%s-%s' % (method, ratio, seed)
        by_python = os.path.join(self.scratch.name, name + '-python')
        by_cli = os.path.join(self.scratch.name, name + '-cli')

        python = run([sys.executable, EXAMPLE, '--quiet', source, by_python,
                      '--method', method, '--ratio', str(ratio), '--seed', str(seed)])
        self.assertEqual(python.returncode, 0, python.stderr)
        cli = run([DM_CLI, 'prune', '-q', '-m', method, '-r', str(ratio), '--seed', str(seed),
                   source, '-o', by_cli])
        self.assertEqual(cli.returncode, 0, cli.stderr)
        return item_ids(by_python), item_ids(by_cli)

    def check_same_as_cli(self, method, ratio, seed, source=None):
        kept_python, kept_cli = self.prune_both(method, ratio, seed, source)
        self.assertEqual(kept_python, kept_cli)
        kept = sum(len(ids) for ids in kept_python.values())
        self.assertEqual(kept, math.ceil(self.n_items * ratio))
        for subset, ids in kept_python.items():
            self.assertLessEqual(set(ids), set(self.source_ids[subset]))
        return kept_python

    def test_random_matches_cli(self):
        first = self.check_same_as_cli('random', 0.25, 7)
        # Another seed keeps other items: the comparison is not vacuous.
        self.assertNotEqual(first, self.check_same_as_cli('random', 0.25, 8))

    def test_random_other_ratio_matches_cli(self):
        self.check_same_as_cli('random', 0.6, 0)

    def test_cluster_random_matches_cli(self):
        # The clustering methods cluster the hash keys `dm hash` stores.
        hashed = os.path.join(self.scratch.name, 'hashed')
        shutil.copytree(self.source, hashed)
        hashing = run([DM_CLI, 'hash', '-q', hashed])
        self.assertEqual(hashing.returncode, 0, hashing.stderr)
        self.check_same_as_cli('cluster_random', 0.5, 3, source=hashed)

    def test_menu_lists_prune_parameters_from_its_param_specs(self):
        menu = run([sys.executable, EXAMPLE, self.source, os.path.join(self.scratch.name, 'menu'),
                    '--method', 'random', '--ratio', '0.5'])
        self.assertEqual(menu.returncode, 0, menu.stderr)
        lines = menu.stdout.splitlines()
        self.assertTrue(any(line.startswith('prune — ') for line in lines), menu.stdout)
        parameters = [line.split()[0] for line in lines if line.startswith('    ')]
        for name in ('method', 'ratio', 'seed', 'hash-type', 'clusters', 'threads'):
            self.assertIn(name, parameters)
        self.assertTrue(any('random, cluster_random' in line for line in lines))
        # Progress goes to standard error.
        self.assertIn('…', menu.stderr)

    def test_ctrl_c_cancels(self):
        # SIGINT once the transform reports progress: the example's GLib
        # signal source cancels its Gio.Cancellable, the transform stops,
        # and nothing is written.
        source = os.path.join(self.scratch.name, 'large')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', '1500', source],
                       stdout=subprocess.DEVNULL, check=True)
        destination = os.path.join(self.scratch.name, 'cancelled')
        child = subprocess.Popen([sys.executable, EXAMPLE, '--quiet', source, destination,
                                  '--method', 'ndr', '--ratio', '0.5'],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 universal_newlines=True)
        first_line = child.stderr.readline()
        self.assertTrue(first_line.endswith('…\n'), first_line)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=60)
        self.assertEqual(child.returncode, 128 + signal.SIGINT, stdout + stderr)
        self.assertIn('prune.py: cancelled', stderr)
        self.assertFalse(os.path.exists(destination))

    def test_signal_mid_save_cancels(self):
        # SIGINT or SIGTERM once the example says it is saving: the save
        # of 2700 items' images takes about a second, the signal stops it
        # within milliseconds, and nothing is written (the save's work
        # directory beside DEST is gone too).
        source = os.path.join(self.scratch.name, 'large-save')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', '3000', source],
                       stdout=subprocess.DEVNULL, check=True)
        for signum in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(signal=signum):
                parent = tempfile.mkdtemp(dir=self.scratch.name)
                destination = os.path.join(parent, 'saved')
                child = subprocess.Popen([sys.executable, EXAMPLE, '--quiet', source, destination,
                                          '--method', 'random', '--ratio', '0.9'],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         universal_newlines=True)
                lines = []
                while not lines or lines[-1] not in ('saving…\n', ''):
                    lines.append(child.stderr.readline())
                self.assertEqual(lines[-1], 'saving…\n', lines)
                child.send_signal(signum)
                stdout, stderr = child.communicate(timeout=60)
                self.assertEqual(child.returncode, 128 + signum, stdout + stderr)
                self.assertEqual(stderr, 'prune.py: cancelled\n')
                self.assertEqual(stdout, '')
                self.assertEqual(os.listdir(parent), [])

    def test_errors(self):
        destination = os.path.join(self.scratch.name, 'errors')
        for arguments, message in (
                (['--ratio', '1.5'], 'for parameter “ratio”: out of range'),
                (['--method', 'best'], 'for parameter “method”: expected one of random'),
                (['--ratio', '0'], None)):
            with self.subTest(arguments=arguments):
                result = run([sys.executable, EXAMPLE, '--quiet', self.source, destination]
                             + arguments)
                self.assertEqual(result.returncode, 1, result.stdout)
                self.assertTrue(result.stderr.startswith('prune.py: '), result.stderr)
                if message:
                    self.assertIn(message, result.stderr)
                self.assertFalse(os.path.exists(os.path.join(destination, 'annotations')))

        missing = run([sys.executable, EXAMPLE, '--quiet', os.path.join(self.scratch.name, 'nope'),
                       destination])
        self.assertEqual(missing.returncode, 1)
        self.assertTrue(missing.stderr.startswith('prune.py: '), missing.stderr)


if __name__ == '__main__':
    unittest.main(verbosity=2, argv=sys.argv[:1])
