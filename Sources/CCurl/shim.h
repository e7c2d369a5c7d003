#ifndef SLIPWAY_CCURL_SHIM_H
#define SLIPWAY_CCURL_SHIM_H
#include <curl/curl.h>
#endif
