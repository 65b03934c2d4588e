/* dm-dataset.c: a dataset, a list of items with label categories and subsets.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "dm-dataset.h"
#include "dm-dataset-private.h"
#include "dm-in-place-private.h"

/**
 * DmDataset:
 *
 * A dataset: a #GListModel of #DmItem in load order (subsets in the order
 * they were loaded, items in file order), the label categories the items'
 * label ids index, and what the format needs to write the dataset back as
 * it was (a header per subset).
 *
 * Item order matters: seeded selections such as the `random` method pick
 * positions in this order, as Datumaro does.
 */
struct _DmDataset
{
  GObject parent_instance;

  GPtrArray *items;            /* of DmItem, owned */
  GHashTable *item_index;      /* interned subset -> (id -> DmItem), for find_item */
  GPtrArray *subsets;          /* interned names, NULL-terminated */
  GHashTable *subset_headers;  /* interned name -> JsonObject */
  GPtrArray *label_names;      /* of char*, NULL-terminated */
  GHashTable *label_ids;       /* name -> id + 1 */
  char *source_path;
  char *source_state;          /* dm_in_place_source_state() when the path was set */
  char *format;
  char *hash_key_origin;
  DmDataset *origin;           /* the dataset new_like() began the chain from */
  GPtrArray *left_as_they_are; /* of DmItem, owned: see dm_dataset_leave_as_it_is() */
};

static void dm_dataset_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (DmDataset, dm_dataset, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      dm_dataset_list_model_init))

/* Items are found by (subset, id): a table of ids per subset, keyed by
 * the items' own id strings (held as long as the items are), so indexing
 * a million items allocates no key for each. Subsets are interned, so the
 * pointer stands for the name. */
static GHashTable *
ids_of_subset (DmDataset  *self,
               const char *interned_subset)
{
  GHashTable *ids = g_hash_table_lookup (self->item_index, interned_subset);

  if (ids == NULL)
    {
      ids = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (self->item_index, (gpointer) interned_subset, ids);
    }
  return ids;
}

static GType
dm_dataset_get_item_type (GListModel *model)
{
  return DM_TYPE_ITEM;
}

static guint
dm_dataset_list_get_n_items (GListModel *model)
{
  return DM_DATASET (model)->items->len;
}

static gpointer
dm_dataset_list_get_item (GListModel *model,
                          guint       position)
{
  DmDataset *self = DM_DATASET (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
dm_dataset_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = dm_dataset_get_item_type;
  iface->get_n_items = dm_dataset_list_get_n_items;
  iface->get_item = dm_dataset_list_get_item;
}

static void
dm_dataset_finalize (GObject *object)
{
  DmDataset *self = DM_DATASET (object);

  g_hash_table_unref (self->item_index);
  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->subsets);
  g_hash_table_unref (self->subset_headers);
  g_ptr_array_unref (self->label_names);
  g_hash_table_unref (self->label_ids);
  g_free (self->source_path);
  g_free (self->source_state);
  g_free (self->format);
  g_free (self->hash_key_origin);
  g_clear_object (&self->origin);
  g_clear_pointer (&self->left_as_they_are, g_ptr_array_unref);

  G_OBJECT_CLASS (dm_dataset_parent_class)->finalize (object);
}

/* GListModel::items-changed, looked up once. */
static guint items_changed_signal;

static void
dm_dataset_class_init (DmDatasetClass *klass)
{
  gpointer list_model = g_type_default_interface_ref (G_TYPE_LIST_MODEL);

  G_OBJECT_CLASS (klass)->finalize = dm_dataset_finalize;
  /* The interface's signals exist once its default vtable does. */
  items_changed_signal = g_signal_lookup ("items-changed", G_TYPE_LIST_MODEL);
  g_type_default_interface_unref (list_model);
}

