#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The host's API as Python sees it through Dm-1.0.typelib.

Checks that the introspection annotations give Python what the C API
means: ownership, out parameters, arrays, nullable arguments, GErrors and
the DmTransform::progress signal. Runs with GI_TYPELIB_PATH and
LD_LIBRARY_PATH at the build tree's libdm directory and DM_PLUGIN_PATH at
its plugin directory (tests/gi/meson.build sets them).
"""

import math
import os
import random
import unittest

import gi

gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Json', '1.0')
gi.require_version('Dm', '1.0')
from gi.repository import Dm, Gio, GLib, GObject, Json  # noqa: E402


def skipped_in_sources():
    """The functions whose gtk-doc comment says (skip)."""
    import glob
    import re
    skipped = set()
    for path in glob.glob(os.path.join(os.environ['DM_SOURCE_ROOT'], 'subprojects', 'dm', '*', '*.[ch]')):
        with open(path, encoding='utf-8') as source:
            skipped.update(re.findall(r'^ \* (\w+):[^\n]*\(skip\)', source.read(), re.M))
    return skipped


def make_dataset(subset_sizes, n_labels=3):
    """An in-memory dataset: subset -> item count, labels cycling."""
    dataset = Dm.Dataset.new()
    for label in range(n_labels):
        dataset.add_label('label%d' % label)
    for subset, size in subset_sizes.items():
        dataset.add_subset(subset)
        for i in range(size):
            item = Dm.Item.new('%s_%04d' % (subset, i), subset)
            item.add_label(i % n_labels)
            dataset.append_item(item)
    return dataset


def registry():
    reg = Dm.PluginRegistry.get_default()
    reg.add_default_directories()
    reg.load()
    return reg


class TypelibTest(unittest.TestCase):
    def test_typelib_comes_from_the_build_tree(self):
        # Otherwise an installed, older Dm-1.0.typelib could be under test.
        path = gi.Repository.get_default().get_typelib_path('Dm')
        self.assertEqual(os.path.dirname(os.path.realpath(path)),
                         os.path.realpath(os.environ['GI_TYPELIB_PATH'].split(':')[0]))

    def test_every_api_is_introspectable(self):
        # g-ir-scanner marks what a binding cannot call (a missing
        # annotation, an unsupported type) introspectable="0"; what is
        # meant to be C-only is annotated (skip) and left out instead.
        import xml.etree.ElementTree as ElementTree
        core = '{http://www.gtk.org/introspection/core/1.0}'
        c = '{http://www.gtk.org/introspection/c/1.0}'
        gir = ElementTree.parse(os.environ['DM_GIR'])
        namespace = gir.getroot().find(core + 'namespace')
        self.assertEqual(namespace.get('name'), 'Dm')
        not_introspectable = sorted(
            element.get(c + 'identifier') or element.get('name')
            for element in namespace.iter()
            if element.get('introspectable') == '0')
        self.assertEqual(not_introspectable, sorted(skipped_in_sources()))
        functions = {element.get(c + 'identifier') for element in namespace.iter()
                     if element.get(c + 'identifier', '').startswith('dm_')}
        for expected in ('dm_plugin_registry_get_default', 'dm_transform_apply',
                         'dm_dataset_load', 'dm_dataset_save', 'dm_item_get_labels'):
            self.assertIn(expected, functions)

    def test_error_domain_and_codes(self):
        self.assertEqual(GLib.quark_to_string(Dm.error_quark()), 'dm-error-quark')
        self.assertEqual(int(Dm.Error.NOT_FOUND), 4)
        self.assertEqual(int(Dm.SaveFlags.OVERWRITE), 1)


class ItemTest(unittest.TestCase):
    def test_labels_are_an_array(self):
        item = Dm.Item.new('a', None)
        self.assertEqual(item.get_subset(), 'default')
        self.assertEqual(item.get_labels(), [])
        item.add_label(2)
        item.add_label(0)
        self.assertEqual(item.get_labels(), [2, 0])
        self.assertEqual(item.get_label(), 2)

    def test_image_size_out_parameters(self):
        item = Dm.Item.new('a', 'train')
        item.set_image_size(128, 96)
        self.assertEqual(item.get_image_size(), (128, 96))

    def test_nullable_image_path_and_hash_key(self):
        item = Dm.Item.new('a', 'train')
        self.assertIsNone(item.get_image_path())
        self.assertIsNone(item.get_hash_key())
        item.set_image_path('/tmp/a.jpg')
        item.set_hash_key(GLib.Bytes.new(b'\x01\x02'))
        self.assertEqual(item.get_image_path(), '/tmp/a.jpg')
        self.assertEqual(item.get_hash_key().get_data(), b'\x01\x02')
        item.set_image_path(None)
        self.assertIsNone(item.get_image_path())

    def test_copy_is_independent(self):
        item = Dm.Item.new('a', 'train')
        item.add_label(1)
        copy = item.copy()
        copy.add_label(2)
        self.assertEqual(item.get_labels(), [1])
        self.assertEqual(copy.get_labels(), [1, 2])


class DatasetTest(unittest.TestCase):
    def test_subsets_labels_and_items(self):
        dataset = make_dataset({'train': 5, 'val': 2})
        self.assertEqual(dataset.get_subsets(), ['train', 'val'])
        self.assertEqual(dataset.get_n_labels(), 3)
        self.assertEqual(dataset.get_label_name(1), 'label1')
        self.assertEqual(dataset.find_label('label2'), 2)
        self.assertEqual(dataset.find_label('nope'), -1)
        self.assertEqual(dataset.get_n_items(), 7)
        self.assertEqual(dataset.find_item('val', 'val_0001').get_id(), 'val_0001')
        self.assertIsNone(dataset.find_item('val', 'train_0001'))

    def test_is_a_list_model(self):
        dataset = make_dataset({'train': 4})
        self.assertIsInstance(dataset, Gio.ListModel)
        self.assertEqual([item.get_id() for item in dataset],
                         ['train_0000', 'train_0001', 'train_0002', 'train_0003'])

    def test_appending_notifies_a_watcher(self):
        # Appends are announced to whoever watches, as a list model must
        # (though not emitted while nobody does).
        dataset = make_dataset({'train': 2})
        changes = []
        dataset.connect('items-changed', lambda model, *change: changes.append(change))
        dataset.append_item(Dm.Item.new('extra', 'val'))
        dataset.append_item(Dm.Item.new('extra', 'train'))
        self.assertEqual(changes, [(2, 0, 1), (3, 0, 1)])
        self.assertEqual(dataset.get_subsets(), ['train', 'val'])


class LoadOptionsTest(unittest.TestCase):
    """Dm.Dataset.load_with_options: a format's options as NAME=VALUE."""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        # Datumaro's no_labels: a list of images and label ids, no synsets.txt.
        with open(os.path.join(self.tmp.name, 'train.txt'), 'w', encoding='utf-8') as lines:
            lines.write('1.jpg 4\n2.jpg 1\n')

    def test_generated_labels(self):
        dataset = Dm.Dataset.load_with_options(self.tmp.name, None, ['labels=generate'], None)
        self.assertEqual([dataset.get_label_name(i) for i in range(dataset.get_n_labels())],
                         ['class-0', 'class-1', 'class-2', 'class-3', 'class-4'])
        self.assertEqual([item.get_labels() for item in dataset], [[4], [1]])

    def test_refused_option_is_a_gerror(self):
        with self.assertRaises(GLib.Error) as raised:
            Dm.Dataset.load_with_options(self.tmp.name, 'imagenet_txt', ['labels=gen'], None)
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.INVALID_ARGUMENT))
        self.assertIn('imagenet_txt', raised.exception.message)
        with self.assertRaises(GLib.Error):
            Dm.Dataset.check_load_options('datumaro', ['labels=generate'])

    def test_listing(self):
        self.assertIn('imagenet_txt', Dm.Dataset.list_formats())
        self.assertEqual(Dm.Dataset.list_load_options('imagenet_txt'),
                         ['labels=file|generate', 'labels_file=FILE'])
        self.assertEqual(Dm.Dataset.list_load_options('datumaro'), [])
        self.assertTrue(Dm.Dataset.check_load_options('imagenet_txt', None))

    def test_async(self):
        loop = GLib.MainLoop()
        loaded = []

        def on_loaded(source, result):
            try:
                loaded.append(Dm.Dataset.load_with_options_finish(result))
            finally:
                loop.quit()

        Dm.Dataset.load_with_options_async(self.tmp.name, None, ['labels=generate'], None, on_loaded)
        loop.run()
        self.assertEqual(loaded[0].get_n_labels(), 5)


