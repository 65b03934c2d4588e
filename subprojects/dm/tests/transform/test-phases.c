/* What a transform class declares about its phases for a host, which
 * knows none of them (dm_transform_class_add_phase()): the label and the
 * counted form of a declared phase, translated in the class's domain
 * under a German locale; nothing for a phase not declared, nor for a
 * subclass; and a translation that would drop the count, or carries a
 * directive of its own, neither loses the count nor is used as a format.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <dm.h>

#define DOMAIN "dm-test-phases"
#define GERMAN "de_DE.UTF-8"

/* A transform that declares "sort", counted; "tidy", not counted; and
 * "check" and "rate", whose German test-phases.de.po gets wrong. The
 * phase names are not their labels, so a label cannot be taken for the
 * name. */
#define TEST_TYPE_PHASED (test_phased_get_type ())
G_DECLARE_DERIVABLE_TYPE (TestPhased, test_phased, TEST, PHASED, DmTransform)

struct _TestPhasedClass
{
  DmTransformClass parent_class;
};

G_DEFINE_TYPE (TestPhased, test_phased, DM_TYPE_TRANSFORM)

static void
test_phased_class_init (TestPhasedClass *klass)
{
  DmTransformClass *transform_class = DM_TRANSFORM_CLASS (klass);

  dm_transform_class_set_metadata (transform_class, "Phased", "Declares its phases", DOMAIN);
  dm_transform_class_add_phase (transform_class, "sort", "sorting", "sorting %u item", "sorting %u items");
  dm_transform_class_add_phase (transform_class, "tidy", "tidying", NULL, NULL);
  dm_transform_class_add_phase (transform_class, "check", "checking", "checking %u item", "checking %u items");
  dm_transform_class_add_phase (transform_class, "rate", "rating", "rating %u item at 100%%",
                                "rating %u items at 100%%");
}

static void
test_phased_init (TestPhased *self)
{
}

/* A subclass that declares nothing of its own. */
#define TEST_TYPE_SUBPHASED (test_subphased_get_type ())
G_DECLARE_FINAL_TYPE (TestSubphased, test_subphased, TEST, SUBPHASED, TestPhased)

struct _TestSubphased
{
  TestPhased parent_instance;
};

G_DEFINE_FINAL_TYPE (TestSubphased, test_subphased, TEST_TYPE_PHASED)

static void
test_subphased_class_init (TestSubphasedClass *klass)
{
}

static void
test_subphased_init (TestSubphased *self)
{
}

/* A locale directory holding the test domain's German, and the locale
 * switched to German; FALSE (the test skipped) without that locale. */
static gboolean
use_german (char **localedir)
{
  g_autofree char *messages = NULL;
  g_autofree char *catalog = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  if (setlocale (LC_ALL, GERMAN) == NULL)
    {
      g_test_skip ("no " GERMAN " locale (tools/install-deps.sh generates it)");
      return FALSE;
    }
  /* LANGUAGE would choose the catalog over the locale. */
  g_unsetenv ("LANGUAGE");

  *localedir = g_dir_make_tmp ("dm-test-phases-XXXXXX", &error);
  g_assert_no_error (error);
  messages = g_build_filename (*localedir, "de", "LC_MESSAGES", NULL);
  g_assert_cmpint (g_mkdir_with_parents (messages, 0700), ==, 0);
  catalog = g_build_filename (messages, DOMAIN ".mo", NULL);
  g_assert_true (g_file_get_contents (TEST_CATALOG, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (catalog, contents, length, &error));
  g_assert_no_error (error);

  g_assert_nonnull (bindtextdomain (DOMAIN, *localedir));
  g_assert_nonnull (bind_textdomain_codeset (DOMAIN, "UTF-8"));
  return TRUE;
}

static void
forget_german (char *localedir)
{
  g_autofree char *messages = g_build_filename (localedir, "de", "LC_MESSAGES", NULL);
  g_autofree char *catalog = g_build_filename (messages, DOMAIN ".mo", NULL);
  g_autofree char *language = g_build_filename (localedir, "de", NULL);

  g_remove (catalog);
  g_rmdir (messages);
  g_rmdir (language);
  g_rmdir (localedir);
  g_free (localedir);
  setlocale (LC_ALL, "C.UTF-8");
}

static void
assert_count (DmTransformClass *klass,
              const char       *phase,
              guint             count,
              const char       *expected)
{
  g_autofree char *text = dm_transform_class_format_phase_count (klass, phase, count);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_declared_in_german (void)
{
  g_autoptr(DmTransformClass) klass = g_type_class_ref (TEST_TYPE_PHASED);
  char *localedir = NULL;

  if (!use_german (&localedir))
    return;

  g_assert_cmpstr (dm_transform_class_get_phase_label (klass, "sort"), ==, "Sortieren");
  g_assert_cmpstr (dm_transform_class_get_phase_label (klass, "tidy"), ==, "Aufräumen");
  assert_count (klass, "sort", 1, "1 Element sortieren");
  assert_count (klass, "sort", 20, "20 Elemente sortieren");
  /* Declared without counted forms: a label, no count. */
  assert_count (klass, "tidy", 20, NULL);

  forget_german (localedir);
}

/* The German of "check" has no %u, which would drop the count: the
 * English is shown. That of "rate" has a %s besides its %u, which as a
 * format would read an argument that is not there: the %u alone is
 * replaced, the rest (a %% too) is text. */
static void
test_bad_translations (void)
{
  g_autoptr(DmTransformClass) klass = g_type_class_ref (TEST_TYPE_PHASED);
  char *localedir = NULL;

  if (!use_german (&localedir))
    return;

  /* The catalog is in use: the labels are German. */
  g_assert_cmpstr (dm_transform_class_get_phase_label (klass, "check"), ==, "Prüfen");
  g_assert_cmpstr (dm_transform_class_get_phase_label (klass, "rate"), ==, "Bewerten");
  assert_count (klass, "check", 1, "checking 1 item");
  assert_count (klass, "check", 7, "checking 7 items");
  assert_count (klass, "rate", 7, "7 %s Elemente zu 100 % bewerten");

  forget_german (localedir);
}

/* Untranslated, the msgids are shown, %% as a percent sign. */
static void
test_declared_untranslated (void)
{
  g_autoptr(DmTransformClass) klass = g_type_class_ref (TEST_TYPE_PHASED);

  g_assert_cmpstr (dm_transform_class_get_phase_label (klass, "sort"), ==, "sorting");
  assert_count (klass, "sort", 1, "sorting 1 item");
  assert_count (klass, "sort", 0, "sorting 0 items");
  assert_count (klass, "rate", 2, "rating 2 items at 100%");
}

static void
test_undeclared (void)
{
  g_autoptr(DmTransformClass) klass = g_type_class_ref (TEST_TYPE_PHASED);
  g_autoptr(DmTransformClass) subclass = g_type_class_ref (TEST_TYPE_SUBPHASED);

  g_assert_null (dm_transform_class_get_phase_label (klass, "sorting"));
  assert_count (klass, "sorting", 3, NULL);
  /* A subclass declares its own phases, as it does its aliases. */
  g_assert_null (dm_transform_class_get_phase_label (subclass, "sort"));
  assert_count (subclass, "sort", 3, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transform/phases/declared-in-german", test_declared_in_german);
  g_test_add_func ("/transform/phases/bad-translations", test_bad_translations);
  g_test_add_func ("/transform/phases/declared-untranslated", test_declared_untranslated);
  g_test_add_func ("/transform/phases/undeclared", test_undeclared);

  return g_test_run ();
}