static void
dm_dataset_init (DmDataset *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->item_index = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) g_hash_table_unref);
  self->subsets = g_ptr_array_new_null_terminated (4, NULL, TRUE);
  self->subset_headers = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                                (GDestroyNotify) json_object_unref);
  self->label_names = g_ptr_array_new_null_terminated (16, g_free, TRUE);
  self->label_ids = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * dm_dataset_new:
 *
 * Makes an empty dataset, with no subsets, labels or items.
 *
 * Returns: (transfer full): a new empty dataset
 */
DmDataset *
dm_dataset_new (void)
{
  return g_object_new (DM_TYPE_DATASET, NULL);
}

/**
 * dm_dataset_new_like:
 * @model: a dataset
 *
 * Makes an empty dataset with the label categories, subsets and subset
 * headers, format, source path and hash key origin of @model: what a
 * transform starts its output from. The new dataset remembers the dataset
 * the chain of models began with (see dm_dataset_get_origin()).
 *
 * Returns: (transfer full): a new dataset without items
 */
DmDataset *
dm_dataset_new_like (DmDataset *model)
{
  DmDataset *self;

  g_return_val_if_fail (DM_IS_DATASET (model), NULL);

  self = dm_dataset_new ();
  for (guint i = 0; i < model->label_names->len; i++)
    dm_dataset_add_label (self, g_ptr_array_index (model->label_names, i));
  for (guint i = 0; i < model->subsets->len; i++)
    {
      const char *subset = g_ptr_array_index (model->subsets, i);
      JsonObject *header = g_hash_table_lookup (model->subset_headers, subset);

      dm_dataset_add_subset (self, subset);
      if (header != NULL)
        dm_dataset_set_subset_header (self, subset, header);
    }
  self->source_path = g_strdup (model->source_path);
  self->source_state = g_strdup (model->source_state);
  self->format = g_strdup (model->format);
  self->hash_key_origin = g_strdup (model->hash_key_origin);
  self->origin = g_object_ref (model->origin != NULL ? model->origin : model);
  /* What a step of the chain left as it was stays so after the next. */
  for (guint i = 0; model->left_as_they_are != NULL && i < model->left_as_they_are->len; i++)
    dm_dataset_leave_as_it_is (self, g_ptr_array_index (model->left_as_they_are, i));

  return self;
}

/**
 * dm_dataset_get_origin:
 * @self: a dataset
 *
 * The dataset @self was derived from with dm_dataset_new_like(), through
 * any number of steps: what a transform's output was made from, so saving
 * it in place knows which items were dropped.
 *
 * Returns: (nullable) (transfer none): the first model, or %NULL
 */
DmDataset *
dm_dataset_get_origin (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return self->origin;
}

/**
 * dm_dataset_get_n_items:
 * @self: a dataset
 *
 * Counts the items of every subset.
 *
 * Returns: the number of items
 */
guint
dm_dataset_get_n_items (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), 0);

  return self->items->len;
}

/**
 * dm_dataset_get_item:
 * @self: a dataset
 * @position: an index below dm_dataset_get_n_items()
 *
 * Like g_list_model_get_item() without taking a reference, for loops over
 * large datasets.
 *
 * Returns: (transfer none): the item at @position
 */
DmItem *
dm_dataset_get_item (DmDataset *self,
                     guint      position)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);
  g_return_val_if_fail (position < self->items->len, NULL);

  return g_ptr_array_index (self->items, position);
}

/* Items' subsets are interned already: appending a million of them need
 * not take the global lock of g_intern_string() each time. */
static void
add_interned_subset (DmDataset  *self,
                     const char *interned)
{
  /* Few subsets, so a scan beats a second table; the last one is the
   * common hit while items are appended in load order. */
  for (guint i = self->subsets->len; i > 0; i--)
    if (g_ptr_array_index (self->subsets, i - 1) == interned)
      return;
  g_ptr_array_add (self->subsets, (gpointer) interned);
}

/**
 * dm_dataset_append_item:
 * @self: a dataset
 * @item: an item whose (subset, id) is not in @self yet
 *
 * Appends @item, and its subset if the dataset has not seen it yet.
 * Readers check dm_dataset_find_item() first to report duplicate ids.
 */