class InPlaceTest(unittest.TestCase):
    """A caller asks before any work whether a dataset can be saved over its source."""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.root = os.path.join(self.tmp.name, 'imagenet')
        for label, pixel in (('cat', b'abc'), ('dog', b'def')):
            os.makedirs(os.path.join(self.root, label))
            with open(os.path.join(self.root, label, 'a.ppm'), 'wb') as image:
                image.write(b'P6\n1 1\n255\n' + pixel)

    def tree(self):
        files = {}
        for folder, _, names in os.walk(self.tmp.name):
            for name in names:
                with open(os.path.join(folder, name), 'rb') as data:
                    files[os.path.join(folder, name)] = data.read()
        return files

    def test_refused_before_loading_as_the_save_refuses(self):
        before = self.tree()
        fmt = Dm.Dataset.detect_format(self.root)
        self.assertEqual(fmt, 'imagenet')
        with self.assertRaises(GLib.Error) as checked:
            Dm.Dataset.check_in_place(self.root, self.root, fmt)
        self.assertTrue(checked.exception.matches(Dm.error_quark(), Dm.Error.IN_PLACE))
        self.assertIn('imagenet', checked.exception.message)
        self.assertNotIn('--', checked.exception.message)
        self.assertTrue(Dm.Dataset.check_in_place(os.path.join(self.tmp.name, 'dest'), self.root, fmt))
        self.assertTrue(Dm.Dataset.check_in_place(self.root, None, None))

        dataset = Dm.Dataset.load(self.root, None, None)
        with self.assertRaises(GLib.Error) as saved:
            dataset.save(self.root, Dm.SaveFlags.OVERWRITE, None)
        self.assertEqual(saved.exception.message, checked.exception.message)
        self.assertEqual(self.tree(), before)


