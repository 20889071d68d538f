#ifndef TOLLGATE_CPROTOBUFC_SHIM_H
#define TOLLGATE_CPROTOBUFC_SHIM_H
#include <protobuf-c/protobuf-c.h>
#endif