void
dm_dataset_append_item (DmDataset *self,
                        DmItem    *item)
{
  const char *subset, *id;

  g_return_if_fail (DM_IS_DATASET (self));
  g_return_if_fail (DM_IS_ITEM (item));

  subset = dm_item_get_subset (item);
  id = dm_item_get_id (item);
  if (!g_hash_table_insert (ids_of_subset (self, subset), (gpointer) id, item))
    g_critical ("item %s/%s is in the dataset already", subset, id);

  add_interned_subset (self, subset);
  g_ptr_array_add (self->items, g_object_ref (item));
  /* A reader appends a million items to a dataset nobody watches yet:
   * emitting for no handler would cost more than the append. */
  if (g_signal_has_handler_pending (self, items_changed_signal, 0, TRUE))
    g_list_model_items_changed (G_LIST_MODEL (self), self->items->len - 1, 0, 1);
}

/**
 * dm_dataset_find_item:
 * @self: a dataset
 * @subset: a subset name
 * @id: an item id
 *
 * Looks up an item by its subset and id.
 *
 * Returns: (transfer none) (nullable): the item, or %NULL if there is none
 */
DmItem *
dm_dataset_find_item (DmDataset  *self,
                      const char *subset,
                      const char *id)
{
  GHashTable *ids;
  GQuark quark;

  g_return_val_if_fail (DM_IS_DATASET (self), NULL);
  g_return_val_if_fail (subset != NULL && id != NULL, NULL);

  /* A subset name never interned is in no item: no need to intern it. */
  quark = g_quark_try_string (subset);
  if (quark == 0)
    return NULL;
  ids = g_hash_table_lookup (self->item_index, g_quark_to_string (quark));

  return ids != NULL ? g_hash_table_lookup (ids, id) : NULL;
}

/**
 * dm_dataset_get_subsets:
 * @self: a dataset
 *
 * Lists the subsets (as "train", "val").
 *
 * Returns: (array zero-terminated=1) (transfer none): the subset names in
 *   load order
 */
const char * const *
dm_dataset_get_subsets (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return (const char * const *) self->subsets->pdata;
}

/**
 * dm_dataset_add_subset:
 * @self: a dataset
 * @subset: a subset name
 *
 * Adds a subset, if the dataset does not have it yet, after the others.
 * A subset may have no items (a pruned subset keeps its annotation file).
 */
void
dm_dataset_add_subset (DmDataset  *self,
                       const char *subset)
{
  g_return_if_fail (DM_IS_DATASET (self));
  g_return_if_fail (subset != NULL);

  add_interned_subset (self, g_intern_string (subset));
}

/**
 * dm_dataset_get_subset_header:
 * @self: a dataset
 * @subset: a subset name
 *
 * The format's data for the subset other than its items (for Datumaro,
 * the annotation file's top-level object without "items").
 *
 * Returns: (transfer none) (nullable): the header, or %NULL
 */
JsonObject *
dm_dataset_get_subset_header (DmDataset  *self,
                              const char *subset)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);
  g_return_val_if_fail (subset != NULL, NULL);

  return g_hash_table_lookup (self->subset_headers, g_intern_string (subset));
}

/**
 * dm_dataset_set_subset_header:
 * @self: a dataset
 * @subset: a subset name
 * @header: (nullable): the header
 *
 * Sets what a subset's annotation file holds besides its items, written back as it is.
 */
void
dm_dataset_set_subset_header (DmDataset  *self,
                              const char *subset,
                              JsonObject *header)
{
  const char *interned;

  g_return_if_fail (DM_IS_DATASET (self));
  g_return_if_fail (subset != NULL);

  interned = g_intern_string (subset);
  dm_dataset_add_subset (self, interned);
  if (header != NULL)
    g_hash_table_insert (self->subset_headers, (gpointer) interned, json_object_ref (header));
  else
    g_hash_table_remove (self->subset_headers, interned);
}

