/* Subgrid-scale models: placeholder until the models land (see fc_channel.h). */
#include "fc_channel.h"

fc_err fc_channel_sgs_viscosity(fc_channel *ch)
{
  (void)ch;
  FcRaise(FC_ERR_INPUT, "subgrid-scale models are not built yet");
}

void fc_channel_sgs_rhs(const fc_channel *ch, double *ru, double *rv, double *rw)
{
  (void)ch;
  (void)ru;
  (void)rv;
  (void)rw;
}
