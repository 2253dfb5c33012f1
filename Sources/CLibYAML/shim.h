#ifndef MULTIDC_CLIBYAML_SHIM_H
#define MULTIDC_CLIBYAML_SHIM_H
#include <yaml.h>
#endif