class DestinationTest(unittest.TestCase):
    """A save refused for its destination tells a Python caller what is
    wrong in the library's words, the way out by its code: no flag of the
    dm tool's in it."""

    def setUp(self):
        import tempfile
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dest = os.path.join(self.tmp.name, 'dest')
        self.dataset = make_dataset({'train': 3})
        self.dataset.save(self.dest, Dm.SaveFlags.NONE, None)

    def assert_refused(self, flags, code):
        with self.assertRaises(GLib.Error) as refused:
            self.dataset.save(self.dest, flags, None)
        self.assertTrue(refused.exception.matches(Dm.error_quark(), code), refused.exception.message)
        self.assertIn(self.dest, refused.exception.message)
        self.assertNotIn('--overwrite', refused.exception.message)
        self.assertNotIn('--', refused.exception.message)
        return refused.exception.message

    def test_existing_destination_needs_overwrite(self):
        self.assert_refused(Dm.SaveFlags.NONE, Dm.Error.EXISTS)

    def test_overwrite_replaces_only_a_dataset(self):
        with open(os.path.join(self.dest, 'notes.txt'), 'w') as notes:
            notes.write('mine')
        message = self.assert_refused(Dm.SaveFlags.OVERWRITE, Dm.Error.OUTPUT)
        self.assertIn('notes.txt', message)


