/* prune-npy.c: a matrix of floats from NumPy's .npy file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include <dm.h>

#include "prune-npy.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LENGTH 6

typedef struct {
  const char *path;
  const char *at, *end;
  /* What the header says. */
  char *descr;
  gboolean fortran_order;
  gboolean has_fortran_order;
  GArray *shape;   /* gsize */
} Header;

static gboolean
fail (const Header *header, GError **error, const char *what)
{
  g_set_error (error, DM_ERROR, DM_ERROR_INVALID_DATA, _("%s is not a usable .npy file: %s"),
               header->path, what);
  return FALSE;
}

static void
skip_space (Header *header)
{
  while (header->at < header->end && g_ascii_isspace (*header->at))
    header->at++;
}

static gboolean
accept (Header *header, char c)
{
  skip_space (header);
  if (header->at < header->end && *header->at == c)
    {
      header->at++;
      return TRUE;
    }
  return FALSE;
}

/* A Python string literal in single or double quotes, without escapes
 * (NumPy writes none in the three keys and their values). */
static char *
parse_string (Header *header)
{
  const char *start;
  char quote;

  skip_space (header);
  if (header->at >= header->end || (*header->at != '\'' && *header->at != '"'))
    return NULL;
  quote = *header->at++;
  start = header->at;
  while (header->at < header->end && *header->at != quote && *header->at != '\\')
    header->at++;
  if (header->at >= header->end || *header->at != quote)
    return NULL;
  return g_strndup (start, header->at++ - start);
}

static gboolean
parse_word (Header *header, const char *word)
{
  gsize length = strlen (word);

  skip_space (header);
  if ((gsize) (header->end - header->at) < length || memcmp (header->at, word, length) != 0)
    return FALSE;
  header->at += length;
  return TRUE;
}

