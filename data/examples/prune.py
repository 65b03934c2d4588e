#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Prune a dataset from Python, through the dm host's introspection API.

    prune.py SOURCE DEST [--method METHOD] [--ratio RATIO] [--seed SEED]

Does what `dm prune -m METHOD -r RATIO --seed SEED SOURCE -o DEST` does, the
way a graphical host would: it loads the plugins, shows the transform menu
as the plugins describe it (labels and parameters come from the
transforms' GParamSpecs, nothing here knows about prune's parameters but
their names), then runs `prune` with progress reports and a cancellable
(Ctrl-C stops it cleanly), and saves the result.

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


def on_progress(transform, phase, fraction, state):
    if phase != state.get('phase'):
        print('%s…' % phase, file=sys.stderr)
        state['phase'] = phase


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

    cancellable = Gio.Cancellable()
    # Python runs signal handlers between bytecodes, which happens in the
    # progress callbacks; Gio.Cancellable.cancel() may be called from there
    # and the transform stops at its next check.
    signal.signal(signal.SIGINT, lambda signum, frame: cancellable.cancel())

    try:
        transform = registry.create_transform('prune')
        # The library parses text as the command line does: enum nicks,
        # numbers of the property's type, the GParamSpec's range.
        transform.set_parameter_from_string('method', args.method)
        transform.set_parameter_from_string('ratio', args.ratio)
        transform.set_parameter_from_string('seed', args.seed)

        # dm_dataset_load() and dm_dataset_save(): introspection makes them
        # a static method and a method of Dm.Dataset.
        dataset = Dm.Dataset.load(args.source, None, cancellable)
        progress_state = {}
        transform.connect('progress', on_progress, progress_state)
        pruned = transform.apply(dataset, cancellable)
        pruned.save(args.destination, Dm.SaveFlags.NONE, cancellable)
    except GLib.Error as error:
        if error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED):
            # Stopped by Ctrl-C: the shell's convention, 128 + SIGINT.
            print('prune.py: cancelled', file=sys.stderr)
            return 128 + signal.SIGINT
        print('prune.py: %s' % error.message, file=sys.stderr)
        return 1

    print('Kept %u of %u items in %s'
          % (pruned.get_n_items(), dataset.get_n_items(), args.destination))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