class RegistryTest(unittest.TestCase):
    def test_lists_prune_with_its_parameters(self):
        reg = registry()
        self.assertIn('prune', reg.list_transforms())
        self.assertTrue(GObject.type_is_a(reg.lookup_transform('prune'), Dm.Transform))
        self.assertEqual(reg.lookup_transform('no-such-transform'), GObject.TYPE_INVALID)
        transform = reg.create_transform('prune')
        self.assertEqual(transform.get_name(), 'prune')
        self.assertTrue(transform.get_label())
        names = {pspec.name for pspec in GObject.list_properties(transform)}
        self.assertTrue({'method', 'ratio', 'hash-type', 'seed', 'clusters', 'threads'} <= names)

    def test_unknown_transform_raises_not_found(self):
        with self.assertRaises(GLib.Error) as raised:
            registry().create_transform('no-such-transform')
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.NOT_FOUND))

    def test_parameter_from_string(self):
        transform = registry().create_transform('prune')
        transform.set_parameter_from_string('hash_type', 'txt')
        self.assertEqual(transform.props.hash_type.value_nick, 'txt')
        with self.assertRaises(GLib.Error) as raised:
            transform.set_parameter_from_string('ratio', '2')
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.INVALID_ARGUMENT))
        # Spaces around a value that is not text are refused, as dm does.
        for value in (' 0.5', '0.5 ', '0.5\n'):
            with self.assertRaises(GLib.Error) as raised:
                transform.set_parameter_from_string('ratio', value)
            self.assertIn('spaces around a value', raised.exception.message)
        # Decimal numbers only, and an underflow said as such.
        with self.assertRaises(GLib.Error) as raised:
            transform.set_parameter_from_string('ratio', '0x0.8')
        self.assertIn('expected a number', raised.exception.message)
        with self.assertRaises(GLib.Error) as raised:
            transform.set_parameter_from_string('ratio', '1e-400')
        self.assertIn('too close to 0', raised.exception.message)
        transform.set_parameter_from_string('ratio', '0.25')
        self.assertEqual(transform.props.ratio, 0.25)
        transform.set_parameter_from_string('ratio', '2.5e-1')
        self.assertEqual(transform.props.ratio, 0.25)


    def test_notify_only_when_a_value_changes(self):
        # The properties are G_PARAM_EXPLICIT_NOTIFY: set_property notifies
        # on a change, and only then, so a GUI bound to them follows.
        for name, first, second in (('prune', ('ratio', 0.25), ('method', 'centroid')),
                                    ('hash', ('threads', 3), ('embeddings', 'e.npy'))):
            transform = registry().create_transform(name)
            seen = []
            transform.connect('notify', lambda obj, pspec: seen.append(pspec.name))
            prop, value = first
            transform.set_property(prop, value)
            transform.set_property(prop, value)
            self.assertEqual(seen, [prop])
            prop, text = second
            transform.set_parameter_from_string(prop, text)
            transform.set_parameter_from_string(prop, text)
            self.assertEqual(seen, [first[0], prop])
            # Back to the default is a change too.
            default = transform.find_property(first[0]).default_value
            transform.set_property(first[0], default)
            self.assertEqual(seen, [first[0], prop, first[0]])

    def test_every_property_round_trips_alone(self):
        # Both transforms share one offset-table get/set (prune-property.c):
        # each writable property keeps a value other than its default, and
        # setting it changes no other property (a wrong offset would).
        for name in ('prune', 'hash'):
            transform = registry().create_transform(name)
            pspecs = [p for p in transform.list_properties()
                      if p.flags & GObject.ParamFlags.WRITABLE and p.owner_type != Dm.Transform.__gtype__]
            self.assertGreater(len(pspecs), 2)
            for pspec in pspecs:
                value = self.other_than_default(pspec)
                before = {p.name: transform.get_property(p.name) for p in pspecs if p.name != pspec.name}
                transform.set_property(pspec.name, value)
                self.assertEqual(transform.get_property(pspec.name), value, '%s.%s' % (name, pspec.name))
                after = {p.name: transform.get_property(p.name) for p in pspecs if p.name != pspec.name}
                self.assertEqual(after, before, 'setting %s.%s changed another property' % (name, pspec.name))

    @staticmethod
    def other_than_default(pspec):
        value_type = pspec.value_type
        if value_type == GObject.TYPE_BOOLEAN:
            return not pspec.default_value
        if value_type == GObject.TYPE_STRING:
            return 'not-the-default'
        if value_type in (GObject.TYPE_UINT, GObject.TYPE_INT):
            return pspec.default_value + 1 if pspec.default_value < pspec.maximum else pspec.default_value - 1
        if value_type == GObject.TYPE_DOUBLE:
            return (pspec.default_value + pspec.minimum) / 2 if pspec.default_value > pspec.minimum \
                else (pspec.default_value + pspec.maximum) / 2
        if value_type.is_a(GObject.TYPE_ENUM):
            values = pspec.enum_class.__enum_values__
            return values[next(v for v in sorted(values) if v != int(pspec.default_value))]
        raise AssertionError('no other value for %s of type %s' % (pspec.name, value_type.name))

