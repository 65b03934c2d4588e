/* dm-progress-relay.c: progress posted from worker threads, delivered on
 * a main context.
 *
 * A worker posts (phase, fraction, total) from any thread; the relay
 * queues it and schedules one delivery on the context, which calls the
 * relay's function with everything queued since the last one. A phase's
 * first update is always delivered as it was posted, so a view that
 * announces a phase sees it begin as the worker began it (a count known
 * only at its end does not show at its start on a fast run and not on a
 * slow one); later updates of the phase that come faster than the context
 * delivers them replace each other. The owner closes the relay on
 * the context's thread when the work is over; a delivery still scheduled
 * then finds it closed and does nothing, and the last reference (the
 * owner's or the scheduled delivery's) frees it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "dm-progress-relay-private.h"

/* One allocation with its phase, freed by g_free(). */
typedef struct
{
  double fraction;
  guint total;
  gboolean begins_phase;    /* the phase's first update: never replaced */
  char phase[];
} ProgressEvent;

struct _DmProgressRelay
{
  GMainContext *context;
  DmProgressRelayFunc func;
  gpointer user_data;
  GDestroyNotify user_data_free;

  GMutex lock;
  GPtrArray *pending;       /* of ProgressEvent */
  char *posted_phase;       /* the phase of the last update posted */
  gboolean delivery_scheduled;
  gboolean closed;
};

static void
dm_progress_relay_clear (gpointer data)
{
  DmProgressRelay *relay = data;

  g_mutex_clear (&relay->lock);
  g_ptr_array_unref (relay->pending);
  g_free (relay->posted_phase);
  g_main_context_unref (relay->context);
}

static DmProgressRelay *
dm_progress_relay_ref (DmProgressRelay *relay)
{
  return g_atomic_rc_box_acquire (relay);
}

static void
dm_progress_relay_unref (gpointer relay)
{
  g_atomic_rc_box_release_full (relay, dm_progress_relay_clear);
}

/**
 * dm_progress_relay_new:
 * @context: (nullable): where to deliver, %NULL for the global default
 * @func: called on @context with each delivered update
 * @user_data: for @func
 * @user_data_free: (nullable): frees @user_data when the relay is closed
 *
 * Returns: a relay, to close with dm_progress_relay_close()
 */
DmProgressRelay *
dm_progress_relay_new (GMainContext        *context,
                       DmProgressRelayFunc  func,
                       gpointer             user_data,
                       GDestroyNotify       user_data_free)
{
  DmProgressRelay *relay = g_atomic_rc_box_new0 (DmProgressRelay);

  relay->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref (g_main_context_default ());
  relay->func = func;
  relay->user_data = user_data;
  relay->user_data_free = user_data_free;
  g_mutex_init (&relay->lock);
  relay->pending = g_ptr_array_new_with_free_func (g_free);

  return relay;
}

/**
 * dm_progress_relay_flush:
 * @relay: a relay
 *
 * On the relay's context: delivers what was posted and not yet delivered.
 */
void
dm_progress_relay_flush (DmProgressRelay *relay)
{
  g_autoptr(GPtrArray) events = NULL;

  g_mutex_lock (&relay->lock);
  events = g_steal_pointer (&relay->pending);
  relay->pending = g_ptr_array_new_with_free_func (g_free);
  relay->delivery_scheduled = FALSE;
  g_mutex_unlock (&relay->lock);

  if (relay->closed)
    return;

  for (guint i = 0; i < events->len; i++)
    {
      ProgressEvent *event = g_ptr_array_index (events, i);
      relay->func (event->phase, event->fraction, event->total, relay->user_data);
    }
}

static gboolean
deliver (gpointer data)
{
  dm_progress_relay_flush (data);
  return G_SOURCE_REMOVE;
}

/**
 * dm_progress_relay_post:
 * @relay: a relay
 * @phase: the phase under way
 * @fraction: how much of it is done, from 0 to 1, or negative when unknown
 * @total: how many items it goes through, or 0 when unknown
 *
 * From any thread: queues an update for the relay's context.
 */
void
dm_progress_relay_post (DmProgressRelay *relay,
                        const char      *phase,
                        double           fraction,
                        guint            total)
{
  ProgressEvent *last = NULL;
  gboolean begins_phase;
  gboolean schedule;

  g_mutex_lock (&relay->lock);
  begins_phase = g_strcmp0 (relay->posted_phase, phase) != 0;
  if (begins_phase)
    {
      g_free (relay->posted_phase);
      relay->posted_phase = g_strdup (phase);
    }
  if (relay->pending->len > 0)
    last = g_ptr_array_index (relay->pending, relay->pending->len - 1);
  if (!begins_phase && last != NULL && !last->begins_phase && g_str_equal (last->phase, phase))
    {
      last->fraction = fraction;
      last->total = MAX (last->total, total);
    }
  else
    {
      gsize phase_size = strlen (phase) + 1;
      ProgressEvent *event = g_malloc (sizeof (ProgressEvent) + phase_size);

      memcpy (event->phase, phase, phase_size);
      event->fraction = fraction;
      event->total = total;
      event->begins_phase = begins_phase;
      g_ptr_array_add (relay->pending, event);
    }
  schedule = !relay->delivery_scheduled;
  relay->delivery_scheduled = TRUE;
  g_mutex_unlock (&relay->lock);

  if (schedule)
    g_main_context_invoke_full (relay->context, G_PRIORITY_DEFAULT, deliver,
                                dm_progress_relay_ref (relay), dm_progress_relay_unref);
}

/**
 * dm_progress_relay_close:
 * @relay: (transfer full): a relay
 *
 * On the relay's context, when no worker posts any more: delivers what is
 * left, frees the user data and drops the owner's reference.
 */
void
dm_progress_relay_close (DmProgressRelay *relay)
{
  dm_progress_relay_flush (relay);
  relay->closed = TRUE;
  if (relay->user_data_free != NULL)
    g_clear_pointer (&relay->user_data, relay->user_data_free);
  dm_progress_relay_unref (relay);
}
