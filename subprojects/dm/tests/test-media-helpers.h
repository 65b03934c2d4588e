/* test-media-helpers.h: what the tests of media files share: a fixture
 * with write_media_dataset()'s dataset, and checking that every media file
 * was carried. */
#pragma once

#include <dm.h>

G_BEGIN_DECLS

typedef struct
{
  char *tmp;
  char *source;     /* write_media_dataset() */
  char *outside;    /* its image named by an absolute path */
  char *dest;       /* absent until a test makes it */
} MediaFixture;

void        media_fixture_set_up    (MediaFixture  *f,
                                     gconstpointer  data);
void        media_fixture_tear_down (MediaFixture  *f,
                                     gconstpointer  data);

/* Loads the dataset at @path, asserting that it loads. */
DmDataset  *load_dataset_ok         (const char    *path);

/* A new transform @name, as an application gets one: from the default
 * registry, with the plugins of its default directories loaded
 * ($DM_PLUGIN_PATH first). Asserts there is one of that name. */
DmTransform *create_transform       (const char    *name);

/* Writes an ImageNet folder at @root whose one label, cat, holds one real
 * image, a.jpg: a copy of the first item's image of the dataset at
 * @sample (make_sample()'s). */
void        write_imagenet_from_sample (const char *sample,
                                        const char *root);

/* Asserts that every media file of every item of @written exists with the
 * bytes of the same item's file in @original, and is the same file as it
 * exactly when @linked. */
void        assert_media_carried    (DmDataset     *original,
                                     DmDataset     *written,
                                     gboolean       linked);

G_END_DECLS