/* A tuple of non-negative integers: (), (3,), (3, 4) or (3, 4,). */
static gboolean
parse_shape (Header *header)
{
  if (!accept (header, '('))
    return FALSE;
  while (!accept (header, ')'))
    {
      guint64 value = 0;
      const char *start;

      skip_space (header);
      start = header->at;
      while (header->at < header->end && g_ascii_isdigit (*header->at))
        {
          if (value > (G_MAXSIZE - 9) / 10)
            return FALSE;
          value = value * 10 + (guint64) (*header->at++ - '0');
        }
      if (header->at == start)
        return FALSE;
      g_array_append_val (header->shape, (gsize) { value });
      if (!accept (header, ',') && !(header->at < header->end && *header->at == ')'))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_header (Header *header, GError **error)
{
  if (!accept (header, '{'))
    return fail (header, error, _("the header is not a dictionary"));
  while (!accept (header, '}'))
    {
      g_autofree char *key = parse_string (header);

      if (key == NULL || !accept (header, ':'))
        return fail (header, error, _("the header is not a dictionary"));
      if (g_str_equal (key, "descr"))
        {
          g_free (header->descr);
          header->descr = parse_string (header);
          if (header->descr == NULL)
            return fail (header, error, _("“descr” is not a plain dtype string"));
        }
      else if (g_str_equal (key, "fortran_order"))
        {
          header->has_fortran_order = TRUE;
          if (parse_word (header, "True"))
            header->fortran_order = TRUE;
          else if (parse_word (header, "False"))
            header->fortran_order = FALSE;
          else
            return fail (header, error, _("“fortran_order” is neither True nor False"));
        }
      else if (g_str_equal (key, "shape"))
        {
          g_array_set_size (header->shape, 0);
          if (!parse_shape (header))
            return fail (header, error, _("“shape” is not a tuple of whole numbers"));
        }
      else
        {
          g_autofree char *what = g_strdup_printf (_("unknown header key “%s”"), key);
          return fail (header, error, what);
        }
      /* A comma, or the closing brace that the loop takes. */
      if (!accept (header, ',') && !(header->at < header->end && *header->at == '}'))
        return fail (header, error, _("the header is not a dictionary"));
    }
  if (header->descr == NULL || !header->has_fortran_order || header->shape->len == 0)
    {
      if (header->descr != NULL && header->has_fortran_order)
        return fail (header, error, _("the array is a scalar, not N × D"));
      return fail (header, error, _("the header lacks “descr”, “fortran_order” or “shape”"));
    }
  return TRUE;
}

/* IEEE 754 binary16 to binary32, subnormals, infinities and NaN included. */
static float
half_to_float (guint16 half)
{
  guint32 sign = (guint32) (half & 0x8000u) << 16;
  guint32 exponent = (half >> 10) & 0x1fu;
  guint32 mantissa = half & 0x3ffu;
  guint32 bits;
  float value;

  if (exponent == 0x1f)
    bits = sign | 0x7f800000u | (mantissa << 13);
  else if (exponent != 0)
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  else if (mantissa == 0)
    bits = sign;
  else
    {
      /* Subnormal: normalise. */
      exponent = 113;
      while ((mantissa & 0x400u) == 0)
        {
          mantissa <<= 1;
          exponent--;
        }
      bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
    }
  memcpy (&value, &bits, sizeof value);
  return value;
}

static float
read_value (const guint8 *data, gsize index, gsize item_size, gboolean swap)
{
  if (item_size == 2)
    {
      guint16 half;
      memcpy (&half, data + index * 2, 2);
      return half_to_float (swap ? GUINT16_SWAP_LE_BE (half) : half);
    }
  else
    {
      guint32 bits;
      float value;
      memcpy (&bits, data + index * 4, 4);
      if (swap)
        bits = GUINT32_SWAP_LE_BE (bits);
      memcpy (&value, &bits, sizeof value);
      return value;
    }
}

float *
prune_npy_read_matrix (const char  *path,
                       gsize       *n_rows,
                       gsize       *n_columns,
                       GError     **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) file_error = NULL;
  g_autoptr(GArray) shape = g_array_new (FALSE, FALSE, sizeof (gsize));
  Header header = { path, NULL, NULL, NULL, FALSE, FALSE, shape };
  const guint8 *bytes;
  gsize length, header_length, data_offset, item_size, rows, columns;
  gboolean little, swap;
  float *matrix;

  file = g_mapped_file_new (path, FALSE, &file_error);
  if (file == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_NOT_FOUND, _("Cannot read %s: %s"), path, file_error->message);
      return NULL;
    }
  bytes = (const guint8 *) g_mapped_file_get_contents (file);
  length = g_mapped_file_get_length (file);

  if (length < 10 || memcmp (bytes, NPY_MAGIC, NPY_MAGIC_LENGTH) != 0)
    return fail (&header, error, _("it does not start with NumPy’s magic string")), NULL;
  if (bytes[6] == 1)
    {
      header_length = bytes[8] | (gsize) bytes[9] << 8;
      data_offset = 10;
    }
  else if ((bytes[6] == 2 || bytes[6] == 3) && length >= 12)
    {
      header_length = bytes[8] | (gsize) bytes[9] << 8 | (gsize) bytes[10] << 16 | (gsize) bytes[11] << 24;
      data_offset = 12;
    }
  else
    {
      g_autofree char *what = g_strdup_printf (_("format version %u.%u is not 1.0, 2.0 or 3.0"),
                                               bytes[6], bytes[7]);
      return fail (&header, error, what), NULL;
    }
  if (header_length > length - data_offset)
    return fail (&header, error, _("the header is cut short")), NULL;
  header.at = (const char *) bytes + data_offset;
  header.end = header.at + header_length;
  data_offset += header_length;

  if (!parse_header (&header, error))
    {
      g_free (header.descr);
      return NULL;
    }

  {
    g_autofree char *descr = g_steal_pointer (&header.descr);
    const char *type = descr + (descr[0] == '<' || descr[0] == '>' || descr[0] == '=' || descr[0] == '|');

    if (g_str_equal (type, "f4"))
      item_size = 4;
    else if (g_str_equal (type, "f2"))
      item_size = 2;
    else
      {
        g_autofree char *what = g_strdup_printf (_("its dtype “%s” is not float32 or float16"), descr);
        return fail (&header, error, what), NULL;
      }
    little = descr[0] == '<' || (descr[0] != '>' && G_BYTE_ORDER == G_LITTLE_ENDIAN);
    swap = little != (G_BYTE_ORDER == G_LITTLE_ENDIAN);
  }

  if (shape->len != 2)
    {
      g_autofree char *what = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "its shape has %u dimension, not 2 (N × D)",
                                                            "its shape has %u dimensions, not 2 (N × D)",
                                                            shape->len),
                                               shape->len);
      return fail (&header, error, what), NULL;
    }
  rows = g_array_index (shape, gsize, 0);
  columns = g_array_index (shape, gsize, 1);
  if (rows == 0 || columns == 0)
    {
      g_autofree char *what = g_strdup_printf (_("its shape %zu × %zu is empty"),
                                               rows, columns);
      return fail (&header, error, what), NULL;
    }
  if (columns > G_MAXSIZE / item_size / rows || rows * columns * item_size != length - data_offset)
    {
      g_autofree char *what = g_strdup_printf (_("its shape %zu × %zu"
                                                 " needs %zu-byte values, but %zu bytes follow the header"),
                                               rows, columns, item_size, length - data_offset);
      return fail (&header, error, what), NULL;
    }

  matrix = g_try_new (float, rows * columns);
  if (matrix == NULL)
    {
      g_set_error (error, DM_ERROR, DM_ERROR_FAILED, _("Not enough memory to read %s"), path);
      return NULL;
    }
  for (gsize r = 0; r < rows; r++)
    for (gsize c = 0; c < columns; c++)
      matrix[r * columns + c] = read_value (bytes + data_offset,
                                            header.fortran_order ? c * rows + r : r * columns + c,
                                            item_size, swap);
  *n_rows = rows;
  *n_columns = columns;
  return matrix;
}
