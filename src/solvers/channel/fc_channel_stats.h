/* Turbulence statistics of the channel, accumulated over x-z planes and time (stats.c).
 *
 *   fc_channel_stats_create(ch, nplanes, yplus, &st)   spectra planes at these y+ (nominal)
 *   every sample_every steps: fc_channel_stats_accumulate(st, ch)
 *   fc_channel_stats_write(st, ch, "stats.h5", case_text)   rank 0 writes stats.h5.partial, renames
 *   fc_channel_stats_load(st, ch, "stats.h5")   a restarted run continues the same averages
 *
 * Samples are the velocity interpolated to the cell centres (u, w averaged from their faces,
 * v from the two y-faces). Per cell-centre y: the means of u, v, w and of u'u', v'v', w'w',
 * u'v' (from running sums of u, u^2, ... over the planes and the samples), folded over the
 * two halves of the channel when written. Wall units come from the averaged wall shear
 * (the mean profile's gradient at the walls, as fc_channel_wall_shear). Spectra: 1D energy
 * spectra of u', v', w' along x (averaged over z) and along z (averaged over x) on the
 * centre planes nearest the requested y+ (both halves), averaged over the samples.
 * The file layout is in docs/file-format.md ("channel statistics"). */
#ifndef FC_CHANNEL_STATS_H
#define FC_CHANNEL_STATS_H

#include "fc_channel.h"

typedef struct fc_channel_stats fc_channel_stats;

fc_err fc_channel_stats_create(const fc_channel *ch, int nplanes, const double *yplus, fc_channel_stats **st);
fc_err fc_channel_stats_destroy(fc_channel_stats **st);
/* One sample of the current flow (collective). */
fc_err fc_channel_stats_accumulate(fc_channel_stats *st, fc_channel *ch);
/* Number of samples accumulated so far (the times they span are written to the file). */
long fc_channel_stats_samples(const fc_channel_stats *st);
/* Simulated time of the last sample (-inf with no samples). */
double fc_channel_stats_last_time(const fc_channel_stats *st);
/* Writes the averages (collective call; rank 0 writes path.partial then renames). */
fc_err fc_channel_stats_write(fc_channel_stats *st, fc_channel *ch, const char *path, const char *case_text);
/* Reads the running sums back from a statistics file written for the same grid (collective;
 * errors naming the file and what differs). */
fc_err fc_channel_stats_load(fc_channel_stats *st, fc_channel *ch, const char *path);

#endif
