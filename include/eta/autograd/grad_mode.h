// Forwarding header: grad mode (grad_enabled, NoGradGuard) lives in eta/tensor/grad_mode.h.
#pragma once
#include "eta/tensor/grad_mode.h"