class ReportSchemaTest(unittest.TestCase):
    def test_prune_report_follows_the_documented_schema(self):
        # dm-transform.h documents the members any host may read; prune's
        # report has them in that shape.
        self.assertEqual((Dm.TRANSFORM_REPORT_SKIPPED, Dm.TRANSFORM_REPORT_SUBSET,
                          Dm.TRANSFORM_REPORT_ID, Dm.TRANSFORM_REPORT_REASON,
                          Dm.TRANSFORM_REPORT_CLUSTERS, Dm.TRANSFORM_REPORT_CLUSTER_SIZE,
                          Dm.TRANSFORM_REPORT_CLUSTER_QUOTA, Dm.TRANSFORM_REPORT_CLUSTER_OF_ITEM),
                         ('skipped', 'subset', 'id', 'reason', 'clusters', 'size', 'quota',
                          'cluster_of_item'))
        dataset = make_dataset({'train': 30})
        generator = random.Random(1)
        for item in dataset:
            item.set_hash_key(GLib.Bytes.new(bytes(generator.getrandbits(8) for _ in range(64))))
        transform = registry().create_transform('prune')
        transform.set_parameter_from_string('method', 'cluster_random')
        kept = transform.apply(dataset, None)
        report = transform.get_report().get_object()
        clusters = report.get_array_member(Dm.TRANSFORM_REPORT_CLUSTERS).get_elements()
        sizes = [c.get_object().get_int_member(Dm.TRANSFORM_REPORT_CLUSTER_SIZE) for c in clusters]
        quotas = [c.get_object().get_int_member(Dm.TRANSFORM_REPORT_CLUSTER_QUOTA) for c in clusters]
        self.assertEqual(sum(sizes), dataset.get_n_items())
        self.assertEqual(sum(quotas), kept.get_n_items())
        of_item = [node.get_int() for node in
                   report.get_array_member(Dm.TRANSFORM_REPORT_CLUSTER_OF_ITEM).get_elements()]
        self.assertEqual(len(of_item), dataset.get_n_items())
        self.assertEqual([of_item.count(c) for c in range(len(clusters))], sizes)

    def test_per_item_members_are_given_unless_the_host_declines_them(self):
        dataset = make_dataset({'train': 30})
        generator = random.Random(2)
        for item in dataset:
            item.set_hash_key(GLib.Bytes.new(bytes(generator.getrandbits(8) for _ in range(64))))
        reports = []
        for per_item in (None, True, False):
            transform = registry().create_transform('prune')
            transform.set_parameter_from_string('method', 'cluster_random')
            if per_item is not None:
                transform.set_report_per_item(per_item)
            self.assertEqual(transform.get_report_per_item(), per_item is not False)
            transform.apply(dataset, None)
            reports.append(transform.get_report().get_object())
        default, full, terse = reports
        for report in (default, full):
            self.assertEqual(len(report.get_array_member(Dm.TRANSFORM_REPORT_CLUSTER_OF_ITEM).get_elements()),
                             dataset.get_n_items())
            self.assertTrue(report.has_member('kept_items'))
        self.assertFalse(terse.has_member(Dm.TRANSFORM_REPORT_CLUSTER_OF_ITEM))
        self.assertFalse(terse.has_member('kept_items'))
        self.assertEqual(terse.get_int_member('kept'), full.get_int_member('kept'))
        self.assertEqual(len(terse.get_array_member(Dm.TRANSFORM_REPORT_CLUSTERS).get_elements()),
                         len(full.get_array_member(Dm.TRANSFORM_REPORT_CLUSTERS).get_elements()))