/**
 * dm_dataset_get_n_labels:
 * @self: a dataset
 *
 * Counts the label categories.
 *
 * Returns: the number of label categories
 */
guint
dm_dataset_get_n_labels (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), 0);

  return self->label_names->len;
}

/**
 * dm_dataset_get_label_name:
 * @self: a dataset
 * @label_id: a label id below dm_dataset_get_n_labels()
 *
 * Gives the name of a label category.
 *
 * Returns: the label's name
 */
const char *
dm_dataset_get_label_name (DmDataset *self,
                           guint      label_id)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);
  g_return_val_if_fail (label_id < self->label_names->len, NULL);

  return g_ptr_array_index (self->label_names, label_id);
}

/**
 * dm_dataset_find_label:
 * @self: a dataset
 * @name: a label name
 *
 * Looks up a label category by name.
 *
 * Returns: the label's id, or -1 when the dataset has no such label
 */
int
dm_dataset_find_label (DmDataset  *self,
                       const char *name)
{
  g_return_val_if_fail (DM_IS_DATASET (self), -1);
  g_return_val_if_fail (name != NULL, -1);

  return GPOINTER_TO_INT (g_hash_table_lookup (self->label_ids, name)) - 1;
}

/**
 * dm_dataset_add_label:
 * @self: a dataset
 * @name: a label name
 *
 * Adds a label category after the others, unless one of that name exists.
 *
 * Returns: the label's id
 */
guint
dm_dataset_add_label (DmDataset  *self,
                      const char *name)
{
  int existing;
  char *copy;

  g_return_val_if_fail (DM_IS_DATASET (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  existing = dm_dataset_find_label (self, name);
  if (existing >= 0)
    return existing;

  copy = g_strdup (name);
  g_ptr_array_add (self->label_names, copy);
  g_hash_table_insert (self->label_ids, copy, GUINT_TO_POINTER (self->label_names->len));

  return self->label_names->len - 1;
}

/**
 * dm_dataset_get_source_path:
 * @self: a dataset
 *
 * Says which directory the dataset was loaded from.
 *
 * Returns: (nullable) (type filename): where the dataset was loaded from
 */
const char *
dm_dataset_get_source_path (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return self->source_path;
}

/**
 * dm_dataset_set_source_path:
 * @self: a dataset
 * @path: (nullable) (type filename): where the dataset was loaded from
 *
 * Records which directory the dataset was loaded from; saving to it is saving in place.
 */
void
dm_dataset_set_source_path (DmDataset  *self,
                            const char *path)
{
  g_return_if_fail (DM_IS_DATASET (self));

  g_free (self->source_path);
  self->source_path = g_strdup (path);
  /* Saving in place refuses a source that changed since. */
  g_free (self->source_state);
  self->source_state = path != NULL ? dm_in_place_source_state (path) : NULL;
}

/*
 * dm_dataset_get_source_state:
 * @self: a dataset
 *
 * What dm_in_place_source_state() said of the source path when it was set.
 *
 * Returns: (nullable): the state, or %NULL
 */
const char *
dm_dataset_get_source_state (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return self->source_state;
}

/**
 * dm_dataset_get_format:
 * @self: a dataset
 *
 * Says which format the dataset was read from.
 *
 * Returns: (nullable): the name of the format it was loaded from
 *   ("datumaro", "imagenet")
 */
const char *
dm_dataset_get_format (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return self->format;
}

/**
 * dm_dataset_set_format:
 * @self: a dataset
 * @format: (nullable): a format name
 *
 * Records which format the dataset was read from.
 */
void
dm_dataset_set_format (DmDataset  *self,
                       const char *format)
{
  g_return_if_fail (DM_IS_DATASET (self));

  g_free (self->format);
  self->format = g_strdup (format);
}

/**
 * dm_dataset_get_hash_key_origin:
 * @self: a dataset
 *
 * Which hasher made the items' hash keys: "datumaro-clip" for keys that
 * Datumaro cached, or the version string of the hasher that computed them.
 * Keys of different origins are not comparable.
 *
 * Returns: (nullable): the origin, or %NULL when no item has a key
 */
const char *
dm_dataset_get_hash_key_origin (DmDataset *self)
{
  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  return self->hash_key_origin;
}

/**
 * dm_dataset_set_hash_key_origin:
 * @self: a dataset
 * @origin: (nullable): which hasher made the keys
 *
 * Records which hasher made the items' hash keys, written to the key cache.
 */
void
dm_dataset_set_hash_key_origin (DmDataset  *self,
                                const char *origin)
{
  g_return_if_fail (DM_IS_DATASET (self));

  g_free (self->hash_key_origin);
  self->hash_key_origin = g_strdup (origin);
}

/* dm_dataset_leave_as_it_is:
 * @self: a transform's output, made with dm_dataset_new_like()
 * @item: an item of the transform's input that the transform skipped
 *
 * Marks @item to be left as it is when @self is saved over its source (in
 * place): its annotation entry stays and its files are not deleted as a
 * dropped item's are. Saved anywhere else, @self does not hold it. A
 * transform skips an item it cannot work on (a broken image): that is no
 * choice to drop it from the user's dataset.
 */
void
dm_dataset_leave_as_it_is (DmDataset *self,
                           DmItem    *item)
{
  g_return_if_fail (DM_IS_DATASET (self));
  g_return_if_fail (DM_IS_ITEM (item));

  if (self->left_as_they_are == NULL)
    self->left_as_they_are = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->left_as_they_are, g_object_ref (item));
}

/* The items of @self marked to be left as they are, by the item of the
 * origin each stands for. */
static GHashTable *
left_by_origin_item (DmDataset *self)
{
  GHashTable *left = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < self->left_as_they_are->len; i++)
    {
      DmItem *item = g_ptr_array_index (self->left_as_they_are, i);
      DmItem *in_origin = dm_dataset_find_item (self->origin, dm_item_get_subset (item), dm_item_get_id (item));

      if (in_origin != NULL)
        g_hash_table_insert (left, in_origin, item);
    }
  return left;
}

