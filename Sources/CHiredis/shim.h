#ifndef TOLLGATE_CHIREDIS_SHIM_H
#define TOLLGATE_CHIREDIS_SHIM_H
// Debian bookworm's libhiredis-dev is 0.14.1: the synchronous API of hiredis.h
// (redisConnectWithTimeout, redisSetTimeout, redisCommandArgv, freeReplyObject).
#include <hiredis/hiredis.h>

// `redisContext.errstr` is a fixed-size char array, which Swift imports as a 128-element tuple;
// this hands it over as the C string it is.
static inline const char *tollgate_redis_error_message(const redisContext *context) {
    return context->errstr;
}
#endif
