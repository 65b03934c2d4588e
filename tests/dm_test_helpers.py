# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers shared by the Python tests (tests/gi, tests/install)."""

import json
import os
import subprocess


def run(command, **kwargs):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kwargs)


def item_ids(dataset_dir):
    """subset -> item ids, in file order, of a Datumaro dataset's annotation files."""
    annotations = os.path.join(dataset_dir, 'annotations')
    ids = {}
    for name in sorted(os.listdir(annotations)):
        if name.endswith('.json'):
            with open(os.path.join(annotations, name), encoding='utf-8') as subset_file:
                ids[name[:-len('.json')]] = [item['id'] for item in json.load(subset_file)['items']]
    return ids