class ApplyTest(unittest.TestCase):
    def prune(self, **properties):
        transform = registry().create_transform('prune')
        for name, value in properties.items():
            transform.set_property(name, value)
        return transform

    def test_random_keeps_ceil_ratio_and_reports_progress(self):
        dataset = make_dataset({'train': 30, 'val': 10})
        transform = self.prune(ratio=0.3, seed=3)
        fractions = []
        transform.connect('progress', lambda t, phase, fraction, n_items: fractions.append((phase, fraction)))
        output = transform.apply(dataset, None)
        self.assertEqual(output.get_n_items(), math.ceil(40 * 0.3))
        self.assertEqual(dataset.get_n_items(), 40, 'the input must not change')
        self.assertTrue(fractions)
        self.assertTrue(all(0.0 <= f <= 1.0 for _, f in fractions))
        kept = {(item.get_subset(), item.get_id()) for item in output}
        self.assertTrue(all(dataset.find_item(s, i) is not None for s, i in kept))

        report = transform.get_report()
        self.assertIsInstance(report, Json.Node)

    def test_same_seed_same_items_other_seed_other_items(self):
        dataset = make_dataset({'train': 50})

        def kept(seed):
            return [item.get_id() for item in self.prune(ratio=0.2, seed=seed).apply(dataset, None)]

        self.assertEqual(kept(5), kept(5))
        self.assertNotEqual(kept(5), kept(6))

    def test_cancelled_before_start(self):
        cancellable = Gio.Cancellable()
        cancellable.cancel()
        with self.assertRaises(GLib.Error) as raised:
            self.prune().apply(make_dataset({'train': 10}), cancellable)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))

    def test_check_parameters_refuses_a_combination_before_any_data(self):
        transform = registry().create_transform('prune')
        transform.set_parameter_from_string('method', 'cluster_random')
        transform.props.clusters = 4
        self.assertTrue(transform.check_parameters())
        transform.set_parameter_from_string('method', 'centroid')
        with self.assertRaises(GLib.Error) as raised:
            transform.check_parameters()
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.INVALID_ARGUMENT))
        self.assertIn('“clusters”', raised.exception.message)
        # apply checks first: the empty dataset's error is not reached.
        with self.assertRaises(GLib.Error) as raised:
            transform.apply(Dm.Dataset.new(), None)
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.INVALID_ARGUMENT))

    def test_unused_parameter_taken_back_at_its_default(self):
        # A dialog whose user changes the method: a parameter the new
        # method does not use is refused only at another value than its
        # default, so setting it back, or leaving it alone, takes it back.
        transform = registry().create_transform('prune')
        transform.set_parameter_from_string('method', 'centroid')
        transform.props.clusters = 5
        with self.assertRaises(GLib.Error):
            transform.check_parameters()
        transform.props.clusters = 0
        self.assertTrue(transform.check_parameters())

        transform = registry().create_transform('prune')
        transform.set_parameter_from_string('method', 'cluster_random')
        transform.props.clusters = 4
        transform.props.stratify = True
        self.assertTrue(transform.check_parameters())
        transform.set_parameter_from_string('method', 'random')
        transform.props.clusters = 0
        with self.assertRaises(GLib.Error) as raised:
            transform.check_parameters()
        self.assertIn('“stratify”', raised.exception.message)
        transform.props.stratify = False
        self.assertTrue(transform.check_parameters())
        self.assertEqual(transform.apply(make_dataset({'train': 10}), None).get_n_items(), 5)
        parameters = transform.get_report().get_object().get_object_member('parameters')
        self.assertEqual(parameters.get_string_member('method'), 'random')
        self.assertEqual(parameters.get_double_member('ratio'), 0.5)
        for unused in ('clusters', 'stratify', 'hash-type', 'threads'):
            self.assertFalse(parameters.has_member(unused), unused)

    def test_empty_dataset_is_an_error(self):
        with self.assertRaises(GLib.Error) as raised:
            self.prune().apply(Dm.Dataset.new(), None)
        self.assertTrue(raised.exception.matches(Dm.error_quark(), Dm.Error.INVALID_DATA))


if __name__ == '__main__':
    unittest.main(verbosity=2)