/* dm_dataset_dup_in_place_form:
 * @self: a dataset to save over its source
 *
 * What a save in place writes: @self, with the items marked by
 * dm_dataset_leave_as_it_is() that @self does not hold put back where they
 * were in the origin. The items of both are in the origin's order, those
 * of @self only after them in its own.
 *
 * Returns: (transfer full): a new dataset, or @self (a new reference) when
 *   no item is marked
 */
DmDataset *
dm_dataset_dup_in_place_form (DmDataset *self)
{
  g_autoptr(GHashTable) left = NULL;
  g_autoptr(GHashTable) placed = NULL;
  DmDataset *merged;

  g_return_val_if_fail (DM_IS_DATASET (self), NULL);

  if (self->left_as_they_are == NULL || self->origin == NULL)
    return g_object_ref (self);

  left = left_by_origin_item (self);
  placed = g_hash_table_new (g_direct_hash, g_direct_equal);
  merged = dm_dataset_new_like (self);
  for (guint i = 0; i < self->origin->items->len; i++)
    {
      DmItem *item = g_ptr_array_index (self->origin->items, i);
      DmItem *written = dm_dataset_find_item (self, dm_item_get_subset (item), dm_item_get_id (item));

      if (written == NULL)
        written = g_hash_table_lookup (left, item);
      if (written == NULL)
        continue;
      dm_dataset_append_item (merged, written);
      g_hash_table_add (placed, written);
    }
  for (guint i = 0; i < self->items->len; i++)
    if (!g_hash_table_contains (placed, g_ptr_array_index (self->items, i)))
      dm_dataset_append_item (merged, g_ptr_array_index (self->items, i));

  return merged;
}
