#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prune a dataset from Python, through the dm host's introspection API.

    prune.py SOURCE DEST [--method METHOD] [--ratio RATIO] [--seed SEED]

Does what `dm prune -m METHOD -r RATIO --seed SEED SOURCE -o DEST` does, the
way a graphical host would: it loads the plugins, shows the transform menu
as the plugins describe it (labels and parameters come from the
transforms' GParamSpecs, nothing here knows about prune's parameters but
their names), then loads, runs `prune` and saves the result with the asynchronous
API from a GLib main loop, with progress reports and a cancellable: Ctrl-C
(or SIGTERM) at any step, the save included, stops it cleanly, writes
nothing and exits with status 130 (143).

Uninstalled, run it in the build tree's environment (`-w .`: devenv
otherwise runs the command from the build directory):

    meson devenv -C build -w . data/examples/prune.py SRC DEST -m random

or point GObject introspection and the loader at a build tree yourself:

    GI_TYPELIB_PATH=build/subprojects/dm/dm LD_LIBRARY_PATH=build/subprojects/dm/dm \\
    DM_PLUGIN_PATH=build/plugin data/examples/prune.py SRC DEST -m random
"""

import argparse
import signal
import sys

import gi

gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Dm', '1.0')
from gi.repository import Dm, Gio, GLib, GObject  # noqa: E402


def load_plugins():
    registry = Dm.PluginRegistry.get_default()
    registry.add_default_directories()
    registry.load()
    return registry


def describe_parameter(pspec):
    """One line for a parameter: its nick, blurb and the values it takes."""
    if pspec.value_type.is_a(GObject.TYPE_ENUM):
        nicks = [value.value_nick for _, value in sorted(pspec.enum_class.__enum_values__.items())]
        values = 'one of %s; default %s' % (', '.join(nicks), pspec.default_value.value_nick)
    elif hasattr(pspec, 'minimum'):
        values = 'from %s to %s; default %s' % (pspec.minimum, pspec.maximum, pspec.default_value)
    else:
        values = 'default %s' % (pspec.default_value,)
    return '%-18s %s: %s (%s)' % (pspec.name, pspec.nick, pspec.blurb, values)


def print_menu(registry, stream):
    """The menu a host would build: every transform with its parameters."""
    for name in registry.list_transforms():
        transform = registry.create_transform(name)
        print('%s — %s' % (name, transform.get_label()), file=stream)
        print('  %s' % transform.get_description(), file=stream)
        for pspec in GObject.list_properties(transform):
            print('    ' + describe_parameter(pspec), file=stream)


def on_progress(transform, phase, fraction, n_items, state):
    if phase != state.get('phase'):
        # n_items: how many items the phase goes through, 0 if not counted.
        print('%s %u items…' % (phase, n_items) if n_items else '%s…' % phase, file=sys.stderr)
        state['phase'] = phase


class Run:
    """load → apply → save, each started from the previous one's callback
    in the main loop, all with one cancellable."""

    def __init__(self, transform, source, destination):
        self.transform = transform
        self.source, self.destination = source, destination
        self.cancellable = Gio.Cancellable()
        self.loop = GLib.MainLoop()
        self.stop_signal = 0
        self.error = None
        self.dataset = self.pruned = None

    def run(self):
        # GLib's handlers, not Python's: Python runs its own only between
        # bytecodes, and none run while the loop waits for the save.
        # SIG_DFL first, so that PyGObject's loop installs no SIGINT
        # handler of its own over GLib's.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        sources = [GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, self.on_signal, signum)
                   for signum in (signal.SIGINT, signal.SIGTERM)]
        progress_state = {}
        handler = self.transform.connect('progress', on_progress, progress_state)
        # dm_dataset_load_async() and dm_dataset_save_async(): introspection
        # makes them a static method and a method of Dm.Dataset.
        Dm.Dataset.load_async(self.source, None, self.cancellable, self.on_loaded)
        self.loop.run()
        self.transform.disconnect(handler)
        for source in sources:
            GLib.source_remove(source)

    def on_signal(self, signum):
        # The step under way stops at its next check and its callback
        # ends the loop with Gio.IOErrorEnum.CANCELLED.
        self.stop_signal = signum
        self.cancellable.cancel()
        return GLib.SOURCE_CONTINUE

    def stop(self, error):
        self.error = error
        self.loop.quit()

    def on_loaded(self, source, result):
        try:
            self.dataset = Dm.Dataset.load_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        self.transform.apply_async(self.dataset, self.cancellable, self.on_applied)

    def on_applied(self, transform, result):
        try:
            self.pruned = transform.apply_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        print('saving…', file=sys.stderr)
        self.pruned.save_async(self.destination, Dm.SaveFlags.NONE, self.cancellable, self.on_saved)

    def on_saved(self, dataset, result):
        try:
            dataset.save_finish(result)
        except GLib.Error as error:
            return self.stop(error)
        self.loop.quit()


def main(argv):
    parser = argparse.ArgumentParser(description='Keep a representative subset of a dataset.')
    parser.add_argument('source', metavar='SOURCE', help='dataset directory to read')
    parser.add_argument('destination', metavar='DEST', help='directory to write the kept items to')
    parser.add_argument('-m', '--method', default='random', help='how to choose the kept items')
    parser.add_argument('-r', '--ratio', default='0.5', help='fraction of the items kept')
    parser.add_argument('--seed', default='0', help='seed of every random choice')
    parser.add_argument('-q', '--quiet', action='store_true', help='do not print the transform menu')
    args = parser.parse_args(argv)

    registry = load_plugins()
    if not args.quiet:
        print_menu(registry, sys.stdout)

    try:
        transform = registry.create_transform('prune')
        # The library parses text as the command line does: enum nicks,
        # numbers of the property's type, the GParamSpec's range.
        transform.set_parameter_from_string('method', args.method)
        transform.set_parameter_from_string('ratio', args.ratio)
        transform.set_parameter_from_string('seed', args.seed)
    except GLib.Error as error:
        print('prune.py: %s' % error.message, file=sys.stderr)
        return 1

    run = Run(transform, args.source, args.destination)
    run.run()
    # A signal that came after the save was done stops nothing: the
    # dataset is written, and the run says so.
    if run.error is not None and run.error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
        # The shell's convention, 128 + the signal.
        print('prune.py: cancelled', file=sys.stderr)
        return 128 + run.stop_signal
    if run.error is not None:
        print('prune.py: %s' % run.error.message, file=sys.stderr)
        return 1

    print('Kept %u of %u items in %s'
          % (run.pruned.get_n_items(), run.dataset.get_n_items(), args.destination))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
