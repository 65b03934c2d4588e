#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The asynchronous API from a GLib main loop, as a graphical host uses it.

Loads a sample dataset ($DM_MAKE_SAMPLE), prunes it and saves it with
Dm.Dataset.load_async, Transform.apply_async and Dataset.save_async, driven
by a GLib.MainLoop, and checks: the kept items are those of the same calls
made synchronously; every progress callback runs on the main thread; a
timeout source keeps firing while the transform works (the loop is not
blocked); cancelling mid-apply gives Gio.IOErrorEnum.CANCELLED and leaves
no output.
"""

import os
import subprocess
import tempfile
import threading
import unittest

import gi

gi.require_version('Gio', '2.0')
gi.require_version('Dm', '1.0')
from gi.repository import Dm, Gio, GLib  # noqa: E402

N_ITEMS = 96
TICK_MS = 5


def make_prune():
    registry = Dm.PluginRegistry.get_default()
    registry.add_default_directories()
    registry.load()
    transform = registry.create_transform('prune')
    for name, value in (('method', 'cluster_random'), ('ratio', '0.25'), ('seed', '3')):
        transform.set_parameter_from_string(name, value)
    return transform


def kept_names(dataset):
    return [(item.get_subset(), item.get_id())
            for item in (dataset.get_item(i) for i in range(dataset.get_n_items()))]


class Chain:
    """load → apply → save from the loop, recording what happened."""

    def __init__(self, source, dest, cancel_on_progress=False):
        self.source, self.dest = source, dest
        self.cancel_on_progress = cancel_on_progress
        self.loop = GLib.MainLoop()
        self.cancellable = Gio.Cancellable()
        self.transform = make_prune()
        self.main_thread = threading.get_ident()
        self.progress_threads = set()
        self.phases = []
        self.counts = {}
        self.applying = False
        self.ticks_while_applying = 0
        self.error = None
        self.output = None
        self.saved = False

    def run(self):
        handler = self.transform.connect('progress', self.on_progress)
        tick = GLib.timeout_add(TICK_MS, self.on_tick)
        Dm.Dataset.load_async(self.source, None, self.cancellable, self.on_loaded)
        self.loop.run()
        GLib.source_remove(tick)
        self.transform.disconnect(handler)
        return self

    def on_tick(self):
        if self.applying:
            self.ticks_while_applying += 1
        return GLib.SOURCE_CONTINUE

    def on_progress(self, transform, phase, fraction, n_items):
        self.progress_threads.add(threading.get_ident())
        self.phases.append((phase, fraction))
        self.counts.setdefault(phase, set()).add(n_items)
        if self.cancel_on_progress:
            self.cancellable.cancel()

    def stop(self, error):
        self.error = error
        self.loop.quit()

    def on_loaded(self, source, result):
        try:
            dataset = Dm.Dataset.load_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        self.applying = True
        self.transform.apply_async(dataset, self.cancellable, self.on_applied)

    def on_applied(self, transform, result):
        self.applying = False
        try:
            self.output = transform.apply_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        self.output.save_async(self.dest, Dm.SaveFlags.NONE, self.cancellable, self.on_saved)

    def on_saved(self, dataset, result):
        try:
            self.saved = dataset.save_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        self.loop.quit()


class AsyncTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.TemporaryDirectory(prefix='dm-gi-async-')
        cls.source = os.path.join(cls.scratch.name, 'source')
        subprocess.run([os.environ['DM_MAKE_SAMPLE'], '--items', str(N_ITEMS), cls.source],
                       stdout=subprocess.DEVNULL, check=True)

    @classmethod
    def tearDownClass(cls):
        cls.scratch.cleanup()

    def leftovers(self, name):
        return [entry for entry in os.listdir(self.scratch.name) if entry.startswith(name)]

    def test_chain_keeps_what_sync_keeps(self):
        dest = os.path.join(self.scratch.name, 'async')
        chain = Chain(self.source, dest).run()
        self.assertIsNone(chain.error)
        self.assertTrue(chain.saved)

        self.assertEqual(chain.progress_threads, {threading.get_ident()})
        self.assertIn('hashing', [phase for phase, _ in chain.phases])
        # The count comes with the signal: every image is hashed; the
        # phases that do not go item by item give 0.
        self.assertEqual(chain.counts.pop('hashing'), {N_ITEMS})
        self.assertEqual(chain.counts, {phase: {0} for phase in chain.counts})
        self.assertGreater(chain.ticks_while_applying, 1, 'the loop was blocked during apply')

        dataset = Dm.Dataset.load(self.source, None, None)
        expected = kept_names(make_prune().apply(dataset, None))
        self.assertEqual(len(expected), N_ITEMS // 4)
        self.assertEqual(kept_names(chain.output), expected)
        self.assertEqual(sorted(kept_names(Dm.Dataset.load(dest, None, None))), sorted(expected))

    def test_cancel_mid_apply(self):
        dest = os.path.join(self.scratch.name, 'cancelled')
        chain = Chain(self.source, dest, cancel_on_progress=True).run()
        self.assertIsNotNone(chain.error)
        self.assertTrue(chain.error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                        chain.error.message)
        self.assertGreater(len(chain.phases), 0)
        self.assertIsNone(chain.output)
        self.assertEqual(self.leftovers('cancelled'), [])


if __name__ == '__main__':
    unittest.main()
